//! Who may reach what, checked before any page renders or server function runs:
//! - a dashboard page without a live session redirects to sign-in, which comes back after;
//! - a state-changing request from a browser on another origin is refused.
use app::{
    backend::{AppState, services::sessions},
    model::account::encode_query_value,
};
use axum::{
    Json,
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;

/// Pages that need a signed-in user.
const PROTECTED_PREFIXES: [&str; 4] = ["/dashboard", "/apps", "/settings", "/sdk/link"];

/// Machine-facing routes authenticated by keys or device codes, not cookies: no Origin check.
/// (`/sdk/device/complete` is not one of them: the approval page calls it with the session.)
const MACHINE_PREFIXES: [&str; 5] = [
    "/ingest",
    "/api/",
    "/v1/",
    "/sdk/device/start",
    "/sdk/device/poll",
];

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if is_state_changing(request.method())
        && !MACHINE_PREFIXES.iter().any(|p| path.starts_with(p))
        && is_cross_origin(&request, state.settings.public_origin())
    {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": {"code": "forbidden_origin",
                                  "message": "cross-origin requests are not allowed"}})),
        )
            .into_response();
    }
    if request.method() == Method::GET && is_protected(&path) {
        let token = sessions::token_from_headers(request.headers()).map(str::to_string);
        if !has_live_session(&state, token).await {
            let target = request
                .uri()
                .path_and_query()
                .map_or(path, |pq| pq.as_str().to_string());
            let login = format!("/login?next={}", encode_query_value(&target));
            return Redirect::to(&login).into_response();
        }
    }
    next.run(request).await
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Pages redirect to sign-in; the log view's data routes (`/apps/{id}/logs/…`) answer 401
/// JSON themselves, which an EventSource or a download can make sense of.
fn is_protected(path: &str) -> bool {
    if path.starts_with("/apps/") && path.contains("/logs/") {
        return false;
    }
    PROTECTED_PREFIXES.iter().any(|p| {
        path == *p
            || path
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// A browser request from a page of another origin: its `Origin` is neither the public URL's nor
/// the one the request was addressed to, or Fetch Metadata says cross-site. Requests without
/// these headers (curl, SDKs) carry no ambient cookies from other sites and pass.
fn is_cross_origin(request: &Request, public_origin: &str) -> bool {
    let headers = request.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin == public_origin {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let addressed = host.map(|h| {
        [format!("http://{h}"), format!("https://{h}")]
            .into_iter()
            .any(|o| o == origin)
    });
    !addressed.unwrap_or(false)
}

async fn has_live_session(state: &AppState, token: Option<String>) -> bool {
    let Some(token) = token else { return false };
    match sessions::resolve(&state.db, &token).await {
        Ok(user) => user.is_some(),
        Err(e) => {
            tracing::error!(error = %e, "session lookup failed");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_prefixes_match_whole_segments() {
        assert!(is_protected("/dashboard"));
        assert!(is_protected("/apps/3/settings"));
        assert!(!is_protected("/dashboards"));
        assert!(!is_protected("/"));
        assert!(!is_protected("/login"));
        assert!(!is_protected("/apps/3/logs/live"));
        assert!(is_protected("/sdk/link"));
        assert!(!is_protected("/sdk/device/poll"));
    }
}
