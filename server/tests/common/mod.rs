//! What the in-process router tests share: a router over a test database, and requests made
//! the way the browser makes them.
#![allow(dead_code)] // each test file uses its own subset

use app::backend::{AppState, state::Settings, testing::TestDb};
use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

pub const ORIGIN: &str = "http://127.0.0.1:3000";
pub const PASSWORD: &str = "correct horse battery";

pub fn settings() -> Settings {
    Settings {
        public_url: ORIGIN.into(),
        secret: "s".repeat(64),
        oauth_providers: Vec::new(),
        trust_proxy: false,
        ingest: Default::default(),
        alerts: Default::default(),
        patterns: Default::default(),
    }
}

pub fn router(test: &TestDb) -> Router {
    router_with(test, settings())
}

pub fn router_with(test: &TestDb, settings: Settings) -> Router {
    server::router::build(state_with(test, settings))
}

pub fn state_with(test: &TestDb, settings: Settings) -> AppState {
    AppState::new(
        LeptosOptions::builder().output_name("lodestar").build(),
        test.db.clone(),
        settings,
    )
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The session token this answer hands to the browser, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .find_map(|v| {
                let v = v.to_str().ok()?;
                let token = v.strip_prefix("lodestar_session=")?.split(';').next()?;
                (!token.is_empty()).then(|| token.to_string())
            })
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = String::from_utf8_lossy(&body.collect().await.unwrap().to_bytes()).into_owned();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}

/// A server function call (`auth/sign_in`, `apps/create`…) as the page's form makes it.
pub async fn call(
    router: &Router,
    function: &str,
    form: &[(&str, &str)],
    token: Option<&str>,
) -> Answer {
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", app::model::account::encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut request = Request::post(format!("/app/{function}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN);
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("lodestar_session={token}"));
    }
    send(router, request.body(Body::from(body)).unwrap()).await
}

/// A page as a browser loads it.
pub async fn page(router: &Router, path: &str, token: Option<&str>) -> Answer {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("other=1; lodestar_session={token}"));
    }
    send(router, request.body(Body::empty()).unwrap()).await
}

/// Signs a new account up and returns its session token.
pub async fn sign_up(router: &Router, name: &str, email: &str) -> String {
    let answer = call(
        router,
        "auth/sign_up",
        &[
            ("name", name),
            ("email", email),
            ("password", PASSWORD),
            ("next", "/dashboard"),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.session_cookie().expect("sign-up signs in")
}

/// A port nobody listens on now, for a server the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
