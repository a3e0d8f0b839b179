//! The Sentry protocol's ingest routes (DESIGN.md §6, docs/sentry.md): official Sentry SDKs
//! send envelopes to `POST /api/{app_id}/envelope/` and old ones single events to
//! `POST /api/{app_id}/store/`. An envelope is read whole and checked whole before anything is
//! queued: a 400 or 413 stores nothing, a 200 means every event and log line is committed.
//!
//! Answers carry CORS headers for browser SDKs, and 429s the headers SDKs back off on
//! (`Retry-After`, `X-Sentry-Rate-Limits`). A full write queue answers 429 too: SDKs drop an
//! event on a 5xx but hold back and retry after a 429.
use std::collections::HashSet;

use app::backend::{
    AppState,
    ingest::{NewEvent, NewLine, SubmitError},
    secrets,
    sentry::{self, EnvelopeError, EnvelopeLimits, ErrorEvent, EventError, ItemKind, LogItemError},
    services,
};
use axum::{
    Json, Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::json;

use crate::{
    api_error::ApiError,
    body::{self, Encoding},
};

pub fn routes() -> Router<AppState> {
    let envelope = || post(envelope).options(preflight);
    let store = || post(store).options(preflight);
    Router::new()
        .route("/api/{app_id}/envelope/", envelope())
        .route("/api/{app_id}/envelope", envelope())
        .route("/api/{app_id}/store/", store())
        .route("/api/{app_id}/store", store())
}

async fn envelope(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    request_body: Body,
) -> Response {
    let answer = accept_envelope(&state, &app_id, &uri, &headers, request_body).await;
    with_cors(&headers, answer)
}

async fn store(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    request_body: Body,
) -> Response {
    let answer = accept_store(&state, &app_id, &uri, &headers, request_body).await;
    with_cors(&headers, answer)
}

/// The CORS preflight of browser SDKs: any origin (a DSN is public), the headers they send.
async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    let allowed = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or(HeaderValue::from_static(
            "content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage",
        ));
    out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
    out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(86_400));
    with_cors(&headers, Ok(response))
}

fn with_cors(_request: &HeaderMap, answer: Result<Response, ApiError>) -> Response {
    let mut response = answer.unwrap_or_else(IntoResponse::into_response);
    let out = response.headers_mut();
    out.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    out.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after, x-sentry-rate-limits"),
    );
    response
}

/// What the envelope's items become, checked before any is queued.
enum Parsed {
    Event(Box<ErrorEvent>),
    Logs(Vec<NewLine>),
}

async fn accept_envelope(
    state: &AppState,
    app_id: &str,
    uri: &Uri,
    headers: &HeaderMap,
    request_body: Body,
) -> Result<Response, ApiError> {
    let received_at = chrono::Utc::now().timestamp_micros();
    let project = project_id(app_id)?;
    let header_key = key_of_request(headers, uri)?;
    if let Some(key) = &header_key {
        authenticate(state, key, project).await?;
    }
    let limits = EnvelopeLimits::default();
    let bytes = read_body(headers, request_body, limits.max_envelope).await?;
    let envelope = sentry::parse_envelope(&bytes, &limits).map_err(envelope_error)?;
    if header_key.is_none() {
        let dsn = envelope.header.dsn.as_deref().ok_or_else(missing_auth)?;
        let dsn = sentry::parse_dsn(dsn).map_err(|e| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_dsn",
                format!("the envelope header's dsn cannot be read: {}", e.0),
            )
        })?;
        if dsn.project_id != project {
            return Err(wrong_project());
        }
        authenticate(state, &dsn.public_key, project).await?;
    }

    let ingest_limits = &state.ingest.config.limits;
    let mut parsed = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for (index, item) in envelope.items.iter().enumerate() {
        match item.kind {
            ItemKind::Event => {
                let mut event = sentry::parse_event(item.payload, received_at)
                    .map_err(|e| event_error(e, Some(index)))?;
                // The header's id names the envelope's (first) event.
                let first = !parsed.iter().any(|p| matches!(p, Parsed::Event(_)));
                if first && envelope.header.event_id.is_some() {
                    event.event_id.clone_from(&envelope.header.event_id);
                }
                parsed.push(Parsed::Event(Box::new(event)));
            }
            ItemKind::Log => {
                let lines = sentry::parse_log_item(item.payload, received_at, ingest_limits)
                    .map_err(|e| log_error(e, index))?;
                parsed.push(Parsed::Logs(lines));
            }
            _ => skipped.push(item.kind.as_str().to_string()),
        }
    }
    let answer_id = envelope.header.event_id.clone();
    drop(envelope);
    drop(bytes);
    let id = submit(state, project, parsed, answer_id).await?;
    for kind in skipped {
        state.ingest.skipped_items.add(&kind, 1);
    }
    Ok(Json(json!({ "id": id })).into_response())
}

/// The legacy endpoint: the body is one event.
async fn accept_store(
    state: &AppState,
    app_id: &str,
    uri: &Uri,
    headers: &HeaderMap,
    request_body: Body,
) -> Result<Response, ApiError> {
    let received_at = chrono::Utc::now().timestamp_micros();
    let project = project_id(app_id)?;
    let key = key_of_request(headers, uri)?.ok_or_else(missing_auth)?;
    authenticate(state, &key, project).await?;
    let limits = EnvelopeLimits::default();
    let bytes = read_body(headers, request_body, limits.max_item).await?;
    let event = sentry::parse_event(&bytes, received_at).map_err(|e| event_error(e, None))?;
    drop(bytes);
    let id = submit(state, project, vec![Parsed::Event(Box::new(event))], None).await?;
    Ok(Json(json!({ "id": id })).into_response())
}

/// Queues what was parsed as one request and waits for its commit; answers the event id.
/// Events the app already stored (an SDK retrying) are left out, their lines with them.
async fn submit(
    state: &AppState,
    app_id: i64,
    parsed: Vec<Parsed>,
    answer_id: Option<String>,
) -> Result<String, ApiError> {
    let limits = &state.ingest.config.limits;
    let mut parsed = parsed;
    for item in &mut parsed {
        if let Parsed::Event(event) = item
            && event.event_id.is_none()
        {
            event.event_id = Some(secrets::random_hex(16));
        }
    }
    let ids: Vec<&str> = parsed
        .iter()
        .filter_map(|item| match item {
            Parsed::Event(event) => event.event_id.as_deref(),
            Parsed::Logs(_) => None,
        })
        .collect();
    let known: HashSet<String> = services::issues::known_event_ids(&state.db, app_id, &ids)
        .await
        .map_err(ApiError::from)?
        .into_iter()
        .collect();
    let mut first_event = None;
    let mut lines = Vec::new();
    let mut events: Vec<NewEvent> = Vec::new();
    for item in parsed {
        match item {
            Parsed::Event(event) => {
                let event_id = event.event_id.clone().unwrap_or_default();
                first_event.get_or_insert_with(|| event_id.clone());
                if known.contains(&event_id)
                    || events.iter().any(|other| other.event_id == event_id)
                {
                    continue;
                }
                let grouping = sentry::fingerprint(&event);
                events.push(event.to_new_event(&grouping, event_id, lines.len()));
                lines.push(event.to_new_line(limits));
            }
            Parsed::Logs(logs) => lines.extend(logs),
        }
    }
    let id = answer_id
        .or(first_event)
        .unwrap_or_else(|| secrets::random_hex(16));
    state
        .ingest
        .submit_with_events(app_id, lines, events)
        .await
        .map_err(submit_error)?;
    Ok(id)
}

/// The app id in the path: Sentry's project id.
fn project_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_project",
                "the path must be /api/<app id>/envelope/ with the number from the DSN",
            )
        })
}

/// The public key from `X-Sentry-Auth`, `Authorization: Sentry …` or `?sentry_key=`.
fn key_of_request(headers: &HeaderMap, uri: &Uri) -> Result<Option<String>, ApiError> {
    let unreadable = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_auth",
            "the Sentry auth header has no sentry_key: send X-Sentry-Auth: Sentry sentry_key=<public key>",
        )
    };
    if let Some(value) = headers.get("x-sentry-auth") {
        let text = value.to_str().map_err(|_| unreadable())?;
        return Ok(Some(
            sentry::parse_auth_header(text)
                .ok_or_else(unreadable)?
                .sentry_key,
        ));
    }
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let text = value.to_str().map_err(|_| unreadable())?.trim();
        let is_sentry = text
            .split_whitespace()
            .next()
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("sentry"));
        if is_sentry {
            return Ok(Some(
                sentry::parse_auth_header(text)
                    .ok_or_else(unreadable)?
                    .sentry_key,
            ));
        }
    }
    Ok(uri.query().and_then(sentry::key_from_query))
}

async fn authenticate(state: &AppState, public_key: &str, project: i64) -> Result<(), ApiError> {
    let app = state
        .ingest
        .keys
        .app_of_public_key(&state.db, public_key)
        .await
        .map_err(|error| {
            tracing::error!(%error, "checking a DSN failed");
            ApiError::unavailable(5, "the server cannot check DSNs right now: retry later")
        })?;
    match app {
        None => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "unknown_dsn",
            "the DSN's public key is unknown or was rotated: copy the DSN from the app's settings",
        )),
        Some(app_id) if app_id != project => Err(wrong_project()),
        Some(_) => Ok(()),
    }
}

fn missing_auth() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "missing_auth",
        "no DSN key: send X-Sentry-Auth: Sentry sentry_key=<public key>, ?sentry_key=, or the dsn in the envelope header",
    )
}

fn wrong_project() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "project_mismatch",
        "the DSN's public key belongs to another app than the one in the path",
    )
}

async fn read_body(
    headers: &HeaderMap,
    request_body: Body,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    let encoding = Encoding::of(headers, true)?;
    Ok(body::read(headers, request_body, encoding, limit, limit).await?)
}

fn envelope_error(error: EnvelopeError) -> ApiError {
    let status = if error.is_too_large() {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, error.code(), error.to_string())
}

fn event_error(error: EventError, index: Option<usize>) -> ApiError {
    let message = match index {
        Some(index) => format!("item {index}: {error}"),
        None => error.to_string(),
    };
    ApiError::bad_request(error.code(), message)
}

fn log_error(error: LogItemError, index: usize) -> ApiError {
    let status = if matches!(error, LogItemError::TooManyLogs { .. }) {
        StatusCode::PAYLOAD_TOO_LARGE
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, error.code(), format!("item {index}: {error}"))
}

/// Back-pressure as Sentry SDKs understand it: 429 with the seconds to wait, for every
/// category (`X-Sentry-Rate-Limits: <seconds>::organization`).
fn submit_error(error: SubmitError) -> ApiError {
    let limited = |seconds: u64, code: &'static str, message: String| ApiError {
        retry_after: Some(seconds),
        headers: vec![(
            HeaderName::from_static("x-sentry-rate-limits"),
            HeaderValue::from_str(&format!("{seconds}::organization:{code}"))
                .unwrap_or(HeaderValue::from_static("60::organization")),
        )],
        ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
    };
    let message = error.to_string();
    match error {
        SubmitError::RateLimited { retry_after_secs } => {
            limited(retry_after_secs, "rate_limited", message)
        }
        SubmitError::QueueFull { retry_after_secs } => {
            limited(retry_after_secs, "queue_full", message)
        }
        SubmitError::Unavailable => ApiError::from(error),
    }
}
