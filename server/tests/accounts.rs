//! Email + password accounts and sessions through the real router, on both engines: the
//! server functions the pages call, the page guard and the Origin check.
mod common;

use app::{
    backend::{
        entities::sessions as session_rows,
        services::{sessions, users},
        testing::TestDb,
    },
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{Duration, Utc};
use common::{Answer, PASSWORD, call, page, router, router_with, send, settings, sign_up};
use sea_orm::EntityTrait;

async fn sign_in(router: &Router, email: &str, password: &str, token: Option<&str>) -> Answer {
    call(
        router,
        "auth/sign_in",
        &[("email", email), ("password", password)],
        token,
    )
    .await
}

async fn sign_up_sign_out_and_sign_in_again(test: &TestDb) {
    let router = router(test);
    let token = sign_up(&router, "Ada Lovelace", "Ada@Example.com").await;

    let malformed = call(&router, "auth/sign_up", &[], None).await; // no fields at all
    assert_eq!(
        malformed.status,
        StatusCode::BAD_REQUEST,
        "{}",
        malformed.body
    );

    let dashboard = page(&router, "/dashboard", Some(&token)).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.body.contains("Welcome, Ada Lovelace!"),
        "{}",
        dashboard.body
    );
    assert!(dashboard.body.contains("No apps yet."));

    let out = call(&router, "auth/sign_out", &[], Some(&token)).await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    let cleared = out
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cleared.starts_with("lodestar_session=;") && cleared.contains("Max-Age=0"));
    let after = page(&router, "/dashboard", Some(&token)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old token is revoked server-side"
    );

    let again = sign_in(&router, "ada@example.com", PASSWORD, None).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let fresh = again.session_cookie().unwrap();
    assert_ne!(fresh, token);
    assert!(
        page(&router, "/dashboard", Some(&fresh))
            .await
            .body
            .contains("Welcome, Ada Lovelace!")
    );
}

async fn unknown_email_and_wrong_password_get_the_same_answer(test: &TestDb) {
    let router = router(test);
    sign_up(&router, "Ada", "ada@example.com").await;
    let wrong = sign_in(&router, "ada@example.com", "not the password", None).await;
    let unknown = sign_in(&router, "nobody@example.com", PASSWORD, None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, unknown.body);
    assert!(
        wrong.body.contains("Wrong email or password."),
        "{}",
        wrong.body
    );
    assert!(wrong.session_cookie().is_none());

    let short = call(
        &router,
        "auth/sign_up",
        &[
            ("name", "Bob"),
            ("email", "bob@example.com"),
            ("password", "short"),
        ],
        None,
    )
    .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    assert!(
        short.body.contains("at least 10 characters"),
        "{}",
        short.body
    );
    let taken = call(
        &router,
        "auth/sign_up",
        &[
            ("name", "Ada 2"),
            ("email", "ADA@example.com"),
            ("password", PASSWORD),
        ],
        None,
    )
    .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
}

async fn failed_sign_ins_are_rate_limited_per_account(test: &TestDb) {
    let router = router(test);
    sign_up(&router, "Ada", "ada@example.com").await;
    for _ in 0..5 {
        let answer = sign_in(&router, "ada@example.com", "guess guess guess", None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let limited = sign_in(&router, "ada@example.com", PASSWORD, None).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    let retry_after: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry_after));
    let error: app::api::AppError = serde_json::from_str(&limited.body).unwrap();
    assert!(
        error
            .to_string()
            .starts_with("Too many attempts. Try again in"),
        "{error}"
    );
    assert!(
        limited.session_cookie().is_none(),
        "even the right password waits"
    );
}

async fn attempts_are_limited_per_ip_across_accounts_and_providers(test: &TestDb) {
    let router = router(test);
    for i in 0..30 {
        let email = format!("guess{i}@example.com");
        assert_eq!(
            sign_in(&router, &email, PASSWORD, None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let limited = sign_in(&router, "someone@example.com", PASSWORD, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    // Starting a provider sign-in from the same address waits too.
    let start = page(&router, "/auth/google/start", None).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER);
    assert_eq!(start.headers[header::LOCATION], "/login?error=rate_limited");
}

async fn behind_a_trusted_proxy_each_client_has_its_own_limit(test: &TestDb) {
    for trust_proxy in [true, false] {
        let router = router_with(
            test,
            app::backend::state::Settings {
                trust_proxy,
                ..settings()
            },
        );
        let attempt = |client: &'static str, i: usize| {
            let router = router.clone();
            async move {
                let body = format!("email=guess{i}%40example.com&password=x");
                let request = Request::post("/app/auth/sign_in")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("x-forwarded-for", format!("198.51.100.7, {client}"))
                    .body(Body::from(body))
                    .unwrap();
                send(&router, request).await.status
            }
        };
        for i in 0..30 {
            assert_eq!(attempt("203.0.113.1", i).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(
            attempt("203.0.113.1", 30).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        let other = attempt("203.0.113.2", 31).await;
        if trust_proxy {
            assert_eq!(
                other,
                StatusCode::UNAUTHORIZED,
                "another client is not limited"
            );
        } else {
            assert_eq!(
                other,
                StatusCode::TOO_MANY_REQUESTS,
                "the header is ignored"
            );
        }
    }
}

async fn sign_in_replaces_the_session_the_browser_had(test: &TestDb) {
    let router = router(test);
    let first = sign_up(&router, "Ada", "ada@example.com").await;
    let answer = sign_in(&router, "ada@example.com", PASSWORD, Some(&first)).await;
    let second = answer.session_cookie().unwrap();
    assert_ne!(first, second, "a fresh token at every sign-in");
    assert!(
        sessions::resolve(&test.db, &first).await.unwrap().is_none(),
        "the old one is revoked"
    );
    assert!(
        sessions::resolve(&test.db, &second)
            .await
            .unwrap()
            .is_some()
    );
}

async fn sign_out_of_all_devices_ends_every_session(test: &TestDb) {
    let router = router(test);
    let laptop = sign_up(&router, "Ada", "ada@example.com").await;
    let phone = sign_in(&router, "ada@example.com", PASSWORD, None)
        .await
        .session_cookie()
        .unwrap();
    let bob = sign_up(&router, "Bob", "bob@example.com").await;

    let anonymous = call(&router, "auth/sign_out_everywhere", &[], None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let answer = call(&router, "auth/sign_out_everywhere", &[], Some(&phone)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    for token in [&laptop, &phone] {
        assert!(sessions::resolve(&test.db, token).await.unwrap().is_none());
    }
    assert!(
        sessions::resolve(&test.db, &bob).await.unwrap().is_some(),
        "other users keep theirs"
    );
}

async fn sessions_expire_after_30_idle_days_and_slide_when_used(test: &TestDb) {
    let user = users::create(&test.db, "ada@example.com", PASSWORD, None)
        .await
        .unwrap();
    let session = sessions::create(&test.db, user.id, Some("test"))
        .await
        .unwrap();
    let now = Utc::now();
    // Used after 20 days: still valid, and the expiry moves 30 days past that use.
    let later = now + Duration::days(20);
    assert!(
        sessions::resolve_at(&test.db, &session.token, later)
            .await
            .unwrap()
            .is_some()
    );
    let row = session_rows::Entity::find_by_id(session.record.id)
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert!(row.expires_at > later + Duration::days(29));
    // Idle for 31 days after that: gone, row and all.
    let idle = later + Duration::days(31);
    assert!(
        sessions::resolve_at(&test.db, &session.token, idle)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        session_rows::Entity::find_by_id(session.record.id)
            .one(&test.db)
            .await
            .unwrap()
            .is_none()
    );
}

async fn dashboard_pages_send_visitors_to_sign_in_and_back(test: &TestDb) {
    let router = router(test);
    let answer = page(&router, "/dashboard", None).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.headers[header::LOCATION], "/login?next=/dashboard");
    // Cookies split over two headers (as HTTP/2 may send them) still open the page.
    let token = sign_up(&router, "Ada", "ada@example.com").await;
    let split = Request::get("/dashboard")
        .header(header::COOKIE, "theme=dark")
        .header(header::COOKIE, format!("lodestar_session={token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&router, split).await.status, StatusCode::OK);
    let deep = page(&router, "/apps/7?q=level:error", Some("not-a-real-token")).await;
    assert_eq!(deep.status, StatusCode::SEE_OTHER);
    assert_eq!(
        deep.headers[header::LOCATION],
        "/login?next=/apps/7%3Fq%3Dlevel%3Aerror"
    );
    let login = page(&router, "/login?next=/dashboard", None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Sign in to Lodestar"));
    assert!(
        !login.body.contains("Continue with"),
        "no provider configured, no button"
    );
}

async fn requests_from_a_foreign_origin_are_refused(test: &TestDb) {
    let router = router(test);
    sign_up(&router, "Ada", "ada@example.com").await;
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let request = Request::post("/app/auth/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(format!(
                "email=ada%40example.com&password={}",
                PASSWORD.replace(' ', "%20")
            )))
            .unwrap();
        let answer = send(&router, request).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{name}: {value}");
        assert!(answer.body.contains("forbidden_origin"));
        assert!(answer.session_cookie().is_none());
    }
    // The same request addressed from the server's own origin works.
    assert_eq!(
        sign_in(&router, "ada@example.com", PASSWORD, None)
            .await
            .status,
        StatusCode::OK
    );
}

on_both_databases!(
    sign_up_sign_out_and_sign_in_again,
    unknown_email_and_wrong_password_get_the_same_answer,
    failed_sign_ins_are_rate_limited_per_account,
    attempts_are_limited_per_ip_across_accounts_and_providers,
    behind_a_trusted_proxy_each_client_has_its_own_limit,
    sign_in_replaces_the_session_the_browser_had,
    sign_out_of_all_devices_ends_every_session,
    sessions_expire_after_30_idle_days_and_slide_when_used,
    dashboard_pages_send_visitors_to_sign_in_and_back,
    requests_from_a_foreign_origin_are_refused,
);
