//! What the log view's plain routes (live stream, export) share: the signed-in owner's
//! selection from the query string, checked strictly (errors are `ApiError`s).
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
use axum::http::{HeaderMap, StatusCode};

use crate::api_error::ApiError;

/// The signed-in user's checked view of app `app_id` from the query string
/// (`q`, `statsPeriod` or `start` + `end`, `environment`), with the search it came from.
pub async fn selection(
    state: &AppState,
    headers: &HeaderMap,
    app_id: &str,
    params: &HashMap<String, String>,
) -> Result<(logs::Selection, LogSearch), ApiError> {
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

fn signed_out() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "sign in to read this app's lines",
    )
}

/// Reads the view's parameters, refusing (rather than defaulting) what does not read.
pub fn search_from(params: &HashMap<String, String>) -> Result<LogSearch, ApiError> {
    let time = |name: &str| -> Result<Option<i64>, ApiError> {
        params
            .get(name)
            .map(|text| {
                parse_rfc3339(text).ok_or_else(|| {
                    ApiError::bad_request(
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
            ApiError::bad_request(
                "invalid_range",
                format!("statsPeriod must be one of {}", all.join(", ")),
            )
        })?),
        (None, None, None) => Range::default(),
        _ => {
            return Err(ApiError::bad_request(
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
