//! What server functions read from the request they run in.
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{HeaderValue, header, request::Parts};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::AppError;
use crate::backend::{AppState, entities::users, services::sessions};

pub fn state() -> AppState {
    expect_context::<AppState>()
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

pub fn header(name: header::HeaderName) -> Option<String> {
    parts()?
        .headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::to_string)
}

/// The session token the browser sent, if any (cookies may come in several headers).
pub fn session_token() -> Option<String> {
    sessions::token_from_headers(&parts()?.headers).map(str::to_string)
}

/// The client's per-IP rate-limit key (see `rate_limit::client_key`).
pub fn client_ip() -> String {
    let Some(parts) = parts() else {
        return "unknown".into();
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    crate::backend::rate_limit::client_key(&parts.headers, peer, state().settings.trust_proxy)
}

/// The signed-in user, if the session cookie is live.
pub async fn current_user() -> Result<Option<users::Model>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    Ok(sessions::resolve(&state().db, &token).await?)
}

/// The signed-in user, or 401.
pub async fn require_user() -> Result<users::Model, AppError> {
    current_user()
        .await?
        .ok_or_else(|| AppError::Unauthorized("Sign in to continue.".into()).with_status())
}

/// Adds a `Set-Cookie` header to the response.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}
