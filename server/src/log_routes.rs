//! What the log view's plain routes (live stream, export) share: the signed-in owner's
//! selection from the query string, checked strictly, and JSON errors with their status.
use std::collections::HashMap;

use app::{
    backend::{
        AppState, ServiceError,
        services::{logs, sessions},
    },
    model::{
        logs::{LogSearch, Period, Range},
        query::parse_rfc3339,
    },
};
use axum::{
    Json,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// A JSON error answer: `{"error":{"code","message"}}` with its status.
#[derive(Debug)]
pub struct RouteError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RouteError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        RouteError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        RouteError::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<ServiceError> for RouteError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(_) | ServiceError::Forbidden => {
                RouteError::new(StatusCode::NOT_FOUND, "not_found", "no such app")
            }
            ServiceError::Invalid { field, message } => RouteError::bad_request(
                match field {
                    "q" => "invalid_query",
                    "range" => "invalid_range",
                    _ => "invalid_parameter",
                },
                format!("{field}: {message}"),
            ),
            ServiceError::Unauthorized(message) => {
                RouteError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            }
            ServiceError::RateLimited { retry_after_secs } => RouteError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("try again in {retry_after_secs} seconds"),
            ),
            ServiceError::Conflict(message) => {
                RouteError::new(StatusCode::CONFLICT, "conflict", message)
            }
            ServiceError::Db(e) => {
                tracing::error!(error = %e, "database error in a log route");
                RouteError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side",
                )
            }
        }
    }
}

impl From<sea_orm::DbErr> for RouteError {
    fn from(error: sea_orm::DbErr) -> Self {
        ServiceError::Db(error).into()
    }
}

/// The signed-in user's checked view of app `app_id` from the query string
/// (`q`, `statsPeriod` or `start` + `end`, `environment`), with the search it came from.
pub async fn selection(
    state: &AppState,
    headers: &HeaderMap,
    app_id: &str,
    params: &HashMap<String, String>,
) -> Result<(logs::Selection, LogSearch), RouteError> {
    let token = sessions::token_from_headers(headers).ok_or_else(signed_out)?;
    let user = sessions::resolve(&state.db, token)
        .await?
        .ok_or_else(signed_out)?;
    // Not a number cannot be one of the user's apps: the same 404 as another user's app.
    let app_id: i64 = app_id.parse().map_err(|_| ServiceError::Forbidden)?;
    let search = search_from(params)?;
    let now_us = chrono::Utc::now().timestamp_micros();
    let selection = logs::select(&state.db, user.id, app_id, &search, now_us).await?;
    Ok((selection, search))
}

fn signed_out() -> RouteError {
    RouteError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign in to read this app's lines",
    )
}

/// Reads the view's parameters, refusing (rather than defaulting) what does not read.
pub fn search_from(params: &HashMap<String, String>) -> Result<LogSearch, RouteError> {
    let time = |name: &str| -> Result<Option<i64>, RouteError> {
        params
            .get(name)
            .map(|text| {
                parse_rfc3339(text).ok_or_else(|| {
                    RouteError::bad_request(
                        "invalid_range",
                        format!("{name} must be an RFC 3339 time such as 2026-01-31T12:00:00Z"),
                    )
                })
            })
            .transpose()
    };
    let range = match (time("start")?, time("end")?, params.get("statsPeriod")) {
        (Some(start_us), Some(end_us), None) => Range::Between { start_us, end_us },
        (None, None, Some(period)) => Range::Last(Period::parse(period).ok_or_else(|| {
            let all: Vec<_> = Period::ALL.iter().map(|p| p.as_str()).collect();
            RouteError::bad_request(
                "invalid_range",
                format!("statsPeriod must be one of {}", all.join(", ")),
            )
        })?),
        (None, None, None) => Range::default(),
        _ => {
            return Err(RouteError::bad_request(
                "invalid_range",
                "give either statsPeriod, or both start and end",
            ));
        }
    };
    Ok(LogSearch {
        q: params.get("q").cloned().unwrap_or_default(),
        range,
        environment: params.get("environment").cloned().filter(|e| !e.is_empty()),
    })
}
