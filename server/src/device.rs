//! The terminal's half of the CLI device flow (RFC 8628, docs/device-flow.md):
//! `POST /sdk/device/start` and `GET /sdk/device/poll`. The browser's half (the `/sdk/link`
//! page and `POST /sdk/device/complete`) is the app's own, behind the session cookie.
//!
//! Errors are OAuth-shaped, `{"error": "<code>", "error_description": "…"}`, as device-flow
//! clients expect.
use std::net::SocketAddr;

use app::backend::{
    AppState, ServiceError,
    rate_limit::client_key,
    services::{
        apps,
        device::{self, Poll},
    },
};
use axum::{
    Json, Router,
    extract::{ConnectInfo, Query, Request, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sdk/device/start", post(start))
        .route("/sdk/device/poll", get(poll))
}

/// The largest start body worth reading: two short names.
const MAX_START_BODY: usize = 4096;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StartBody {
    app_name: Option<String>,
    client_name: Option<String>,
}

async fn start(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let ip = client_key(request.headers(), peer, state.settings.trust_proxy);
    if let Err(retry_after) = state.auth_limits.device_starts.hit(&ip) {
        let mut response = oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            &format!("too many sign-in requests from this address: retry in {retry_after} s"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
        return response;
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_START_BODY + 1).await {
        Ok(body) => body,
        Err(_) => {
            return oauth_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                &format!("the body is over {MAX_START_BODY} bytes"),
            );
        }
    };
    let request = match parse_start(&body) {
        Ok(request) => request,
        Err(message) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &message),
    };
    let now = state.clock.now();
    match device::start(
        &state.db,
        request.app_name.as_deref(),
        request.client_name.as_deref(),
        now,
    )
    .await
    {
        Ok(started) => {
            let base = state.settings.public_url.trim_end_matches('/');
            let link = format!("{base}/sdk/link");
            Json(json!({
                "device_code": started.device_code,
                "user_code": started.user_code,
                "verification_uri": link,
                "verification_uri_complete": format!("{link}?code={}", started.user_code),
                "expires_in": started.expires_in,
                "interval": started.interval,
            }))
            .into_response()
        }
        Err(error) => service_error(error),
    }
}

/// An empty body (or `{}`) asks for nothing in particular.
fn parse_start(body: &[u8]) -> Result<StartBody, String> {
    if body.len() > MAX_START_BODY {
        return Err(format!("the body is over {MAX_START_BODY} bytes"));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(StartBody::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        format!("the body must be a JSON object with \"app_name\" and \"client_name\" strings: {e}")
    })
}

#[derive(Deserialize)]
struct PollQuery {
    device_code: Option<String>,
}

async fn poll(
    State(state): State<AppState>,
    query: Result<Query<PollQuery>, QueryRejection>,
) -> Response {
    let Some(device_code) = query.ok().and_then(|q| q.0.device_code) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "pass the device code from /sdk/device/start as ?device_code=…",
        );
    };
    let pending = |code: &str, text: &str| oauth_error(StatusCode::BAD_REQUEST, code, text);
    match device::poll(&state.db, &device_code, state.clock.now()).await {
        Ok(Poll::Pending) => pending(
            "authorization_pending",
            "waiting for the user to approve the request in the browser",
        ),
        Ok(Poll::SlowDown { interval }) => {
            let mut body = error_body(
                "slow_down",
                &format!("polled too fast: wait {interval} s between polls"),
            );
            body["interval"] = interval.into();
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
        Ok(Poll::Denied) => pending("access_denied", "the request was denied in the browser"),
        Ok(Poll::Expired) => pending(
            "expired_token",
            "the request expired before it was approved: start again",
        ),
        Ok(Poll::Used) => pending(
            "invalid_grant",
            "this device code was used already: start again",
        ),
        Ok(Poll::Complete(handover)) => {
            let device::Handover { key, app } = *handover;
            let body = Json(json!({
                "status": "complete",
                "api_key": key.key,
                "app_id": app.id,
                "app_name": app.name,
                "dsn": apps::dsn(&state.settings.public_url, &app),
                "url": state.settings.public_url.trim_end_matches('/'),
            }));
            // A key: no cache on the way may keep it (RFC 6749 §5.1).
            ([(header::CACHE_CONTROL, "no-store")], body).into_response()
        }
        Err(ServiceError::NotFound(_)) => pending(
            "invalid_grant",
            "unknown device code: start again with /sdk/device/start",
        ),
        Err(error) => service_error(error),
    }
}

fn error_body(code: &str, description: &str) -> Value {
    json!({ "error": code, "error_description": description })
}

fn oauth_error(status: StatusCode, code: &str, description: &str) -> Response {
    (status, Json(error_body(code, description))).into_response()
}

fn service_error(error: ServiceError) -> Response {
    match error {
        ServiceError::Invalid { field, message } => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("{field}: {message}"),
        ),
        other => {
            tracing::error!(error = %other, "device flow failed");
            let mut response = oauth_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the server cannot answer right now: retry later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(5));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_bodies_are_strict_json_or_empty() {
        assert!(parse_start(b"").unwrap().app_name.is_none());
        assert!(parse_start(b"  \n").is_ok());
        let named = parse_start(br#"{"app_name":"shop","client_name":"ada@box"}"#).unwrap();
        assert_eq!(named.app_name.as_deref(), Some("shop"));
        assert!(parse_start(b"{").is_err());
        assert!(parse_start(br#"{"app_name": 3}"#).is_err());
        assert!(parse_start(br#"{"appname": "x"}"#).is_err());
        assert!(parse_start(&vec![b' '; MAX_START_BODY + 1]).is_err());
    }
}
