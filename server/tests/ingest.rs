//! `POST /ingest` through the real router, on SQLite and PostgreSQL: what is stored, every
//! error answer, back-pressure, and that a key only ever writes into its own app.
mod common;

use std::{io::Write, time::Duration};

use app::{
    backend::{
        AppState,
        entities::{api_keys, app_metrics, logs},
        ingest::{Delivery, IngestConfig, IngestLimits},
        services::{api_keys as keys, apps, users},
        state::Settings,
        testing::TestDb,
    },
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Answer, PASSWORD, send, settings, state_with};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::{Value, json};

struct Fixture {
    state: AppState,
    router: Router,
    app_id: i64,
    key: String,
}

async fn fixture_with(test: &TestDb, ingest: IngestConfig) -> Fixture {
    let state = state_with(
        test,
        Settings {
            ingest,
            ..settings()
        },
    );
    let router = server::router::build(state.clone());
    let user = match users::create(&test.db, "ada@example.com", PASSWORD, None).await {
        Ok(user) => user,
        Err(_) => users::find_by_email(&test.db, "ada@example.com")
            .await
            .unwrap()
            .unwrap(),
    };
    let name = format!("shop-{}", app::backend::secrets::random_hex(3));
    let (app, key) = apps::create(&test.db, user.id, &name, "").await.unwrap();
    Fixture {
        state,
        router,
        app_id: app.id,
        key: key.key,
    }
}

async fn fixture(test: &TestDb) -> Fixture {
    fixture_with(test, IngestConfig::default()).await
}

async fn ingest(router: &Router, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    let mut request = Request::post("/ingest");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(router, request.body(Body::from(body)).unwrap()).await
}

async fn ingest_json(router: &Router, body: Value) -> Answer {
    ingest(
        router,
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await
}

async fn stored(test: &TestDb, app_id: i64) -> Vec<logs::Model> {
    logs::Entity::find()
        .filter(logs::Column::AppId.eq(app_id))
        .order_by_asc(logs::Column::Id)
        .all(&test.db)
        .await
        .unwrap()
}

fn error_of(answer: &Answer) -> (StatusCode, String) {
    let body = answer.json();
    (
        answer.status,
        body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

async fn the_journey_batch_is_committed_with_its_metrics(test: &TestDb) {
    let f = fixture(test).await;
    let answer = ingest_json(
        &f.router,
        json!({"api_key": f.key, "logs": [
            {"timestamp": 1708473600.123, "level": "INFO", "message": "GET /cart 200",
             "service": "api", "extra": {"user_id": 42}, "correlation_id": "c-1"},
            {"timestamp": "2024-02-21T00:00:30Z", "level": "error", "message": "payment failed",
             "service": "billing", "environment": "production", "release": "1.2.0",
             "trace_id": "t-9"},
            {"message": "no level, no time, no service"}
        ]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json(), json!({"accepted": 3}));

    let rows = stored(test, f.app_id).await;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0].ts, rows[0].level, rows[0].service.as_str()),
        (1_708_473_600_123_000, 2, "api")
    );
    assert_eq!(
        rows[0].attributes,
        json!({"user_id": 42, "correlation_id": "c-1"})
    );
    assert_eq!(rows[1].level, 4);
    assert_eq!(rows[1].environment.as_deref(), Some("production"));
    assert_eq!(rows[1].release.as_deref(), Some("1.2.0"));
    assert_eq!(rows[1].trace_id.as_deref(), Some("t-9"));
    assert_eq!(rows[2].service, "default");
    assert!(rows[2].received_at > 1_708_473_600_000_000 && rows[2].ts == rows[2].received_at);
    assert!(rows[0].id < rows[1].id && rows[1].id < rows[2].id);

    let minute = 1_708_473_600 / 60;
    let metrics = app_metrics::Entity::find_by_id((f.app_id, minute))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((metrics.info, metrics.error), (1, 1));

    // The same lines again: the counts add up.
    let again = ingest_json(
        &f.router,
        json!({"api_key": f.key, "logs": [
        {"timestamp": 1708473601, "level": "warning", "message": "slow"}]}),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    let metrics = app_metrics::Entity::find_by_id((f.app_id, minute))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((metrics.info, metrics.warn, metrics.error), (1, 1, 1));

    let empty = ingest_json(&f.router, json!({"api_key": f.key, "logs": []})).await;
    assert_eq!(
        (empty.status, empty.json()),
        (StatusCode::OK, json!({"accepted": 0}))
    );
}

async fn keys_in_headers_and_ndjson_bodies(test: &TestDb) {
    let f = fixture(test).await;
    let bearer = format!("Bearer {}", f.key);
    let line = json!({"logs": [{"message": "by bearer"}]})
        .to_string()
        .into_bytes();
    let answer = ingest(&f.router, &[("authorization", &bearer)], line).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let line = json!({"logs": [{"message": "by x-api-key"}]})
        .to_string()
        .into_bytes();
    let answer = ingest(
        &f.router,
        &[
            ("x-api-key", &f.key),
            ("content-type", "application/json; charset=utf-8"),
        ],
        line,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    let ndjson =
        b"{\"message\":\"nd one\",\"level\":\"debug\"}\n\n{\"message\":\"nd two\"}\n".to_vec();
    let answer = ingest(
        &f.router,
        &[
            ("x-api-key", &f.key),
            ("content-type", "application/x-ndjson"),
        ],
        ndjson,
    )
    .await;
    assert_eq!(
        (answer.status, answer.json()),
        (StatusCode::OK, json!({"accepted": 2}))
    );
    let messages: Vec<_> = stored(test, f.app_id)
        .await
        .into_iter()
        .map(|r| r.message)
        .collect();
    assert_eq!(messages, ["by bearer", "by x-api-key", "nd one", "nd two"]);

    // NDJSON carries no key in the body.
    let answer = ingest(
        &f.router,
        &[("content-type", "application/x-ndjson")],
        b"{\"message\":\"x\"}".to_vec(),
    )
    .await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::UNAUTHORIZED, "missing_api_key".into())
    );
}

async fn every_compression_is_read_and_bombs_are_cut_off(test: &TestDb) {
    let f = fixture_with(
        test,
        IngestConfig {
            limits: IngestLimits {
                max_body: 64 << 10,
                max_decompressed: 256 << 10,
                ..IngestLimits::default()
            },
            ..IngestConfig::default()
        },
    )
    .await;
    let body = |name: &str| {
        json!({"api_key": f.key, "logs": [{"message": format!("sent as {name}")}]})
            .to_string()
            .into_bytes()
    };
    let encoded: Vec<(&str, Vec<u8>)> = vec![
        ("gzip", {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&body("gzip")).unwrap();
            e.finish().unwrap()
        }),
        ("deflate", {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&body("deflate")).unwrap();
            e.finish().unwrap()
        }),
        ("br", {
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &body("br")[..], &mut out, &Default::default()).unwrap();
            out
        }),
        (
            "zstd",
            ruzstd::encoding::compress_to_vec(
                &body("zstd")[..],
                ruzstd::encoding::CompressionLevel::Fastest,
            ),
        ),
        ("identity", body("identity")),
    ];
    for (name, bytes) in encoded {
        let answer = ingest(&f.router, &[("content-encoding", name)], bytes).await;
        assert_eq!(answer.status, StatusCode::OK, "{name}: {}", answer.body);
    }
    let messages: Vec<_> = stored(test, f.app_id)
        .await
        .into_iter()
        .map(|r| r.message)
        .collect();
    assert_eq!(
        messages,
        [
            "sent as gzip",
            "sent as deflate",
            "sent as br",
            "sent as zstd",
            "sent as identity"
        ]
    );

    let answer = ingest(&f.router, &[("content-encoding", "compress")], body("x")).await;
    assert_eq!(
        error_of(&answer),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_encoding".into()
        )
    );
    let answer = ingest(&f.router, &[("content-encoding", "gzip")], body("x")).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::BAD_REQUEST, "invalid_encoding".into())
    );
    // 8 MiB of spaces inside valid JSON compress to a few KiB: refused at 256 KiB.
    let mut bomb = body("bomb");
    bomb.splice(1..1, std::iter::repeat_n(b' ', 8 << 20));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&bomb).unwrap();
    let bomb = e.finish().unwrap();
    assert!(bomb.len() < 64 << 10);
    let answer = ingest(&f.router, &[("content-encoding", "gzip")], bomb).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into())
    );
    // Over the limit as sent.
    let mut big = body("big");
    big.splice(1..1, std::iter::repeat_n(b' ', 70 << 10));
    let answer = ingest(&f.router, &[], big).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into())
    );
    assert_eq!(
        stored(test, f.app_id).await.len(),
        5,
        "nothing refused was stored"
    );
}

async fn refused_requests_store_nothing_and_say_why(test: &TestDb) {
    let f = fixture_with(
        test,
        IngestConfig {
            limits: IngestLimits {
                max_lines: 3,
                ..IngestLimits::default()
            },
            ..IngestConfig::default()
        },
    )
    .await;
    let key = f.key.as_str();
    // (headers, body, status, code, index of the bad line)
    type Case<'a> = (
        Vec<(&'a str, &'a str)>,
        Vec<u8>,
        StatusCode,
        &'a str,
        Option<usize>,
    );
    let cases: Vec<Case> = vec![
        (vec![("content-type", "text/html")], b"<p>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None),
        (vec![], b"{oops".to_vec(), StatusCode::BAD_REQUEST, "invalid_json", None),
        (vec![], json!({"api_key": key, "logs": [{"message": "fine"}, {"message": "fine", "timestamp": "soon"}]}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "invalid_timestamp", Some(1)),
        (vec![], json!({"api_key": key, "logs": [{"message": "fine"}, {"message": "fine"}, {"level": "info"}]}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "missing_message", Some(2)),
        (vec![], json!({"api_key": key, "logs": [{"message": "a"}, {"message": "b"}, {"message": "c"}, {"message": "d"}]}).to_string().into_bytes(), StatusCode::PAYLOAD_TOO_LARGE, "too_many_lines", None),
        (vec![], json!({"logs": [{"message": "no key"}]}).to_string().into_bytes(), StatusCode::UNAUTHORIZED, "missing_api_key", None),
        (vec![], json!({"api_key": "sk_unknown", "logs": [{"message": "x"}]}).to_string().into_bytes(), StatusCode::UNAUTHORIZED, "invalid_api_key", None),
        (vec![("authorization", "Bearer sk_nope")], json!({"logs": [{"message": "x"}]}).to_string().into_bytes(), StatusCode::UNAUTHORIZED, "invalid_api_key", None),
        (vec![], json!({"api_key": key, "logs": [{"message": "x", "service": 7.5e300, "environment": {"a": 1}}]}).to_string().into_bytes(), StatusCode::BAD_REQUEST, "invalid_environment", Some(0)),
    ];
    for (headers, body, status, code, index) in cases {
        let answer = ingest(&f.router, &headers, body).await;
        let json = answer.json();
        assert_eq!(
            error_of(&answer),
            (status, code.to_string()),
            "{}",
            answer.body
        );
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        if status == StatusCode::BAD_REQUEST && index.is_some() {
            assert_eq!(json["error"]["index"], json!(index));
        }
    }
    // Odd inputs of every kind: a 4xx, never a 500, never a panic.
    let odd: Vec<Vec<u8>> = vec![
        vec![0xff, 0x00, 0x13],
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"text\"".to_vec(),
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        json!({"api_key": key, "logs": [null]})
            .to_string()
            .into_bytes(),
        json!({"api_key": key, "logs": [{"message": "x", "timestamp": 1e308}]})
            .to_string()
            .into_bytes(),
        json!({"api_key": key, "logs": [{"message": "x", "timestamp": "99999-01-01T00:00:00Z"}]})
            .to_string()
            .into_bytes(),
        json!({"api_key": [key], "logs": []})
            .to_string()
            .into_bytes(),
    ];
    for body in odd {
        let answer = ingest(&f.router, &[], body.clone()).await;
        assert!(
            answer.status.is_client_error(),
            "{} for {:?}: {}",
            answer.status,
            String::from_utf8_lossy(&body[..body.len().min(80)]),
            answer.body
        );
    }
    assert_eq!(stored(test, f.app_id).await.len(), 0);
    assert_eq!(
        app_metrics::Entity::find().count(&test.db).await.unwrap(),
        0
    );
}

async fn a_key_writes_only_into_its_app_and_stops_when_revoked(test: &TestDb) {
    let a = fixture(test).await;
    let b = fixture(test).await;
    let line = |key: &str, text: &str| json!({"api_key": key, "logs": [{"message": text}]});
    assert_eq!(
        ingest_json(&a.router, line(&a.key, "for a")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        ingest_json(&a.router, line(&b.key, "for b")).await.status,
        StatusCode::OK
    );
    let messages = |rows: Vec<logs::Model>| rows.into_iter().map(|r| r.message).collect::<Vec<_>>();
    assert_eq!(messages(stored(test, a.app_id).await), ["for a"]);
    assert_eq!(messages(stored(test, b.app_id).await), ["for b"]);

    // Revoked through the owner's page: refused at once, though the key was just cached.
    let owner = users::find_by_email(&test.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let key_row = api_keys::Entity::find()
        .filter(api_keys::Column::AppId.eq(a.app_id))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    keys::revoke_owned(&test.db, owner.id, a.app_id, key_row.id)
        .await
        .unwrap();
    a.state.ingest.keys.forget_app(a.app_id);
    let answer = ingest_json(&a.router, line(&a.key, "after revoke")).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::UNAUTHORIZED, "invalid_api_key".into())
    );

    // Revoked through another server: this one refuses it within a second.
    assert_eq!(
        ingest_json(&b.router, line(&b.key, "cached")).await.status,
        StatusCode::OK
    );
    let key_row = api_keys::Entity::find()
        .filter(api_keys::Column::AppId.eq(b.app_id))
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    keys::revoke_owned(&test.db, owner.id, b.app_id, key_row.id)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let answer = ingest_json(&b.router, line(&b.key, "after revoke")).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::UNAUTHORIZED, "invalid_api_key".into())
    );
    assert_eq!(messages(stored(test, b.app_id).await), ["for b", "cached"]);
}

async fn last_use_is_recorded_without_a_write_per_request(test: &TestDb) {
    let f = fixture(test).await;
    for i in 0..3 {
        let answer = ingest_json(
            &f.router,
            json!({"api_key": f.key, "logs": [{"message": format!("n{i}")}]}),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let last_used = || async {
        api_keys::Entity::find()
            .filter(api_keys::Column::AppId.eq(f.app_id))
            .one(&test.db)
            .await
            .unwrap()
            .unwrap()
            .last_used_at
    };
    assert_eq!(last_used().await, None, "requests do not write the key row");
    f.state.ingest.keys.flush_usage(&test.db).await.unwrap();
    let used = last_used().await.expect("flushed");
    assert!((chrono::Utc::now() - used).num_seconds() < 60);
}

async fn live_subscribers_get_committed_lines(test: &TestDb) {
    let f = fixture(test).await;
    let mut live = f.state.ingest.subscribe(f.app_id);
    let answer = ingest_json(
        &f.router,
        json!({"api_key": f.key, "logs": [
        {"message": "first", "level": "warn"}, {"message": "second"}]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let Some(Delivery::Lines(lines)) = live.try_next() else {
        panic!("the lines are published before the answer")
    };
    let rows = stored(test, f.app_id).await;
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    assert_eq!(lines.iter().map(|l| l.id).collect::<Vec<_>>(), ids);
    assert_eq!(lines[0].line.message, "first");
    assert_eq!(lines[0].line.level, app::model::Level::Warn);
}

async fn a_full_queue_answers_503_and_recovers(test: &TestDb) {
    let f = fixture_with(
        test,
        IngestConfig {
            queue_lines: 10,
            ..IngestConfig::default()
        },
    )
    .await;
    let batch = |n: usize| json!({"api_key": f.key, "logs": (0..n).map(|i| json!({"message": format!("q{i}")})).collect::<Vec<_>>()});
    // Hold the write lock so that the writer waits with the first request's lines queued.
    let blocker = test.db.begin().await.unwrap();
    let lock = match test.db.get_database_backend() {
        DbBackend::Postgres => "LOCK TABLE logs IN EXCLUSIVE MODE",
        _ => "INSERT INTO app_metrics (app_id, minute) VALUES (-1, 0)",
    };
    blocker.execute_unprepared(lock).await.unwrap();
    let router = f.router.clone();
    let first_body = batch(6);
    let first = tokio::spawn(async move { ingest_json(&router, first_body).await });
    for _ in 0..200 {
        if f.state.ingest.queued_lines() == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(f.state.ingest.queued_lines(), 6);
    let refused = ingest_json(&f.router, batch(5)).await;
    assert_eq!(
        error_of(&refused),
        (StatusCode::SERVICE_UNAVAILABLE, "queue_full".into())
    );
    assert_eq!(refused.headers[header::RETRY_AFTER], "1");
    blocker.rollback().await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let retried = ingest_json(&f.router, batch(5)).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(stored(test, f.app_id).await.len(), 11);
}

async fn an_app_over_its_rate_gets_429(test: &TestDb) {
    let f = fixture_with(
        test,
        IngestConfig {
            app_rate: 10.0,
            ..IngestConfig::default()
        },
    )
    .await;
    let batch = |key: &str, n: usize| json!({"api_key": key, "logs": (0..n).map(|i| json!({"message": format!("r{i}")})).collect::<Vec<_>>()});
    assert_eq!(
        ingest_json(&f.router, batch(&f.key, 10)).await.status,
        StatusCode::OK
    );
    let limited = ingest_json(&f.router, batch(&f.key, 5)).await;
    assert_eq!(
        error_of(&limited),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    assert!(
        limited.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(stored(test, f.app_id).await.len(), 10);
}

/// A line is found by its `correlation_id` attribute through an index, not a scan.
async fn correlation_ids_are_looked_up_by_index(test: &TestDb) {
    let f = fixture(test).await;
    let answer = ingest_json(&f.router, json!({"api_key": f.key, "logs": [
        {"message": "a", "correlation_id": "order-7"}, {"message": "b", "extra": {"correlation_id": "order-8"}}]})).await;
    assert_eq!(answer.status, StatusCode::OK);
    let (explain, lookup) = match test.db.get_database_backend() {
        DbBackend::Postgres => ("EXPLAIN", "(attributes ->> 'correlation_id') = 'order-8'"),
        _ => (
            "EXPLAIN QUERY PLAN",
            "json_extract(attributes, '$.correlation_id') = 'order-8'",
        ),
    };
    let select = format!(
        "SELECT message FROM logs WHERE app_id = {} AND {lookup}",
        f.app_id
    );
    let txn = test.db.begin().await.unwrap();
    if test.db.get_database_backend() == DbBackend::Postgres {
        // A tiny table would be scanned: ask what the planner does when scanning is dear.
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .unwrap();
    }
    let found = txn
        .query_all_raw(sea_orm::Statement::from_string(
            test.db.get_database_backend(),
            select.clone(),
        ))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].try_get_by_index::<String>(0).unwrap(), "b");
    let plan = txn
        .query_all_raw(sea_orm::Statement::from_string(
            test.db.get_database_backend(),
            format!("{explain} {select}"),
        ))
        .await
        .unwrap();
    let plan: Vec<String> = plan
        .iter()
        .map(|row| {
            let column = if test.db.get_database_backend() == DbBackend::Postgres {
                0
            } else {
                3
            };
            row.try_get_by_index::<String>(column).unwrap_or_default()
        })
        .collect();
    assert!(
        plan.iter()
            .any(|step| step.contains("logs_app_correlation")),
        "{plan:?}"
    );
    txn.rollback().await.unwrap();
}

on_both_databases!(
    correlation_ids_are_looked_up_by_index,
    the_journey_batch_is_committed_with_its_metrics,
    keys_in_headers_and_ndjson_bodies,
    every_compression_is_read_and_bombs_are_cut_off,
    refused_requests_store_nothing_and_say_why,
    a_key_writes_only_into_its_app_and_stops_when_revoked,
    last_use_is_recorded_without_a_write_per_request,
    live_subscribers_get_committed_lines,
    a_full_queue_answers_503_and_recovers,
    an_app_over_its_rate_gets_429,
);
