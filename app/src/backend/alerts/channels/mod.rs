//! Sending a notification to a channel. Each attempt answers what to show in the history:
//! `Ok("200 OK")` or `Err(why)`, short and without secrets.
mod email;
mod slack;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Alerts, Notification};
use crate::model::alerts::Channel;

pub use email::render as render_email;
pub use slack::payload as slack_payload;

/// The header carrying a webhook body's signature: `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "x-lodestar-signature";
/// The header naming the delivery, the same on every retry of it (to drop duplicates).
pub const DELIVERY_HEADER: &str = "x-lodestar-delivery";
/// The header naming the event: `fired`, `resolved` or `test`.
pub const EVENT_HEADER: &str = "x-lodestar-event";
/// Bytes of a failed answer's body kept in the error.
const ERROR_BODY_CHARS: usize = 200;

/// Sends `notification` to `channel` once.
pub async fn send(
    alerts: &Alerts,
    channel: &Channel,
    notification: &Notification,
    delivery_id: i64,
) -> Result<String, String> {
    match channel {
        Channel::Webhook { url, secret } => {
            let body = serde_json::to_vec(notification).map_err(|e| e.to_string())?;
            let mut request = alerts
                .http()
                .post(url)
                .header(http::header::CONTENT_TYPE, "application/json")
                .header(EVENT_HEADER, notification.event.as_str())
                .header(DELIVERY_HEADER, delivery_id.to_string());
            if let Some(secret) = secret {
                request = request.header(SIGNATURE_HEADER, signature(secret, &body));
            }
            post(request.body(body)).await
        }
        Channel::Slack { url } => {
            let body = slack::payload(notification);
            post(alerts.http().post(url).json(&body)).await
        }
        Channel::Email { to } => email::send(alerts, to, notification).await,
    }
}

/// `sha256=<hex>` of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn post(request: reqwest::RequestBuilder) -> Result<String, String> {
    let response = request.send().await.map_err(describe)?;
    let status = response.status();
    if status.is_success() {
        return Ok(status.to_string());
    }
    let body = response.text().await.unwrap_or_default();
    let body: String = body.chars().take(ERROR_BODY_CHARS).collect();
    Err(if body.trim().is_empty() {
        format!("answered {status}")
    } else {
        format!("answered {status}: {}", body.trim())
    })
}

/// A transport error in a few words, without the URL (it may carry a token).
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else if error.is_redirect() {
        "answered with a redirect (not followed)".into()
    } else if error.is_builder() {
        "the URL is not usable".into()
    } else {
        let mut text = error.without_url().to_string();
        text.truncate(ERROR_BODY_CHARS);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hex_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
