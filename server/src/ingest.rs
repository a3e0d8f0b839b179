//! `POST /ingest`: the SDKs' own batch format (docs/ingest.md). Every answer is JSON with an
//! explicit status; a 200 means the lines are committed.
use app::backend::{AppState, ingest::batch};
use axum::{
    Json, Router,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::json;

use crate::{
    api_error::ApiError,
    body::{self, Encoding},
};

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
) -> Result<usize, ApiError> {
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
            ApiError::new(
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
        .map_err(ApiError::from)
}

fn format_of(headers: &HeaderMap) -> Result<Format, ApiError> {
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
        other => Err(ApiError::new(
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
fn key_from_headers(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let bad_header = || {
        ApiError::new(
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
) -> Result<app::backend::ingest::KeyOwner, ApiError> {
    match state.ingest.keys.authenticate(&state.db, key).await {
        Ok(Some(owner)) => Ok(owner),
        Ok(None) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "the API key is unknown or revoked",
        )),
        Err(error) => {
            tracing::error!(%error, "checking an API key failed");
            Err(ApiError::unavailable(
                5,
                "the server cannot check keys right now: retry later",
            ))
        }
    }
}
