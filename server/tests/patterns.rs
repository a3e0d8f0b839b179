//! Log patterns and summaries on SQLite and PostgreSQL: lines sent through `POST /ingest` are
//! mined into templates with counts per ten minutes and level, incrementally and across a
//! restart, by one server at a time; the summary's facts; the digest asked of a fake
//! chat-completions endpoint the test serves on loopback (shape, masking, cache, failures);
//! and the server functions, with other tenants kept out.
mod common;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use app::{
    backend::{
        patterns::{
            BATCH, PatternMiner,
            digest::{Digests, LlmConfig},
            drain::MinerConfig,
        },
        services::{self, users},
        store::horizon,
        testing::TestDb,
    },
    model::{
        apps::AppView,
        logs::Range,
        patterns::{PatternList, Summary},
    },
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    extract::State,
    http::{Request, StatusCode},
    routing::post,
};
use chrono::{DateTime, Utc};
use common::{call, send, sign_up};
use sea_orm::sqlx;
use serde_json::{Value, json};

const SECOND_US: i64 = 1_000_000;
const MINUTE_US: i64 = 60 * SECOND_US;
/// The range the tests look at: the hour before T0, on bucket boundaries.
const T0: i64 = 1_767_225_600 * SECOND_US; // 2026-01-01T00:00:00Z

fn at(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap()
}

fn last_hour() -> Range {
    Range::Between {
        start_us: T0 - 60 * MINUTE_US,
        end_us: T0,
    }
}

struct Fixture {
    router: Router,
    db: sea_orm::DatabaseConnection,
    app: app::backend::entities::apps::Model,
    key: String,
}

async fn fixture(test: &TestDb) -> Fixture {
    let state = common::state_with(test, common::settings());
    let router = server::router::build(state.clone());
    let user = users::create(&test.db, "ada@example.com", common::PASSWORD, None)
        .await
        .unwrap();
    let (app, key) = services::apps::create(&test.db, user.id, "shop", "")
        .await
        .unwrap();
    Fixture {
        router,
        db: test.db.clone(),
        app,
        key: key.key,
    }
}

/// Sends lines (level, message, minutes before T0).
async fn ingest(f: &Fixture, lines: &[(&str, String, i64)]) {
    let logs: Vec<Value> = lines
        .iter()
        .map(|(level, message, minutes)| {
            json!({"level": level, "message": message, "service": "api",
                   "timestamp": (T0 - minutes * MINUTE_US + SECOND_US) as f64 / 1e6})
        })
        .collect();
    let request = Request::post("/ingest")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"api_key": f.key, "logs": logs}).to_string(),
        ))
        .unwrap();
    let answer = send(&f.router, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

/// Three kinds of lines, `n` of each, `minutes` before T0.
fn kinds(n: i64, minutes: i64) -> Vec<(&'static str, String, i64)> {
    let mut lines = Vec::new();
    for i in 0..n {
        lines.push((
            "error",
            format!(
                "payment failed for order {} by ada{i}@example.com",
                1000 + i
            ),
            minutes,
        ));
        lines.push(("info", format!("GET /cart 200 in {} ms", 10 + i), minutes));
        lines.push(("debug", format!("cache miss for key user:{i}"), minutes));
    }
    lines
}

async fn mine_all(miner: &mut PatternMiner, db: &sea_orm::DatabaseConnection) -> u64 {
    let mut total = 0;
    loop {
        let n = miner.mine(db, BATCH, T0).await.unwrap();
        total += n;
        if n == 0 {
            return total;
        }
    }
}

async fn listed(f: &Fixture) -> PatternList {
    services::patterns::list(&f.db, f.app.id, last_hour(), at(T0))
        .await
        .unwrap()
}

async fn lines_become_patterns_with_counts_trends_and_levels(test: &TestDb) {
    let f = fixture(test).await;
    ingest(&f, &kinds(10, 30)).await;
    assert_eq!(
        listed(&f).await.pending_lines,
        30,
        "committed, not mined yet"
    );
    let mut miner = PatternMiner::new(MinerConfig::default());
    assert_eq!(mine_all(&mut miner, &f.db).await, 30);

    let list = listed(&f).await;
    assert_eq!(list.pending_lines, 0);
    assert_eq!(list.total, 30);
    let templates: Vec<&str> = list.patterns.iter().map(|p| p.template.as_str()).collect();
    assert_eq!(templates.len(), 3, "{templates:?}");
    let payment = list
        .patterns
        .iter()
        .find(|p| p.template.starts_with("payment failed for order"))
        .expect("the payment pattern");
    assert_eq!(
        payment.template,
        "payment failed for order <num> by <email>"
    );
    assert_eq!(payment.count, 10);
    assert_eq!(payment.levels, [0, 0, 0, 0, 10, 0]);
    assert!((payment.share - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(payment.trend.iter().sum::<i64>(), 10);
    assert!(payment.new, "first seen in the range");
    assert_eq!(
        payment.search,
        "message:\"payment failed for order\" message:\"by\""
    );
    // The search finds exactly its lines.
    let query = app::model::query::parse(&payment.search).unwrap();
    let filter = app::backend::store::LogFilter {
        app_id: f.app.id,
        start_us: T0 - 60 * MINUTE_US,
        end_us: T0,
        environment: None,
        query: query.as_ref(),
    };
    let page = app::backend::store::page(&f.db, &filter, None, 100)
        .await
        .unwrap();
    assert_eq!(page.lines.len(), 10);
}

async fn mining_is_incremental_and_survives_a_restart(test: &TestDb) {
    let f = fixture(test).await;
    ingest(&f, &kinds(5, 50)).await;
    let mut first = PatternMiner::new(MinerConfig::default());
    mine_all(&mut first, &f.db).await;
    ingest(&f, &kinds(5, 5)).await;
    mine_all(&mut first, &f.db).await;
    let list = listed(&f).await;
    assert_eq!(list.patterns.len(), 3);
    assert!(
        list.patterns.iter().all(|p| p.count == 10),
        "{:?}",
        list.patterns
    );
    // The lines fell in two ten-minute buckets, far apart in the trend.
    let trend = &list.patterns[0].trend;
    assert_eq!(trend.iter().filter(|n| **n > 0).count(), 2, "{trend:?}");

    // A restart: a new miner reads the stored patterns back and counts into them.
    drop(first);
    ingest(&f, &kinds(2, 1)).await;
    let mut second = PatternMiner::new(MinerConfig::default());
    // The first one's lease has to run out first.
    assert_eq!(second.mine(&f.db, BATCH, T0).await.unwrap(), 0);
    assert_eq!(
        second.mine(&f.db, BATCH, T0 + 2 * MINUTE_US).await.unwrap(),
        6
    );
    let list = listed(&f).await;
    assert_eq!(list.patterns.len(), 3, "no second copy of a template");
    assert!(
        list.patterns.iter().all(|p| p.count == 12),
        "{:?}",
        list.patterns
    );
}

async fn the_summary_compares_with_the_period_before(test: &TestDb) {
    let f = fixture(test).await;
    // The hour before: a few of the old kinds. This hour: many more payments (a spike), and
    // a new kind of error.
    let mut before = Vec::new();
    for i in 0..4 {
        before.push((
            "error",
            format!("payment failed for order {i} by a{i}@example.com"),
            90,
        ));
        before.push(("info", format!("GET /cart 200 in {i} ms"), 90));
    }
    ingest(&f, &before).await;
    let mut now = Vec::new();
    for i in 0..20 {
        now.push((
            "error",
            format!("payment failed for order {i} by b{i}@example.com"),
            20,
        ));
    }
    for i in 0..3 {
        now.push(("info", format!("GET /cart 200 in {i} ms"), 20));
        now.push(("fatal", format!("disk full on volume {i}"), 10));
    }
    ingest(&f, &now).await;
    mine_all(&mut PatternMiner::new(MinerConfig::default()), &f.db).await;

    let summary = services::patterns::facts(&f.db, f.app.id, last_hour(), at(T0))
        .await
        .unwrap();
    assert_eq!((summary.lines, summary.lines_before), (26, 8));
    assert_eq!((summary.errors, summary.errors_before), (23, 4));
    let names = |items: &[app::model::patterns::PatternBrief]| {
        items.iter().map(|p| p.template.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&summary.new_patterns), ["disk full on volume <num>"]);
    assert_eq!(
        names(&summary.top_errors),
        [
            "payment failed for order <num> by <email>",
            "disk full on volume <num>"
        ]
    );
    assert_eq!(summary.top_errors[0].count, 20);
    assert_eq!(summary.top_errors[0].before, 4);
    assert_eq!(
        names(&summary.spikes),
        ["payment failed for order <num> by <email>"]
    );
}

// ---------------------------------------------------------------------------------------------
// The digest

type Asked = Arc<Mutex<Vec<Value>>>;

/// A chat-completions endpoint: answers `status` with `text`, after `delay`.
async fn fake_llm(status: StatusCode, text: &'static str, delay: Duration) -> (String, Asked) {
    let asked: Asked = Arc::default();
    let app = Router::new()
        .route(
            "/v1/chat/completions",
            post(
                move |State(asked): State<Asked>, body: axum::Json<Value>| async move {
                    asked.lock().unwrap().push(body.0);
                    tokio::time::sleep(delay).await;
                    let answer =
                        json!({"choices": [{"message": {"role": "assistant", "content": text}}]});
                    (status, axum::Json(answer))
                },
            ),
        )
        .with_state(asked.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/v1/chat/completions",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, asked)
}

fn llm(url: &str, timeout: Duration) -> LlmConfig {
    LlmConfig {
        url: url.into(),
        model: "tiny-model".into(),
        api_key: "llm-key".into(),
        max_samples: 3,
        timeout,
    }
}

/// Asks for the summary until the digest (or a failure note) is there.
async fn settled(f: &Fixture, digests: &Digests) -> Summary {
    for _ in 0..100 {
        let summary = services::patterns::summary(&f.db, digests, &f.app, last_hour(), at(T0))
            .await
            .unwrap();
        let writing = summary
            .digest_note
            .as_deref()
            .is_some_and(|n| n.contains("being written"));
        if !writing {
            return summary;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the digest was never settled");
}

async fn secret_lines(f: &Fixture) {
    let mut lines = Vec::new();
    for i in 0..5 {
        lines.push(("error", format!("login failed for ada{i}@example.com password=hunter{i}2 token=sk_live_{i}abcdef0123456789"), 20));
    }
    ingest(f, &lines).await;
    mine_all(&mut PatternMiner::new(MinerConfig::default()), &f.db).await;
}

async fn the_digest_is_asked_once_with_masked_samples_and_cached(test: &TestDb) {
    let f = fixture(test).await;
    secret_lines(&f).await;
    let (url, asked) = fake_llm(
        StatusCode::OK,
        "Logins are failing: 5 errors.",
        Duration::ZERO,
    )
    .await;
    let digests = Digests::start(Some(llm(&url, Duration::from_secs(5))));
    let summary = settled(&f, &digests).await;
    assert_eq!(
        summary.digest.as_deref(),
        Some("Logins are failing: 5 errors.")
    );
    assert_eq!(summary.digest_note, None);
    // Cached: asking again sends nothing.
    settled(&f, &digests).await;
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    let request = &asked[0];
    assert_eq!(request["model"], "tiny-model");
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let facts = messages[1]["content"].as_str().unwrap();
    assert!(facts.contains("App: shop"), "{facts}");
    assert!(facts.contains("Errors: 5"), "{facts}");
    assert!(facts.contains("Sample lines:"), "{facts}");
    let body = request.to_string();
    for secret in ["hunter", "sk_live_", "ada0@example.com"] {
        assert!(!body.contains(secret), "{secret} was sent: {body}");
    }
}

async fn a_failing_or_slow_model_leaves_the_summary_with_a_note(test: &TestDb) {
    let f = fixture(test).await;
    secret_lines(&f).await;
    let (url, _) = fake_llm(StatusCode::INTERNAL_SERVER_ERROR, "", Duration::ZERO).await;
    let digests = Digests::start(Some(llm(&url, Duration::from_secs(5))));
    let summary = settled(&f, &digests).await;
    assert_eq!(summary.digest, None);
    assert_eq!(
        summary.digest_note.as_deref(),
        Some(
            "The digest could not be written (the model's endpoint answered 500 Internal Server Error)."
        )
    );
    assert_eq!(summary.errors, 5, "the facts are all there");

    let (url, _) = fake_llm(StatusCode::OK, "late", Duration::from_secs(3)).await;
    let digests = Digests::start(Some(llm(&url, Duration::from_millis(300))));
    let summary = settled(&f, &digests).await;
    assert_eq!(
        summary.digest_note.as_deref(),
        Some("The digest could not be written (the model did not answer in time).")
    );

    // Not configured: no note, no digest, nothing sent.
    let summary = settled(&f, &Digests::disabled()).await;
    assert_eq!((summary.digest, summary.digest_note), (None, None));
}

async fn the_server_functions_answer_their_owner_only(test: &TestDb) {
    let f = fixture(test).await;
    let router = &f.router;
    let ada = sign_up(router, "Ada", "ada2@example.com").await;
    let bob = sign_up(router, "Bob", "bob@example.com").await;
    let created = call(
        router,
        "apps/create",
        &[("name", "shop"), ("description", "")],
        Some(&ada),
    )
    .await;
    let app_id = created.json()["app"]["id"].as_i64().unwrap().to_string();
    for function in ["patterns/list", "patterns/summary"] {
        let mine = call(
            router,
            function,
            &[("app_id", &app_id), ("stats_period", "1h")],
            Some(&ada),
        )
        .await;
        assert_eq!(mine.status, StatusCode::OK, "{function}: {}", mine.body);
        let theirs = call(router, function, &[("app_id", &app_id)], Some(&bob)).await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "{function}: {}",
            theirs.body
        );
        let anonymous = call(router, function, &[("app_id", &app_id)], None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
    let list = call(router, "patterns/list", &[("app_id", &app_id)], Some(&ada)).await;
    let (_, list): (AppView, PatternList) = serde_json::from_str(&list.body).unwrap();
    assert!(list.patterns.is_empty());
    assert_eq!(
        list.end_us - list.start_us,
        24 * 60 * MINUTE_US,
        "24 hours by default"
    );
}

on_both_databases!(
    lines_become_patterns_with_counts_trends_and_levels,
    mining_is_incremental_and_survives_a_restart,
    the_summary_compares_with_the_period_before,
    the_digest_is_asked_once_with_masked_samples_and_cached,
    a_failing_or_slow_model_leaves_the_summary_with_a_note,
    the_server_functions_answer_their_owner_only,
);

/// PostgreSQL draws line ids outside any lock: with two servers, one can commit later ids
/// while the other still holds earlier ones. The miner waits for those before moving past
/// them, then counts every line once.
async fn a_line_committed_late_is_still_mined(test: &TestDb) {
    let f = fixture(test).await;
    // Another server's writer, mid-commit: it holds the writers' lock and a line's id.
    let mut late = f.db.get_postgres_connection_pool().begin().await.unwrap();
    sqlx::query(horizon::WRITER_LOCK_SQL)
        .execute(&mut *late)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO logs (app_id, ts, received_at, level, service, message, attributes) \
         VALUES ($1, $2, $2, 3, 'api', 'GET /cart 200 in 7 ms', '{}')",
    )
    .bind(f.app.id)
    .bind(T0 - 5 * MINUTE_US)
    .execute(&mut *late)
    .await
    .unwrap();
    ingest(&f, &[("info", "GET /cart 200 in 9 ms".into(), 5)]).await;
    let mut miner = PatternMiner::new(MinerConfig::default());
    assert_eq!(
        miner.mine(&f.db, BATCH, T0).await.unwrap(),
        0,
        "nothing past a line still in flight"
    );
    late.commit().await.unwrap();
    assert_eq!(mine_all(&mut miner, &f.db).await, 2);
    let list = listed(&f).await;
    assert_eq!(list.pending_lines, 0);
    assert_eq!(list.patterns.len(), 1);
    assert_eq!(list.patterns[0].count, 2);
}

/// Races only PostgreSQL has: SQLite commits one writer at a time, in id order.
mod postgres_only {
    #[tokio::test]
    async fn a_line_committed_late_is_still_mined() {
        let db = app::backend::testing::TestDb::postgres().await;
        super::a_line_committed_late_is_still_mined(&db).await;
        db.teardown().await;
    }
}
