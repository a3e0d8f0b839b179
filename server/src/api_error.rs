//! The one error answer of machine-facing routes (`/ingest`, the log routes, the Sentry
//! envelopes): `{"error": {"code", "message", "index"?}}` with an explicit status, and
//! `Retry-After` (plus any protocol headers) when the client should come back later.
//! Internal details go to the server log, never into the answer.
use app::backend::{
    ServiceError,
    ingest::{BatchError, SubmitError},
};
use axum::{
    Json,
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

use crate::body::BodyError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `Some(index)` answers `"index"` (a batch's bad line, `null` for the whole batch).
    pub index: Option<Option<usize>>,
    pub retry_after: Option<u64>,
    /// Protocol headers (like `X-Sentry-Rate-Limits`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            index: None,
            retry_after: None,
            headers: Vec::new(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 503: the server cannot take the request now; retry in `retry_after` seconds.
    pub fn unavailable(retry_after: u64, message: impl Into<String>) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
        }
    }

    /// A database failure: logged here with `context`, answered as a plain 500.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(index) = self.index {
            error["index"] = index.map_or(Value::Null, Value::from);
        }
        let mut response = (self.status, Json(json!({ "error": error }))).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(what) => {
                let what = what.split(' ').next().unwrap_or("").to_string();
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("no such {what}"),
                )
            }
            ServiceError::Forbidden => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", "not found")
            }
            ServiceError::Invalid { field, message } => ApiError::bad_request(
                match field {
                    "q" => "invalid_query",
                    "range" => "invalid_range",
                    _ => "invalid_parameter",
                },
                format!("{field}: {message}"),
            ),
            ServiceError::Unauthorized(message) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            }
            ServiceError::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("try again in {retry_after_secs} seconds"),
                )
            },
            ServiceError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
            }
            ServiceError::Db(e) => ApiError::internal("database error in a route", e),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ServiceError::Db(error).into()
    }
}

impl From<BatchError> for ApiError {
    fn from(e: BatchError) -> Self {
        let status = if e.code == "too_many_lines" {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError {
            index: Some(e.index),
            ..ApiError::new(status, e.code, e.message)
        }
    }
}

impl From<BodyError> for ApiError {
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
        ApiError::new(status, code, e.to_string())
    }
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        let message = e.to_string();
        match e {
            SubmitError::RateLimited { retry_after_secs } => ApiError {
                retry_after: Some(retry_after_secs),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            },
            SubmitError::QueueFull { retry_after_secs } => ApiError {
                code: "queue_full",
                ..ApiError::unavailable(retry_after_secs, message)
            },
            SubmitError::Unavailable => ApiError::unavailable(5, message),
        }
    }
}
