//! `POST /ingest`: the SDKs' own batch format (docs/ingest.md). Every answer is JSON with an
//! explicit status; a 200 means the lines are committed.
use app::backend::{
    AppState,
    ingest::{BatchError, SubmitError, batch},
};
use axum::{
    Json, Router,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::{Value, json};

use crate::body::{self, BodyError, Encoding};

pub fn routes() -> Router<AppState> {
    Router::new().route("/ingest", post(ingest))
}

/// How the lines are laid out in the body.
#[derive(Clone, Copy)]
enum Format {
    Json,
    Ndjson,
}

async fn ingest(State(state): State<AppState>, headers: HeaderMap, request_body: Body) -> Response {
    match accept(&state, &headers, request_body).await {
        Ok(accepted) => Json(json!({ "accepted": accepted })).into_response(),
        Err(failure) => failure.into_response(),
    }
}

async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    request_body: Body,
) -> Result<usize, Failure> {
    let received_at = chrono::Utc::now().timestamp_micros();
    let limits = &state.ingest.config.limits;
    let format = format_of(headers)?;
    let encoding = Encoding::of(headers, false)?;
    // A key in a header is checked before the body is read.
    let header_key = key_from_headers(headers)?;
    let mut owner = match header_key {
        Some(key) => Some(authenticate(state, key).await?),
        None => None,
    };
    let bytes = body::read(
        headers,
        request_body,
        encoding,
        limits.max_body,
        limits.max_decompressed,
    )
    .await?;
    let batch = match format {
        Format::Json => batch::parse_json(&bytes, received_at, limits),
        Format::Ndjson => batch::parse_ndjson(&bytes, received_at, limits),
    }?;
    drop(bytes);
    if owner.is_none() {
        let key = batch.api_key.as_deref().ok_or_else(|| {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                "missing_api_key",
                "send the API key as Authorization: Bearer sk_…, X-API-Key, or \"api_key\" in the body",
            )
        })?;
        owner = Some(authenticate(state, key).await?);
    }
    let owner = owner.expect("authenticated above");
    state
        .ingest
        .submit(owner.app_id, batch.lines)
        .await
        .map_err(Failure::from)
}

fn format_of(headers: &HeaderMap) -> Result<Format, Failure> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Format::Json);
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "" | "application/json" | "text/json" | "text/plain" => Ok(Format::Json),
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => Ok(Format::Ndjson),
        other => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type {:?} is not supported: send application/json or application/x-ndjson",
                other.chars().take(60).collect::<String>()
            ),
        )),
    }
}

/// The key from `Authorization: Bearer …` or `X-API-Key`, if either is present.
fn key_from_headers(headers: &HeaderMap) -> Result<Option<&str>, Failure> {
    let bad_header = || {
        Failure::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "the API key header is not readable text",
        )
    };
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| bad_header())?.trim();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        if scheme.eq_ignore_ascii_case("bearer") {
            return Ok(Some(token.trim()));
        }
    }
    match headers.get("x-api-key") {
        Some(value) => Ok(Some(value.to_str().map_err(|_| bad_header())?.trim())),
        None => Ok(None),
    }
}

async fn authenticate(
    state: &AppState,
    key: &str,
) -> Result<app::backend::ingest::KeyOwner, Failure> {
    match state.ingest.keys.authenticate(&state.db, key).await {
        Ok(Some(owner)) => Ok(owner),
        Ok(None) => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "the API key is unknown or revoked",
        )),
        Err(error) => {
            tracing::error!(%error, "checking an API key failed");
            Err(Failure::unavailable(
                5,
                "the server cannot check keys right now: retry later",
            ))
        }
    }
}

/// An error answer: `{"error": {"code", "message", "index"?}}` with a status and, for 429
/// and 503, `Retry-After`.
struct Failure {
    status: StatusCode,
    code: &'static str,
    message: String,
    index: Option<Option<usize>>,
    retry_after: Option<u64>,
}

impl Failure {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Failure {
            status,
            code,
            message: message.into(),
            index: None,
            retry_after: None,
        }
    }

    fn unavailable(retry_after: u64, message: &str) -> Self {
        Failure {
            retry_after: Some(retry_after),
            ..Failure::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
        }
    }
}

impl From<BatchError> for Failure {
    fn from(e: BatchError) -> Self {
        let status = if e.code == "too_many_lines" {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        Failure {
            index: Some(e.index),
            ..Failure::new(status, e.code, e.message)
        }
    }
}

impl From<BodyError> for Failure {
    fn from(e: BodyError) -> Self {
        let (status, code) = match e {
            BodyError::TooLarge { .. } | BodyError::TooLargeDecompressed { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            BodyError::UnsupportedEncoding(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_encoding")
            }
            BodyError::Corrupt { .. } => (StatusCode::BAD_REQUEST, "invalid_encoding"),
            BodyError::Interrupted => (StatusCode::BAD_REQUEST, "body_interrupted"),
        };
        Failure::new(status, code, e.to_string())
    }
}

impl From<SubmitError> for Failure {
    fn from(e: SubmitError) -> Self {
        let message = e.to_string();
        match e {
            SubmitError::RateLimited { retry_after_secs } => Failure {
                retry_after: Some(retry_after_secs),
                ..Failure::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            },
            SubmitError::QueueFull { retry_after_secs } => Failure {
                code: "queue_full",
                ..Failure::unavailable(retry_after_secs, &message)
            },
            SubmitError::Unavailable => Failure::unavailable(5, &message),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(index) = self.index {
            error["index"] = index.map_or(Value::Null, Value::from);
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
