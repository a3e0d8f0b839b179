//! `/auth/{provider}/start` and `/auth/{provider}/callback`: sign-in through OAuth2/OIDC.
//!
//! Both answer `303 See Other` whatever the input: to the provider, to the page the user was
//! going to (with the session cookie), or to `/login?error=oauth_…`. The rules live in
//! `app::backend::services::oauth`.
use app::backend::{
    AppState, rate_limit,
    services::{
        oauth::{self, CallbackParams, OAuthError, SignInRequest},
        sessions,
    },
};
use axum::{
    Router,
    extract::{ConnectInfo, Path, Query, State, rejection::ExtensionRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use std::net::SocketAddr;

/// The sign-in routes, merged into the main router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/{provider}/start", get(start))
        .route("/auth/{provider}/callback", get(callback))
}

#[derive(Debug, Default, Deserialize)]
struct StartParams {
    next: Option<String>,
}

/// Sends the browser to the provider's authorize page; `?next=` is where it lands afterwards.
/// Each start stores a short-lived row, so starts count against the per-IP sign-in limit.
async fn start(
    State(state): State<AppState>,
    peer: Result<ConnectInfo<SocketAddr>, ExtensionRejection>,
    headers: HeaderMap,
    provider: Result<Path<String>, axum::extract::rejection::PathRejection>,
    params: Result<Query<StartParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let peer = peer.ok().map(|ConnectInfo(addr)| addr);
    let ip = rate_limit::client_key(&headers, peer, state.settings.trust_proxy);
    if let Err(retry_after_secs) = state.auth_limits.per_ip.hit(&ip) {
        let mut response = see_other("/login?error=rate_limited");
        if let Ok(value) = HeaderValue::try_from(retry_after_secs.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let provider = provider.map(|Path(p)| p).unwrap_or_default();
    let next = params.ok().and_then(|Query(p)| p.next);
    match oauth::start(&state.db, &state.settings, &provider, next.as_deref()).await {
        Ok(started) => {
            let cookie = oauth::state_cookie(Some(&started.state), state.settings.secure_cookies());
            with_cookie(see_other(&started.authorize_url), &cookie)
        }
        Err(err) => refused(&provider, "start", &err),
    }
}

/// Where the provider sends the browser back: signs in and lands on the stored path.
async fn callback(
    State(state): State<AppState>,
    provider: Result<Path<String>, axum::extract::rejection::PathRejection>,
    params: Result<Query<CallbackParams>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let provider = provider.map(|Path(p)| p).unwrap_or_default();
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let request = SignInRequest {
        old_session: sessions::token_from_headers(&headers),
        browser_state: sessions::cookie_from_headers(&headers, oauth::STATE_COOKIE),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    };
    let secure = state.settings.secure_cookies();
    let response =
        match oauth::finish(&state.db, &state.settings, &provider, &params, request).await {
            Ok(signed_in) => with_cookie(
                see_other(&signed_in.next_path),
                &sessions::cookie(&signed_in.session.token, secure),
            ),
            Err(err) => refused(&provider, "callback", &err),
        };
    // The state is used up either way.
    with_cookie(response, &oauth::state_cookie(None, secure))
}

/// Adds a `Set-Cookie` header.
fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::try_from(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Logs why a sign-in stopped (never with codes or tokens) and sends the browser to the
/// sign-in page with the error's code.
fn refused(provider: &str, step: &'static str, err: &OAuthError) -> Response {
    if err.is_failure() {
        tracing::warn!(provider = ?provider, step, reason = %err, "OAuth sign-in failed");
    } else {
        tracing::info!(provider = ?provider, step, reason = %err, "OAuth sign-in refused");
    }
    see_other(&format!("/login?error={}", err.code()))
}

/// `303 See Other` to `location`, never cached. A location that cannot be a header (never
/// expected: paths are checked, URLs encoded) becomes the generic failure page.
fn see_other(location: &str) -> Response {
    let location = HeaderValue::try_from(location)
        .unwrap_or(HeaderValue::from_static("/login?error=oauth_failed"));
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}
