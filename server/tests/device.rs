//! The CLI device flow through the real router, on both engines, with the clock held still:
//! every answer of start and poll, approval and denial from the link page, single use, expiry,
//! the per-IP limit, and that nobody approves into someone else's app.
mod common;

use app::{
    backend::{
        AppState,
        clock::Clock,
        entities::{api_keys, apps, device_sessions},
        secrets::sha256_hex,
        services::device,
        testing::TestDb,
    },
    model::account::encode_query_value,
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{Duration, Utc};
use common::{Answer, ORIGIN, call, page, send, settings, sign_up, state_with};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

struct Flow {
    router: Router,
    state: AppState,
}

impl Flow {
    fn new(test: &TestDb) -> Self {
        let mut state = state_with(test, settings());
        state.clock = Clock::fixed(Utc::now());
        Flow {
            router: server::router::build(state.clone()),
            state,
        }
    }

    fn wait(&self, seconds: i64) {
        self.state.clock.advance(Duration::seconds(seconds));
    }

    async fn start(&self, body: &str) -> Answer {
        let request = Request::post("/sdk/device/start")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send(&self.router, request).await
    }

    /// Starts a request and returns (device code, user code).
    async fn started(&self, app_name: &str) -> (String, String) {
        let answer = self
            .start(&json!({"app_name": app_name, "client_name": "ada@laptop"}).to_string())
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let body = answer.json();
        (
            body["device_code"].as_str().unwrap().to_string(),
            body["user_code"].as_str().unwrap().to_string(),
        )
    }

    async fn poll(&self, device_code: &str) -> Answer {
        let path = format!(
            "/sdk/device/poll?device_code={}",
            encode_query_value(device_code)
        );
        send(
            &self.router,
            Request::get(path).body(Body::empty()).unwrap(),
        )
        .await
    }

    /// The poll's OAuth error code, asserting a 400.
    async fn poll_error(&self, device_code: &str) -> String {
        let answer = self.poll(device_code).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        answer.json()["error"].as_str().unwrap().to_string()
    }

    /// What the link page posts: `POST /sdk/device/complete` with the session cookie.
    async fn complete(&self, token: Option<&str>, form: &[(&str, &str)]) -> Answer {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::post("/sdk/device/complete")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN);
        if let Some(token) = token {
            request = request.header(header::COOKIE, format!("lodestar_session={token}"));
        }
        send(&self.router, request.body(Body::from(body)).unwrap()).await
    }

    /// The page's approval into a new app named `app_name`.
    async fn approve_new(&self, token: &str, user_code: &str, app_name: &str) -> Answer {
        let form = [
            ("user_code", user_code),
            ("decision", "approve"),
            ("app_name", app_name),
        ];
        self.complete(Some(token), &form).await
    }

    async fn request_view(&self, token: &str, user_code: &str) -> Answer {
        call(
            &self.router,
            "device/request",
            &[("user_code", user_code)],
            Some(token),
        )
        .await
    }

    async fn ingest_with(&self, key: &str) -> StatusCode {
        let request = Request::post("/ingest")
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"logs":[{"message":"hello from the CLI"}]}"#))
            .unwrap();
        send(&self.router, request).await.status
    }
}

async fn create_app(router: &Router, token: &str, name: &str) -> i64 {
    let answer = call(
        router,
        "apps/create",
        &[("name", name), ("description", "")],
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["app"]["id"].as_i64().unwrap()
}

async fn a_terminal_is_approved_into_a_new_app_and_gets_its_key_once(test: &TestDb) {
    let flow = Flow::new(test);
    let answer = flow
        .start(r#"{"app_name": "shop", "client_name": "ada@laptop"}"#)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let started = answer.json();
    let device_code = started["device_code"].as_str().unwrap().to_string();
    let user_code = started["user_code"].as_str().unwrap().to_string();
    assert_eq!(
        device::normalise_user_code(&user_code).as_deref(),
        Some(user_code.as_str())
    );
    assert_eq!(started["verification_uri"], format!("{ORIGIN}/sdk/link"));
    assert_eq!(
        started["verification_uri_complete"],
        format!("{ORIGIN}/sdk/link?code={user_code}")
    );
    assert_eq!(started["expires_in"], 600);
    assert_eq!(started["interval"], 2);
    // Only the digest of the device code is stored.
    let row = device_sessions::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.device_code_sha256, sha256_hex(&device_code));
    assert_eq!(row.app_name.as_deref(), Some("shop"));

    // Waiting, then polling too fast: the interval grows by 5 s and must be kept.
    assert_eq!(flow.poll_error(&device_code).await, "authorization_pending");
    flow.wait(1);
    let fast = flow.poll(&device_code).await;
    assert_eq!(fast.status, StatusCode::BAD_REQUEST);
    assert_eq!(fast.json()["error"], "slow_down");
    assert_eq!(fast.json()["interval"], 7);
    flow.wait(7);
    assert_eq!(flow.poll_error(&device_code).await, "authorization_pending");

    // The link page shows the request to the signed-in user, then approves it.
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let view = flow.request_view(&ada, &user_code.to_lowercase()).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let view = view.json();
    assert_eq!(view["state"], "Pending");
    assert_eq!(view["client_name"], "ada@laptop");
    assert_eq!(view["app_name"], "shop");
    let approved = flow.approve_new(&ada, &user_code, "shop").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.json()["app"]["name"], "shop");
    let app_id = approved.json()["app"]["id"].as_i64().unwrap();
    // Nothing secret waits in the row: the key is made when the terminal picks it up.
    assert_eq!(api_keys::Entity::find().count(&test.db).await.unwrap(), 0);

    flow.wait(7);
    let done = flow.poll(&device_code).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.headers[header::CACHE_CONTROL], "no-store");
    let done = done.json();
    assert_eq!(done["status"], "complete");
    assert_eq!(done["app_id"], app_id);
    assert_eq!(done["app_name"], "shop");
    assert_eq!(done["url"], ORIGIN);
    let key = done["api_key"].as_str().unwrap().to_string();
    assert!(key.starts_with("sk_"), "{key}");
    assert!(
        done["dsn"]
            .as_str()
            .unwrap()
            .ends_with(&format!("@127.0.0.1:3000/{app_id}"))
    );
    let stored = api_keys::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.app_id, stored.key_sha256.as_str()),
        (app_id, sha256_hex(&key).as_str())
    );
    assert_eq!(stored.name, "lodestar init (ada@laptop)");
    assert_eq!(flow.ingest_with(&key).await, StatusCode::OK);

    // Once: the next poll, the page and a second approval all say it was used.
    flow.wait(7);
    assert_eq!(flow.poll_error(&device_code).await, "invalid_grant");
    assert_eq!(api_keys::Entity::find().count(&test.db).await.unwrap(), 1);
    let view = flow.request_view(&ada, &user_code).await;
    assert_eq!(view.json()["state"], "Used");
    let again = flow.approve_new(&ada, &user_code, "shop2").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(again.json()["Invalid"]["field"], "user_code");
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 1);
}

async fn a_denied_request_tells_the_terminal_and_creates_nothing(test: &TestDb) {
    let flow = Flow::new(test);
    let (device_code, user_code) = flow.started("shop").await;
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let denied = flow
        .complete(
            Some(&ada),
            &[("user_code", &user_code), ("decision", "deny")],
        )
        .await;
    assert_eq!(denied.status, StatusCode::OK, "{}", denied.body);
    assert_eq!(denied.json()["app"], Value::Null);
    assert_eq!(flow.poll_error(&device_code).await, "access_denied");
    flow.wait(3);
    assert_eq!(flow.poll_error(&device_code).await, "access_denied");
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 0);
    assert_eq!(api_keys::Entity::find().count(&test.db).await.unwrap(), 0);
    assert_eq!(
        flow.request_view(&ada, &user_code).await.json()["state"],
        "Denied"
    );
}

async fn requests_expire_after_ten_minutes_and_are_cleaned_up(test: &TestDb) {
    let flow = Flow::new(test);
    let (device_code, user_code) = flow.started("shop").await;
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    flow.wait(599);
    assert_eq!(flow.poll_error(&device_code).await, "authorization_pending");
    flow.wait(1);
    assert_eq!(
        flow.request_view(&ada, &user_code).await.json()["state"],
        "Expired"
    );
    let late = flow.approve_new(&ada, &user_code, "shop").await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST, "{}", late.body);
    assert!(late.body.contains("expired"), "{}", late.body);
    assert_eq!(flow.poll_error(&device_code).await, "expired_token");
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 0);

    // An approved request the terminal never picked up expires too.
    let (late_code, late_user_code) = flow.started("api").await;
    let approved = flow.approve_new(&ada, &late_user_code, "api").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    flow.wait(600);
    assert_eq!(flow.poll_error(&late_code).await, "expired_token");
    assert_eq!(api_keys::Entity::find().count(&test.db).await.unwrap(), 0);

    // An hour after expiry the rows go; the codes are then unknown.
    let now = flow.state.clock.now();
    assert_eq!(device::purge_expired(&test.db, now).await.unwrap(), 0);
    assert_eq!(
        device::purge_expired(&test.db, now + Duration::minutes(61))
            .await
            .unwrap(),
        2
    );
    assert_eq!(flow.poll_error(&device_code).await, "invalid_grant");
}

async fn nobody_approves_into_another_users_app(test: &TestDb) {
    let flow = Flow::new(test);
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let bob = sign_up(&flow.router, "Bob", "bob@example.com").await;
    let adas_app = create_app(&flow.router, &ada, "checkout").await;
    let keys_before = api_keys::Entity::find().count(&test.db).await.unwrap();
    let (device_code, user_code) = flow.started("checkout").await;

    // Bob's view of the request lists his apps only; approving into Ada's app is not found.
    let bobs_view = flow.request_view(&bob, &user_code).await.json();
    assert_eq!(bobs_view["apps"], json!([]));
    let stolen = flow
        .complete(
            Some(&bob),
            &[
                ("user_code", &user_code),
                ("decision", "approve"),
                ("app_id", &adas_app.to_string()),
            ],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND, "{}", stolen.body);
    assert_eq!(flow.poll_error(&device_code).await, "authorization_pending");
    let row = device_sessions::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.user_id, row.app_id),
        ("pending", None, None)
    );

    // Ada approves into her existing app: the key is a new one of that app.
    let adas_view = flow.request_view(&ada, &user_code).await.json();
    assert_eq!(
        adas_view["apps"],
        json!([{"id": adas_app, "name": "checkout"}])
    );
    let approved = flow
        .complete(
            Some(&ada),
            &[
                ("user_code", &user_code),
                ("decision", "approve"),
                ("app_id", &adas_app.to_string()),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    flow.wait(3);
    let done = flow.poll(&device_code).await.json();
    assert_eq!(done["app_id"], adas_app);
    let keys = api_keys::Entity::find()
        .filter(api_keys::Column::AppId.eq(adas_app))
        .count(&test.db)
        .await
        .unwrap();
    assert_eq!(keys, keys_before + 1);
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 1);
}

async fn two_polls_racing_get_one_key(test: &TestDb) {
    let flow = Flow::new(test);
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let (device_code, user_code) = flow.started("shop").await;
    let approved = flow.approve_new(&ada, &user_code, "shop").await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    let (a, b) = tokio::join!(flow.poll(&device_code), flow.poll(&device_code));
    let complete = [&a, &b]
        .iter()
        .filter(|answer| answer.status == StatusCode::OK)
        .count();
    assert_eq!(complete, 1, "{} / {}", a.body, b.body);
    assert_eq!(api_keys::Entity::find().count(&test.db).await.unwrap(), 1);
}

async fn bad_requests_get_clear_answers(test: &TestDb) {
    let flow = Flow::new(test);
    for body in ["{", r#"{"app_name": 7}"#, r#"["shop"]"#, r#"{"app": "x"}"#] {
        let answer = flow.start(body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.body
        );
        assert_eq!(answer.json()["error"], "invalid_request", "{body}");
    }
    let long = flow
        .start(&json!({ "app_name": "x".repeat(65) }).to_string())
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST);
    assert!(
        long.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("app_name")
            || long.body.contains("name")
    );
    let control = flow
        .start(&json!({ "client_name": "evil\u{1b}[2J" }).to_string())
        .await;
    assert_eq!(control.status, StatusCode::BAD_REQUEST);
    // An empty body is a request without names.
    assert_eq!(flow.start("").await.status, StatusCode::OK);

    let missing = send(
        &flow.router,
        Request::get("/sdk/device/poll")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.json()["error"], "invalid_request");
    assert_eq!(flow.poll_error("not-a-code").await, "invalid_grant");
    assert_eq!(flow.poll_error(&"x".repeat(500)).await, "invalid_grant");

    let (_, user_code) = flow.started("shop").await;
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let form = [
        ("user_code", user_code.as_str()),
        ("decision", "approve"),
        ("app_name", "shop"),
    ];
    assert_eq!(
        flow.complete(None, &form).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = flow
        .complete(
            Some(&ada),
            &[("user_code", "BCDF-GHJK"), ("decision", "deny")],
        )
        .await;
    // A random code could exist: only assert when it does not.
    if user_code != "BCDF-GHJK" {
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    }
    let bogus = flow
        .complete(
            Some(&ada),
            &[("user_code", &user_code), ("decision", "maybe")],
        )
        .await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
    assert_eq!(bogus.json()["Invalid"]["field"], "decision");
    let unnamed = flow
        .complete(
            Some(&ada),
            &[("user_code", &user_code), ("decision", "approve")],
        )
        .await;
    assert_eq!(unnamed.json()["Invalid"]["field"], "app_name");
    let bad_id = flow
        .complete(
            Some(&ada),
            &[
                ("user_code", &user_code),
                ("decision", "approve"),
                ("app_id", "abc"),
            ],
        )
        .await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST, "{}", bad_id.body);

    // The approval rides on the session cookie, so another site's page cannot post it.
    let body = format!("user_code={user_code}&decision=approve&app_name=shop");
    let cross = Request::post("/sdk/device/complete")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("lodestar_session={ada}"))
        .body(Body::from(body))
        .unwrap();
    assert_eq!(
        send(&flow.router, cross).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 0);
}

async fn starts_are_limited_per_address(test: &TestDb) {
    let flow = Flow::new(test);
    for i in 0..20 {
        assert_eq!(flow.start("{}").await.status, StatusCode::OK, "start {i}");
    }
    let limited = flow.start("{}").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["error"], "rate_limited");
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(
        device_sessions::Entity::find()
            .count(&test.db)
            .await
            .unwrap(),
        20
    );
}

async fn the_link_page_signs_in_first_and_shows_the_code(test: &TestDb) {
    let flow = Flow::new(test);
    let (_, user_code) = flow.started("shop").await;
    let path = format!("/sdk/link?code={user_code}");
    let anonymous = page(&flow.router, &path, None).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anonymous.headers[header::LOCATION],
        format!("/login?next={}", encode_query_value(&path)).as_str()
    );
    let ada = sign_up(&flow.router, "Ada", "ada@example.com").await;
    let shown = page(&flow.router, &path, Some(&ada)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains(&user_code),
        "the page shows the code to compare"
    );
    assert!(shown.body.contains("ada@laptop"));
}

on_both_databases!(
    a_terminal_is_approved_into_a_new_app_and_gets_its_key_once,
    a_denied_request_tells_the_terminal_and_creates_nothing,
    requests_expire_after_ten_minutes_and_are_cleaned_up,
    nobody_approves_into_another_users_app,
    two_polls_racing_get_one_key,
    bad_requests_get_clear_answers,
    starts_are_limited_per_address,
    the_link_page_signs_in_first_and_shows_the_code,
);
