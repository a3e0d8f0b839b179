//! "Sign in with Google" (and GitHub) end to end, on both engines: Lodestar's router runs
//! in-process, the provider is a fake served on 127.0.0.1 that checks the client secret and the
//! PKCE verifier the way a real one does.
mod common;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use app::{
    backend::{
        entities::{identities, oauth_states, sessions as session_rows, users},
        secrets,
        services::{oauth::ProviderConfig, sessions, users as user_service},
        state::Settings,
        testing::TestDb,
    },
    on_both_databases,
};
use axum::{
    Form, Json, Router,
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, Request, StatusCode, Uri, header},
    response::{IntoResponse, Response},
    routing::{self, post},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, value::prelude::chrono},
};
use serde_json::{Value, json};
use tower::ServiceExt;

const PUBLIC_URL: &str = "http://127.0.0.1:3000";
const CLIENT_ID: &str = "test-client";
const CLIENT_SECRET: &str = "test-secret-never-logged";

// ---------------------------------------------------------------------------------------------
// The fake provider
// ---------------------------------------------------------------------------------------------

/// What `/authorize` was asked, remembered under the code it handed out.
struct Grant {
    challenge: String,
    redirect_uri: String,
}

/// The fake's memory, shared with the test.
#[derive(Default)]
struct Provider {
    grants: HashMap<String, Grant>,
    tokens: Vec<String>,
    /// `/userinfo`'s answer (for GitHub: `/user`'s).
    profile: Value,
    /// `/userinfo/emails` (GitHub's `/user/emails`).
    emails: Value,
    /// `/userinfo` answers 500 while set.
    userinfo_broken: bool,
    token_requests: usize,
    /// Why each refused token request was refused.
    token_refusals: Vec<String>,
    userinfo_user_agents: Vec<String>,
}

type Shared = Arc<Mutex<Provider>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Provider> {
    shared.lock().expect("the fake provider's lock")
}

fn fake_provider(shared: Shared) -> Router {
    Router::new()
        .route("/authorize", routing::get(fake_authorize))
        .route("/token", post(fake_token))
        .route("/userinfo", routing::get(fake_userinfo))
        .route("/userinfo/emails", routing::get(fake_emails))
        .with_state(shared)
}

/// Approves at once: back to `redirect_uri` with a fresh code and the same state.
async fn fake_authorize(
    State(shared): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let well_formed = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256");
    let (Some(challenge), Some(redirect_uri), Some(state), true) = (
        q.get("code_challenge"),
        q.get("redirect_uri"),
        q.get("state"),
        well_formed,
    ) else {
        return (StatusCode::BAD_REQUEST, "malformed authorization request").into_response();
    };
    let code = secrets::random_base62(20);
    lock(&shared).grants.insert(
        code.clone(),
        Grant {
            challenge: challenge.clone(),
            redirect_uri: redirect_uri.clone(),
        },
    );
    let location = format!("{redirect_uri}?code={code}&state={}", percent_encode(state));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// Checks the client, the code (once), the redirect URI and the PKCE verifier, like RFC 7636 §4.6.
async fn fake_token(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut provider = lock(&shared);
    provider.token_requests += 1;
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let grant = provider.grants.remove(field("code"));
    let refusal = match grant {
        _ if field("grant_type") != "authorization_code" => Some("grant_type"),
        _ if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET => {
            Some("invalid_client")
        }
        None => Some("unknown or used code"),
        Some(grant) if grant.redirect_uri != field("redirect_uri") => Some("redirect_uri"),
        Some(grant) if s256(field("code_verifier")) != grant.challenge => Some("code_verifier"),
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        provider.token_refusals.push(reason.to_string());
        let body = json!({"error": "invalid_grant", "error_description": reason});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    let token = secrets::random_base62(32);
    provider.tokens.push(token.clone());
    Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600})).into_response()
}

async fn fake_userinfo(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let mut provider = lock(&shared);
    if !bearer_is_known(&provider, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    provider
        .userinfo_user_agents
        .push(agent.unwrap_or_default().to_string());
    if provider.userinfo_broken {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Json(provider.profile.clone()).into_response()
}

async fn fake_emails(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let provider = lock(&shared);
    if !bearer_is_known(&provider, &headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    Json(provider.emails.clone()).into_response()
}

fn bearer_is_known(provider: &Provider, headers: &HeaderMap) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = given.and_then(|v| v.strip_prefix("Bearer "));
    token.is_some_and(|t| provider.tokens.iter().any(|known| known == t))
}

/// BASE64URL(SHA-256(verifier)) without padding: the S256 code challenge.
fn s256(verifier: &str) -> String {
    let digest = hex::decode(secrets::sha256_hex(verifier)).expect("hex digest");
    base64url(&digest)
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Lodestar, driven like a browser would
// ---------------------------------------------------------------------------------------------

struct Harness<'a> {
    test: &'a TestDb,
    lodestar: Router,
    provider: Router,
    shared: Shared,
    /// The browser's `lodestar_oauth_state` cookie, as the last start set it.
    state_cookie: Mutex<Option<String>>,
}

/// Lodestar with Google (and GitHub) pointed at a fake provider served on 127.0.0.1:0.
async fn harness(test: &TestDb) -> Harness<'_> {
    harness_with_secret(test, CLIENT_SECRET).await
}

async fn harness_with_secret<'a>(test: &'a TestDb, client_secret: &str) -> Harness<'a> {
    let shared = Shared::default();
    let provider = fake_provider(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, provider.clone()).into_future());
    let point_at_fake = |mut config: ProviderConfig| {
        config.authorize_url = format!("{base}/authorize");
        config.token_url = format!("{base}/token");
        config.userinfo_url = format!("{base}/userinfo");
        config
    };
    let settings = Settings {
        public_url: PUBLIC_URL.into(),
        secret: "s".repeat(64),
        oauth_providers: vec![
            point_at_fake(ProviderConfig::google(
                CLIENT_ID.into(),
                client_secret.into(),
            )),
            point_at_fake(ProviderConfig::github(
                CLIENT_ID.into(),
                client_secret.into(),
            )),
        ],
        trust_proxy: false,
        ingest: Default::default(),
        alerts: Default::default(),
        patterns: Default::default(),
    };
    let lodestar = common::router_with(test, settings);
    Harness {
        test,
        lodestar,
        provider,
        shared,
        state_cookie: Mutex::new(None),
    }
}

/// Status and headers of a GET on `router` (the body is not needed here).
async fn get(router: &Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    (response.status(), response.headers().clone())
}

fn location(headers: &HeaderMap) -> &str {
    headers[header::LOCATION].to_str().unwrap()
}

fn query_of(url: &str) -> HashMap<String, String> {
    let uri: Uri = url.parse().expect("a URL");
    Query::<HashMap<String, String>>::try_from_uri(&uri)
        .expect("a query string")
        .0
}

/// The path and query of `url` (to send an absolute URL to an in-process router).
fn path_of(url: &str) -> String {
    let uri: Uri = url.parse().expect("a URL");
    uri.path_and_query().expect("a path").to_string()
}

/// The session token a response's `Set-Cookie` hands out.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .find_map(|cookie| {
            let value = cookie.to_str().ok()?.strip_prefix("lodestar_session=")?;
            Some(value.split(';').next()?.to_string())
        })
}

impl Harness<'_> {
    fn provider(&self) -> MutexGuard<'_, Provider> {
        lock(&self.shared)
    }

    fn set_profile(&self, profile: Value) {
        self.provider().profile = profile;
    }

    /// `/auth/{provider}/start?next=…`: the authorize URL Lodestar sends the browser to.
    async fn start(&self, provider: &str, next: &str) -> String {
        let uri = format!("/auth/{provider}/start?next={}", percent_encode(next));
        let (status, headers) = get(&self.lodestar, &uri, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
        let cookie = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok());
        if let Some(cookie) = cookie.filter(|c| c.starts_with("lodestar_oauth_state=")) {
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("Path=/auth/"),
                "{cookie}"
            );
            let pair = cookie.split(';').next().unwrap().to_string();
            *self.state_cookie.lock().unwrap() = Some(pair);
        }
        location(&headers).to_string()
    }

    /// Starts a sign-in and lets the fake approve it: the callback path (with code and state)
    /// the browser would bring back to Lodestar.
    async fn authorized_callback(&self, provider: &str, next: &str) -> String {
        let authorize_url = self.start(provider, next).await;
        let (status, headers) = get(&self.provider, &path_of(&authorize_url), &[]).await;
        assert_eq!(
            status,
            StatusCode::FOUND,
            "the fake approves {authorize_url}"
        );
        let callback = location(&headers);
        assert!(callback.starts_with(&format!("{PUBLIC_URL}/auth/{provider}/callback?")));
        path_of(callback)
    }

    /// Brings a callback to Lodestar from the browser that started the sign-in (with its
    /// state cookie): status 303 asserted, headers answered.
    async fn callback(&self, path: &str, headers: &[(&str, &str)]) -> HeaderMap {
        let state_cookie = self.state_cookie.lock().unwrap().clone();
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        if let Some(cookie) = &state_cookie {
            all.push(("cookie", cookie));
        }
        self.callback_from_another_browser(path, &all).await
    }

    /// Brings a callback to Lodestar with exactly `headers`.
    async fn callback_from_another_browser(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> HeaderMap {
        let (status, headers) = get(&self.lodestar, path, headers).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        headers
    }

    /// The whole journey with Google, from a browser with `headers`.
    async fn sign_in(&self, next: &str, headers: &[(&str, &str)]) -> HeaderMap {
        let path = self.authorized_callback("google", next).await;
        self.callback(&path, headers).await
    }

    async fn user_behind(&self, headers: &HeaderMap) -> users::Model {
        let token = session_cookie(headers).expect("a session cookie");
        sessions::resolve(&self.test.db, &token)
            .await
            .unwrap()
            .expect("the cookie's session resolves")
    }

    async fn count_users(&self) -> u64 {
        users::Entity::find().count(&self.test.db).await.unwrap()
    }

    async fn count_identities(&self) -> u64 {
        identities::Entity::find()
            .count(&self.test.db)
            .await
            .unwrap()
    }

    async fn count_sessions(&self) -> u64 {
        session_rows::Entity::find()
            .count(&self.test.db)
            .await
            .unwrap()
    }
}

fn grace(verified: bool) -> Value {
    json!({
        "sub": "google-grace",
        "email": "Grace@Example.com",
        "email_verified": verified,
        "name": "Grace Hopper",
        "picture": "https://images.example/grace.png",
    })
}

/// Asserts a refused sign-in: to `/login?error={code}`, without a session cookie.
fn assert_refused(headers: &HeaderMap, code: &str) {
    assert_eq!(location(headers), format!("/login?error={code}"));
    assert_eq!(
        session_cookie(headers),
        None,
        "no session cookie on refusal"
    );
}

// ---------------------------------------------------------------------------------------------
// The journeys
// ---------------------------------------------------------------------------------------------

async fn a_first_sign_in_creates_the_user_identity_and_session(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));

    let authorize_url = h.start("google", "/apps/7?range=1h").await;
    let q = query_of(&authorize_url);
    assert!(authorize_url.starts_with("http://127.0.0.1:"));
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(
        q["redirect_uri"],
        format!("{PUBLIC_URL}/auth/google/callback")
    );
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    let state = &q["state"];
    assert!(state.len() >= 32, "a random state: {state}");
    assert!(!authorize_url.contains(CLIENT_SECRET));

    let row = oauth_states::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.state_sha256,
        secrets::sha256_hex(state),
        "only the digest is kept"
    );
    assert_eq!(row.provider, "google");
    assert_eq!(row.next_path, "/apps/7?range=1h");
    assert_eq!(s256(&row.pkce_verifier), q["code_challenge"]);
    assert_eq!((row.expires_at - row.created_at).num_minutes(), 10);

    let (_, approved) = get(&h.provider, &path_of(&authorize_url), &[]).await;
    let headers = h
        .callback(
            &path_of(location(&approved)),
            &[("user-agent", "e2e-browser/1.0")],
        )
        .await;
    assert_eq!(location(&headers), "/apps/7?range=1h");
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");

    let user = h.user_behind(&headers).await;
    assert_eq!(user.email, "grace@example.com");
    assert_eq!(user.name, "Grace Hopper");
    assert_eq!(
        user.avatar_url.as_deref(),
        Some("https://images.example/grace.png")
    );
    assert_eq!(user.password_hash, None);
    let identity = identities::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (identity.provider.as_str(), identity.subject.as_str()),
        ("google", "google-grace")
    );
    assert_eq!(identity.user_id, user.id);
    assert!(identity.email_verified);
    let session = session_rows::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.user_agent.as_deref(), Some("e2e-browser/1.0"));
    assert_eq!(
        oauth_states::Entity::find().count(&test.db).await.unwrap(),
        0,
        "used once"
    );
}

async fn a_returning_user_is_updated_from_the_profile(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));
    let first = h.user_behind(&h.sign_in("/dashboard", &[]).await).await;

    h.set_profile(json!({
        "sub": "google-grace", "email": "grace@example.com", "email_verified": true,
        "name": "Rear Admiral Grace Hopper", "picture": "https://images.example/new.png",
    }));
    let headers = h.sign_in("/dashboard", &[]).await;
    let again = h.user_behind(&headers).await;
    assert_eq!(again.id, first.id);
    assert_eq!(again.name, "Rear Admiral Grace Hopper");
    assert_eq!(
        again.avatar_url.as_deref(),
        Some("https://images.example/new.png")
    );
    assert_eq!((h.count_users().await, h.count_identities().await), (1, 1));
}

async fn a_verified_email_links_to_the_existing_password_account(test: &TestDb) {
    let h = harness(test).await;
    let account = user_service::create(
        &test.db,
        "grace@example.com",
        "correct horse battery",
        Some("G"),
    )
    .await
    .unwrap();
    // Whoever registered the address first (perhaps not its owner) has a live session.
    let squatter = sessions::create(&test.db, account.id, None).await.unwrap();
    h.set_profile(grace(true));

    let user = h.user_behind(&h.sign_in("/dashboard", &[]).await).await;
    assert_eq!(user.id, account.id);
    assert!(
        user.password_hash.is_none(),
        "the unverified password no longer signs in"
    );
    assert!(
        sessions::resolve(&test.db, &squatter.token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        user_service::authenticate(&test.db, "grace@example.com", "correct horse battery")
            .await
            .is_err()
    );
    let identity = identities::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.user_id, account.id);
    assert_eq!(h.count_users().await, 1);
}

async fn an_unverified_email_is_refused_and_changes_nothing(test: &TestDb) {
    let h = harness(test).await;
    let account = user_service::create(
        &test.db,
        "grace@example.com",
        "correct horse battery",
        Some("G"),
    )
    .await
    .unwrap();
    h.set_profile(grace(false));

    assert_refused(&h.sign_in("/dashboard", &[]).await, "oauth_unverified");
    assert_eq!(h.count_identities().await, 0);
    assert_eq!(h.count_sessions().await, 0);
    let unchanged = users::Entity::find_by_id(account.id)
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged, account);

    // Nor does an unverified new address claim an account, which its real owner would later
    // be linked into.
    h.set_profile(json!({"sub": "other", "email": "new@example.com", "email_verified": false}));
    assert_refused(&h.sign_in("/dashboard", &[]).await, "oauth_unverified");
    assert_eq!(h.count_identities().await, 0);
    let users = users::Entity::find().all(&test.db).await.unwrap();
    assert_eq!(users.len(), 1, "no account was created");
}

async fn bad_missing_reused_expired_and_foreign_states_are_refused(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));

    for path in [
        "/auth/google/callback",
        "/auth/google/callback?code=abc",
        "/auth/google/callback?code=abc&state=",
        "/auth/google/callback?code=abc&state=not-a-state-we-made",
    ] {
        assert_refused(&h.callback(path, &[]).await, "oauth_state");
    }

    let path = h.authorized_callback("google", "/dashboard").await;
    assert_eq!(location(&h.callback(&path, &[]).await), "/dashboard");
    assert_refused(&h.callback(&path, &[]).await, "oauth_state");

    let path = h.authorized_callback("google", "/dashboard").await;
    oauth_states::Entity::update_many()
        .col_expr(
            oauth_states::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(&test.db)
        .await
        .unwrap();
    assert_refused(&h.callback(&path, &[]).await, "oauth_state");

    let path = h.authorized_callback("google", "/dashboard").await;
    let foreign = path.replace("/auth/google/", "/auth/github/");
    assert_refused(&h.callback(&foreign, &[]).await, "oauth_state");
    assert_refused(&h.callback(&path, &[]).await, "oauth_state");

    assert_eq!(
        h.provider().token_requests,
        1,
        "no code is exchanged without a good state"
    );
    assert_eq!(h.count_sessions().await, 1);
}

async fn a_callback_replayed_in_another_browser_is_refused(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));
    // The attacker approves with their own account and sends the callback link to a victim.
    let path = h.authorized_callback("google", "/dashboard").await;
    let victim = h.callback_from_another_browser(&path, &[]).await;
    assert_refused(&victim, "oauth_state");
    let stolen = h
        .callback_from_another_browser(&path, &[("cookie", "lodestar_oauth_state=guess")])
        .await;
    assert_refused(&stolen, "oauth_state");
    assert_eq!((h.count_users().await, h.count_sessions().await), (0, 0));
}

async fn a_provider_error_shows_oauth_denied(test: &TestDb) {
    let h = harness(test).await;
    let authorize_url = h.start("google", "/dashboard").await;
    let state = percent_encode(&query_of(&authorize_url)["state"]);
    let path = format!("/auth/google/callback?error=access_denied&state={state}");

    assert_refused(&h.callback(&path, &[]).await, "oauth_denied");
    assert_eq!(h.provider().token_requests, 0);
    assert_eq!(
        oauth_states::Entity::find().count(&test.db).await.unwrap(),
        0
    );
    assert_refused(&h.callback(&path, &[]).await, "oauth_state");
}

async fn a_wrong_pkce_verifier_makes_the_flow_fail(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));
    let path = h.authorized_callback("google", "/dashboard").await;
    let other_verifier = secrets::random_base62(43);
    oauth_states::Entity::update_many()
        .col_expr(
            oauth_states::Column::PkceVerifier,
            Expr::value(other_verifier),
        )
        .exec(&test.db)
        .await
        .unwrap();

    assert_refused(&h.callback(&path, &[]).await, "oauth_failed");
    assert_eq!(h.provider().token_refusals, ["code_verifier"]);
    assert_eq!((h.count_users().await, h.count_sessions().await), (0, 0));
}

async fn a_wrong_client_secret_or_broken_userinfo_makes_the_flow_fail(test: &TestDb) {
    let h = harness_with_secret(test, "not-the-secret").await;
    h.set_profile(grace(true));
    assert_refused(&h.sign_in("/dashboard", &[]).await, "oauth_failed");
    assert_eq!(h.provider().token_refusals, ["invalid_client"]);

    let h = harness(test).await;
    h.set_profile(grace(true));
    h.provider().userinfo_broken = true;
    assert_refused(&h.sign_in("/dashboard", &[]).await, "oauth_failed");
    assert_eq!(h.count_users().await, 0);
}

async fn a_profile_without_email_is_refused(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(json!({"sub": "no-mail", "name": "Anonymous"}));
    assert_refused(&h.sign_in("/dashboard", &[]).await, "oauth_no_email");
    assert_eq!(h.count_users().await, 0);
}

async fn an_existing_session_is_revoked_at_sign_in(test: &TestDb) {
    let h = harness(test).await;
    let someone = user_service::create(
        &test.db,
        "someone@example.com",
        "correct horse battery",
        None,
    )
    .await
    .unwrap();
    let old = sessions::create(&test.db, someone.id, None)
        .await
        .unwrap()
        .token;
    h.set_profile(grace(true));

    let cookie = format!("theme=dark; lodestar_session={old}");
    let headers = h.sign_in("/dashboard", &[("cookie", &cookie)]).await;
    let new = session_cookie(&headers).expect("a new cookie");
    assert_ne!(new, old);
    assert!(
        sessions::resolve(&test.db, &old).await.unwrap().is_none(),
        "the old one is gone"
    );
    assert_eq!(h.user_behind(&headers).await.email, "grace@example.com");
    assert_eq!(h.count_sessions().await, 1);
}

async fn github_sign_in_uses_the_verified_primary_email_and_a_user_agent(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(
        json!({"id": 583231, "login": "octocat", "name": null, "email": null,
                         "avatar_url": "https://avatars.example/u/583231"}),
    );
    h.provider().emails = json!([
        {"email": "unverified@example.com", "primary": false, "verified": false},
        {"email": "Octo@Example.com", "primary": true, "verified": true},
    ]);

    let path = h.authorized_callback("github", "/dashboard").await;
    let headers = h.callback(&path, &[]).await;
    let user = h.user_behind(&headers).await;
    assert_eq!(
        (user.email.as_str(), user.name.as_str()),
        ("octo@example.com", "octocat")
    );
    let identity = identities::Entity::find()
        .filter(identities::Column::Provider.eq("github"))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(identity.subject, "583231");
    let agents = h.provider().userinfo_user_agents.clone();
    assert!(
        agents.iter().all(|a| a.starts_with("Lodestar/")),
        "{agents:?}"
    );
}

async fn unknown_providers_unsafe_next_paths_and_odd_input_never_500(test: &TestDb) {
    let h = harness(test).await;
    h.set_profile(grace(true));
    for path in [
        "/auth/nope/start",
        "/auth/nope/callback?code=a&state=b",
        "/auth/%FF/start",
    ] {
        assert_refused(&h.callback(path, &[]).await, "oauth_unknown");
    }
    for odd in [
        "/auth/google/callback?state=%FF%FE&code=x",
        "/auth/google/callback?state=a&state=b",
        "/auth/google/callback?code=%00&state=%0d%0a",
    ] {
        assert_refused(&h.callback(odd, &[]).await, "oauth_state");
    }
    for next in [
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example",
        "/a\r\nX: y",
    ] {
        let path = h.authorized_callback("google", next).await;
        assert_eq!(
            location(&h.callback(&path, &[]).await),
            "/dashboard",
            "{next:?}"
        );
    }
    let (status, headers) = get(&h.lodestar, "/auth/google/start", &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let state_rows = oauth_states::Entity::find()
        .filter(oauth_states::Column::NextPath.eq("/dashboard"))
        .count(&test.db)
        .await
        .unwrap();
    assert_eq!(state_rows, 1, "no next: {}", location(&headers));
}

async fn starting_deletes_expired_states(test: &TestDb) {
    let h = harness(test).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::hours(1);
    oauth_states::Entity::insert(oauth_states::ActiveModel {
        state_sha256: Set(secrets::sha256_hex("abandoned")),
        provider: Set("google".into()),
        pkce_verifier: Set(secrets::random_base62(43)),
        next_path: Set("/dashboard".into()),
        created_at: Set(long_ago),
        expires_at: Set(long_ago + chrono::Duration::minutes(10)),
        ..Default::default()
    })
    .exec(&test.db)
    .await
    .unwrap();
    h.start("google", "/dashboard").await;
    let left = oauth_states::Entity::find().all(&test.db).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].state_sha256, secrets::sha256_hex("abandoned"));
}

#[test]
fn the_fake_computes_s256_like_rfc_7636() {
    // RFC 7636, appendix B.
    assert_eq!(
        s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert_eq!(base64url(b"f"), "Zg");
    assert_eq!(base64url(b"fo"), "Zm8");
    assert_eq!(base64url(b"foo"), "Zm9v");
}

on_both_databases!(
    a_first_sign_in_creates_the_user_identity_and_session,
    a_returning_user_is_updated_from_the_profile,
    a_verified_email_links_to_the_existing_password_account,
    an_unverified_email_is_refused_and_changes_nothing,
    bad_missing_reused_expired_and_foreign_states_are_refused,
    a_provider_error_shows_oauth_denied,
    a_callback_replayed_in_another_browser_is_refused,
    a_wrong_pkce_verifier_makes_the_flow_fail,
    a_wrong_client_secret_or_broken_userinfo_makes_the_flow_fail,
    a_profile_without_email_is_refused,
    an_existing_session_is_revoked_at_sign_in,
    github_sign_in_uses_the_verified_primary_email_and_a_user_agent,
    unknown_providers_unsafe_next_paths_and_odd_input_never_500,
    starting_deletes_expired_states,
);
