//! Email over SMTP (lettre): a plain-text and an HTML part. The server's SMTP settings come
//! from `LODESTAR_SMTP_URL` and `LODESTAR_SMTP_FROM`.
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};

use crate::backend::alerts::{Alerts, Notification};

/// The message's text and HTML bodies.
pub fn render(notification: &Notification) -> (String, String) {
    let mut text = format!(
        "{}\n\nApp: {}\nCondition: {}\n",
        notification.summary, notification.app.name, notification.rule.condition
    );
    let mut facts = vec![
        ("App", notification.app.name.clone()),
        ("Condition", notification.rule.condition.clone()),
    ];
    if let Some(value) = &notification.value_label {
        text.push_str(&format!("Measured: {value}\n"));
        facts.push(("Measured", value.clone()));
    }
    if let Some(window) = &notification.window {
        let span = format!("{} to {}", window.start, window.end);
        text.push_str(&format!("Window: {span}\n"));
        facts.push(("Window", span));
    }
    if let Some(issue) = &notification.issue {
        text.push_str(&format!("Issue: {} ({})\n", issue.title, issue.culprit));
        facts.push(("Issue", issue.title.clone()));
    }
    if !notification.samples.is_empty() {
        text.push_str("\nLines:\n");
        for line in &notification.samples {
            text.push_str(&format!(
                "  {} {} {} {}\n",
                line.timestamp, line.level, line.service, line.message
            ));
        }
    }
    text.push_str(&format!("\nOpen in Lodestar: {}\n", notification.link));

    let rows: String = facts
        .iter()
        .map(|(name, value)| {
            format!(
                "<tr><th align=\"left\" style=\"padding-right:12px\">{name}</th><td>{}</td></tr>",
                escape(value)
            )
        })
        .collect();
    let samples = if notification.samples.is_empty() {
        String::new()
    } else {
        let lines: String = notification
            .samples
            .iter()
            .map(|line| {
                escape(&format!(
                    "{} {} {} {}\n",
                    line.timestamp, line.level, line.service, line.message
                ))
            })
            .collect();
        format!("<pre style=\"background:#f4f4f5;padding:8px;white-space:pre-wrap\">{lines}</pre>")
    };
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\"><h2>{}</h2><p>{}</p>\
         <table>{rows}</table>{samples}<p><a href=\"{}\">Open in Lodestar</a></p></body></html>",
        escape(&notification.subject()),
        escape(&notification.summary),
        escape(&notification.link),
    );
    (text, html)
}

pub async fn send(
    alerts: &Alerts,
    to: &[String],
    notification: &Notification,
) -> Result<String, String> {
    let Some(url) = &alerts.config.smtp_url else {
        return Err("email is not set up on this server (LODESTAR_SMTP_URL)".into());
    };
    let from: Mailbox = alerts
        .config
        .smtp_from
        .parse()
        .map_err(|_| "LODESTAR_SMTP_FROM is not an email address".to_string())?;
    let mut message = Message::builder()
        .from(from)
        .subject(notification.subject());
    for address in to {
        let mailbox: Mailbox = address
            .parse()
            .map_err(|_| format!("{address} is not an email address"))?;
        message = message.to(mailbox);
    }
    let (text, html) = render(notification);
    let message = message
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| format!("the message could not be built: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|_| "LODESTAR_SMTP_URL is not a usable SMTP URL".to_string())?
        .timeout(Some(alerts.config.send_timeout))
        .build();
    match transport.send(message).await {
        Ok(response) => Ok(format!("accepted by the SMTP server ({})", response.code())),
        Err(error) => Err(format!("the SMTP server refused or failed: {error}")),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
