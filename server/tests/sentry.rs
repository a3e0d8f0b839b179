//! The Sentry protocol routes (`/api/{app_id}/envelope/`, `/api/{app_id}/store/`) and the issue
//! server functions through the real router, on SQLite and PostgreSQL: the golden envelopes of
//! the official SDKs in every compression, refused envelopes, every way of naming the key,
//! CORS, back-pressure, grouping, regressions, the issue pages' data and cross-tenant access.
mod common;

use std::{io::Write, time::Duration};

use app::{
    backend::{
        AppState,
        entities::{events, issue_hours, issue_tags, issues, logs},
        ingest::IngestConfig,
        secrets::random_hex,
        services::{self, users},
        state::Settings,
        testing::TestDb,
    },
    model::{
        apps::AppView,
        issues::{EventView, IssueList, IssueStatus, IssueSummary, IssueView},
    },
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use common::{Answer, call, send, settings, sign_up, state_with};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// The server, its users and their apps

struct Site {
    state: AppState,
    router: Router,
}

/// An app as an SDK knows it: the id and the public key of its DSN.
#[derive(Clone)]
struct Project {
    id: i64,
    key: String,
}

fn site_with(test: &TestDb, ingest: IngestConfig) -> Site {
    let state = state_with(
        test,
        Settings {
            ingest,
            ..settings()
        },
    );
    let router = server::router::build(state.clone());
    Site { state, router }
}

fn site(test: &TestDb) -> Site {
    site_with(test, IngestConfig::default())
}

/// Signs `name` up (as `name@example.com`) and returns the session token.
async fn person(site: &Site, name: &str) -> String {
    sign_up(&site.router, name, &format!("{name}@example.com")).await
}

/// Creates an app through the page's server function; the key comes from the DSN it shows.
async fn project(site: &Site, token: &str, name: &str) -> Project {
    let answer = call(
        &site.router,
        "apps/create",
        &[("name", name), ("description", "")],
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let app = &answer.json()["app"];
    let dsn = app::backend::sentry::parse_dsn(app["dsn"].as_str().unwrap()).unwrap();
    let id = app["id"].as_i64().unwrap();
    assert_eq!(dsn.project_id, id, "the DSN names the app");
    Project {
        id,
        key: dsn.public_key,
    }
}

// ---------------------------------------------------------------------------------------------
// Requests as SDKs make them

async fn post(site: &Site, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Answer {
    let mut request = Request::post(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(&site.router, request.body(Body::from(body)).unwrap()).await
}

fn auth_header(key: &str) -> String {
    format!("Sentry sentry_key={key}, sentry_version=7, sentry_client=sentry.test/1.0")
}

/// An envelope to the project, authenticated by `X-Sentry-Auth`, uncompressed.
async fn send_envelope(site: &Site, project: &Project, body: Vec<u8>) -> Answer {
    let auth = auth_header(&project.key);
    post(
        site,
        &format!("/api/{}/envelope/", project.id),
        &[
            ("x-sentry-auth", &auth),
            ("content-type", "application/x-sentry-envelope"),
        ],
        body,
    )
    .await
}

/// An envelope: the header line, then each item with its `length`.
fn envelope(header: Value, items: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = header.to_string().into_bytes();
    out.push(b'\n');
    for (ty, payload) in items {
        out.extend(
            json!({"type": ty, "length": payload.len()})
                .to_string()
                .bytes(),
        );
        out.push(b'\n');
        out.extend_from_slice(payload);
        out.push(b'\n');
    }
    out
}

/// The envelope an SDK sends for one event: its id in the header too.
fn event_envelope(event: &Value) -> Vec<u8> {
    envelope(
        json!({"event_id": event["event_id"], "sent_at": "2026-12-01T20:00:00Z"}),
        &[("event", event.to_string().into_bytes())],
    )
}

/// A log item of `messages` at level info.
fn logs_envelope(messages: &[String]) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp() as f64;
    let items: Vec<Value> = messages
        .iter()
        .map(
            |message| json!({"timestamp": now, "level": "info", "body": message, "attributes": {}}),
        )
        .collect();
    envelope(
        json!({}),
        &[("log", json!({"items": items}).to_string().into_bytes())],
    )
}

/// An error raised in `shop.cart.checkout` (in app), with a fresh event id.
fn error_event(ty: &str, value: &str) -> Value {
    json!({
        "event_id": random_hex(16),
        "level": "error",
        "platform": "python",
        "exception": {"values": [{
            "type": ty,
            "value": value,
            "mechanism": {"type": "generic", "handled": false},
            "stacktrace": {"frames": [
                {"module": "shop.views", "function": "handle", "filename": "shop/views.py",
                 "lineno": 10, "in_app": true},
                {"module": "shop.cart", "function": "checkout", "filename": "shop/cart.py",
                 "lineno": 42, "in_app": true},
            ]},
        }]},
    })
}

/// A `capture_message` event at `level`, with a fresh event id.
fn message_event(message: &str, level: &str) -> Value {
    json!({"event_id": random_hex(16), "level": level, "message": message})
}

fn with(mut event: Value, fields: Value) -> Value {
    for (key, value) in fields.as_object().unwrap() {
        event[key] = value.clone();
    }
    event
}

/// Epoch seconds, `minutes` before now.
fn minutes_ago(minutes: i64) -> f64 {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).timestamp_micros() as f64 / 1e6
}

/// Sends each event in its own envelope; every one must be taken.
async fn send_events(site: &Site, project: &Project, events: &[Value]) {
    for event in events {
        let answer = send_envelope(site, project, event_envelope(event)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.json()["id"], event["event_id"], "{}", answer.body);
    }
}

fn error_of(answer: &Answer) -> (StatusCode, String) {
    let code = answer.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (answer.status, code)
}

fn compress(encoding: &str, body: &[u8]) -> Vec<u8> {
    match encoding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(body).unwrap();
            e.finish().unwrap()
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(body).unwrap();
            e.finish().unwrap()
        }
        "br" => {
            let mut out = Vec::new();
            brotli::BrotliCompress(&mut &body[..], &mut out, &Default::default()).unwrap();
            out
        }
        "zstd" => {
            ruzstd::encoding::compress_to_vec(body, ruzstd::encoding::CompressionLevel::Fastest)
        }
        _ => body.to_vec(),
    }
}

// ---------------------------------------------------------------------------------------------
// What is stored

async fn issues_of(test: &TestDb, app_id: i64) -> Vec<issues::Model> {
    issues::Entity::find()
        .filter(issues::Column::AppId.eq(app_id))
        .order_by_asc(issues::Column::Id)
        .all(&test.db)
        .await
        .unwrap()
}

async fn events_of(test: &TestDb, app_id: i64) -> Vec<events::Model> {
    events::Entity::find()
        .filter(events::Column::AppId.eq(app_id))
        .order_by_asc(events::Column::Id)
        .all(&test.db)
        .await
        .unwrap()
}

async fn logs_of(test: &TestDb, app_id: i64) -> Vec<logs::Model> {
    logs::Entity::find()
        .filter(logs::Column::AppId.eq(app_id))
        .order_by_asc(logs::Column::Id)
        .all(&test.db)
        .await
        .unwrap()
}

/// Rows of the app in logs, events and issues.
async fn stored(test: &TestDb, app_id: i64) -> (usize, usize, usize) {
    (
        logs_of(test, app_id).await.len(),
        events_of(test, app_id).await.len(),
        issues_of(test, app_id).await.len(),
    )
}

async fn skipped_items(site: &Site) -> Value {
    let answer = send(
        &site.router,
        Request::get("/health").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["ingest"]["sentry_items_skipped"].clone()
}

// ---------------------------------------------------------------------------------------------
// The issue server functions

async fn list_issues(site: &Site, token: &str, app_id: i64, query: &str, page: u32) -> Answer {
    call(
        &site.router,
        "issues/list",
        &[
            ("app_id", &app_id.to_string()),
            ("query", query),
            ("page", &page.to_string()),
        ],
        Some(token),
    )
    .await
}

async fn listed(site: &Site, token: &str, app_id: i64, query: &str, page: u32) -> IssueList {
    let answer = list_issues(site, token, app_id, query, page).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    let (app, list): (AppView, IssueList) = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(app.id, app_id);
    list
}

/// The titles the list shows for `query`, in its order.
async fn titles(site: &Site, token: &str, app_id: i64, query: &str) -> Vec<String> {
    listed(site, token, app_id, query, 0)
        .await
        .issues
        .into_iter()
        .map(|issue| issue.title)
        .collect()
}

async fn get_issue(
    site: &Site,
    token: &str,
    app_id: i64,
    issue_id: i64,
    event: Option<&str>,
) -> Answer {
    let app_id = app_id.to_string();
    let issue_id = issue_id.to_string();
    let mut form = vec![("app_id", app_id.as_str()), ("issue_id", issue_id.as_str())];
    if let Some(event) = event {
        form.push(("event", event));
    }
    call(&site.router, "issues/view", &form, Some(token)).await
}

async fn viewed(
    site: &Site,
    token: &str,
    app_id: i64,
    issue_id: i64,
    event: Option<&str>,
) -> IssueView {
    let answer = get_issue(site, token, app_id, issue_id, event).await;
    assert_eq!(answer.status, StatusCode::OK, "{event:?}: {}", answer.body);
    let (_, view): (AppView, IssueView) = serde_json::from_str(&answer.body).unwrap();
    view
}

/// `update_issues` as the page's bulk actions send it (`ids[0]=…&ids[1]=…`).
async fn update_issues(site: &Site, token: &str, app_id: i64, ids: &[i64], action: &str) -> Answer {
    let app_id = app_id.to_string();
    let names: Vec<String> = (0..ids.len()).map(|i| format!("ids[{i}]")).collect();
    let values: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut form = vec![("app_id", app_id.as_str()), ("action", action)];
    form.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(values.iter().map(String::as_str)),
    );
    call(&site.router, "issues/update", &form, Some(token)).await
}

async fn updated(site: &Site, token: &str, app_id: i64, ids: &[i64], action: &str) {
    let answer = update_issues(site, token, app_id, ids, action).await;
    assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.body);
}

fn not_found(answer: &Answer, what: &str) {
    assert_eq!(
        answer.status,
        StatusCode::NOT_FOUND,
        "{what}: {}",
        answer.body
    );
    assert_eq!(answer.json(), json!("NotFound"), "{what}");
}

// ---------------------------------------------------------------------------------------------
// 1. The golden envelopes of the official SDKs

const ENCODINGS: [&str; 5] = ["identity", "gzip", "deflate", "br", "zstd"];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../app/tests/fixtures/sentry/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The fixture's request for `project`: its path, its headers (the auth as the SDK sent it,
/// minus what the transport set) and its body with the envelope header's key and project
/// replaced (the header line has no `length`, so the items stay framed).
fn golden_request(name: &str, project: &Project) -> (String, Vec<(String, String)>, Vec<u8>) {
    let mine = |text: &str| {
        text.replace("publickey", &project.key)
            .replace("/api/42/", &format!("/api/{}/", project.id))
            .replace("/42\"", &format!("/{}\"", project.id))
    };
    let body = fixture(name);
    let split = body.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&body[..split]).unwrap();
    let mut rewritten = mine(header).into_bytes();
    rewritten.extend_from_slice(&body[split..]);

    let request_json = format!("{}.request.json", name.trim_end_matches(".envelope"));
    let path_of_fixture = format!(
        "{}/../app/tests/fixtures/sentry/{request_json}",
        env!("CARGO_MANIFEST_DIR")
    );
    let (path, headers) = if std::path::Path::new(&path_of_fixture).exists() {
        let request: Value = serde_json::from_slice(&fixture(&request_json)).unwrap();
        let transport = [
            "host",
            "connection",
            "content-length",
            "transfer-encoding",
            "accept-encoding",
            "content-encoding",
        ];
        let headers = request["headers"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(name, _)| !transport.contains(&name.to_ascii_lowercase().as_str()))
            .map(|(name, value)| (name.clone(), mine(value.as_str().unwrap())))
            .collect();
        (mine(request["path"].as_str().unwrap()), headers)
    } else if header.contains("\"dsn\"") {
        // sentry-go names itself by the DSN in the envelope header only.
        (format!("/api/{}/envelope/", project.id), Vec::new())
    } else {
        (
            format!("/api/{}/envelope/", project.id),
            vec![("X-Sentry-Auth".into(), auth_header(&project.key))],
        )
    };
    (path, headers, rewritten)
}

async fn send_golden(site: &Site, name: &str, project: &Project, encoding: &str) -> Answer {
    let (path, headers, body) = golden_request(name, project);
    let mut headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if encoding != "identity" {
        headers.push(("Content-Encoding", encoding));
    }
    post(site, &path, &headers, compress(encoding, &body)).await
}

/// What an error fixture must leave: an issue, its event, its log line.
struct GoldenError {
    name: &'static str,
    event_id: &'static str,
    title: &'static str,
    culprit: &'static str,
    /// The stored log line's level.
    level: i16,
    /// The functions of the frames that explain it (the raised exception's, else the thread's).
    functions: &'static [&'static str],
}

const GOLDEN_ERRORS: [GoldenError; 6] = [
    GoldenError {
        name: "python-exception.envelope",
        event_id: "ff925c88677d4dcab25a72ddb27bceb4",
        title: "ValueError: invalid literal for int() with base 10: 'three'",
        culprit: "__main__ in parse_quantity",
        level: 4,
        functions: &["<module>", "add_to_cart", "parse_quantity"],
    },
    GoldenError {
        name: "python-chained-exception.envelope",
        event_id: "6598345df7fd4912be0507c34c6fa526",
        title: "CheckoutError: checkout of order 992 failed",
        culprit: "__main__ in checkout",
        level: 4,
        functions: &["<module>", "checkout"],
    },
    GoldenError {
        name: "python-message.envelope",
        event_id: "8c6d70537c124c1f854a51ee23cd1d78",
        title: "Disk usage at 91% on /var/lib/shop",
        culprit: "",
        level: 3,
        functions: &[],
    },
    GoldenError {
        name: "node-exception.envelope",
        event_id: "e659521e75d24253a0b0cda90ef869ce",
        title: "TypeError: Cannot read properties of undefined (reading 'items')",
        culprit: "capture in loadCart",
        level: 4,
        functions: &[
            "?",
            "Function.executeUserEntryPoint [as runMain]",
            "Module._load",
            "Module.load",
            "Module._extensions..js",
            "Module._compile",
            "Object.?",
            "handle",
            "loadCart",
        ],
    },
    GoldenError {
        name: "go-exception.envelope",
        event_id: "6b2f3c0e8a4d4f1b9c7e5a3d2f1e0b9a",
        title: "*fmt.wrapError: reserve ABC-123: strconv.Atoi: parsing \"two\": invalid syntax",
        culprit: "main in reserveStock",
        level: 4,
        functions: &["main", "main", "reserveStock", "Atoi"],
    },
    GoldenError {
        name: "rust-exception.envelope",
        event_id: "3f0d4c9e2b1a4e8f9d7c6b5a4f3e2d1c",
        title: "stock_sync::SyncError: row 17: quantity is not a number",
        culprit: "sync.rs in stock_sync::sync_rows",
        level: 4,
        functions: &[
            "std::rt::lang_start_internal",
            "stock_sync::main",
            "stock_sync::sync_rows",
            "sentry_core::api::capture_error",
        ],
    },
];

/// (fixture, [(message, level, attributes that must be there with their JSON type)])
type GoldenLogs = (&'static str, Vec<(&'static str, i16, Value)>);

fn golden_logs() -> Vec<GoldenLogs> {
    vec![
        (
            "python-logs.envelope",
            vec![
                (
                    "Order 991 placed by ada",
                    2,
                    json!({"cart.items": 3, "cart.total": 19.5, "express": true,
                           "sentry.message.parameter.order_id": 991,
                           "sentry.message.template": "Order {order_id} placed by {user}"}),
                ),
                ("Payment retry for order 991", 3, json!({})),
            ],
        ),
        (
            "node-logs.envelope",
            vec![
                (
                    "Cart 7 loaded in 12ms",
                    2,
                    json!({"cart.size": 3, "cache.hit": false, "ratio": 0.25, "user.id": "7",
                           "sentry.message.parameter.1": 12}),
                ),
                ("Slow query on carts", 3, json!({"db.duration_ms": 812})),
            ],
        ),
        (
            "go-logs.envelope",
            vec![
                (
                    "reserved 3 of ABC-123",
                    2,
                    json!({"qty": 3, "price": 12.75, "backorder": false, "sku": "ABC-123"}),
                ),
                ("stock below zero for ABC-123", 4, json!({"sku": "ABC-123"})),
            ],
        ),
        (
            "rust-logs.envelope",
            vec![(
                "retrying row 17 in 2s",
                3,
                json!({"row": 17, "attempt": 2, "server.address": "sync-1"}),
            )],
        ),
    ]
}

fn functions_of(frames: &Value) -> Vec<String> {
    frames
        .as_array()
        .unwrap()
        .iter()
        .map(|frame| frame["function"].as_str().unwrap_or("?").to_string())
        .collect()
}

async fn check_golden_error(test: &TestDb, golden: &GoldenError, project: &Project, what: &str) {
    let issues = issues_of(test, project.id).await;
    assert_eq!(issues.len(), 1, "{what}");
    let issue = &issues[0];
    assert_eq!(issue.title, golden.title, "{what}");
    assert_eq!(issue.culprit, golden.culprit, "{what}");
    assert_eq!(
        (issue.status.as_str(), issue.times_seen, issue.level),
        ("unresolved", 1, golden.level),
        "{what}"
    );

    let events = events_of(test, project.id).await;
    assert_eq!(events.len(), 1, "{what}");
    let event = &events[0];
    assert_eq!(
        (event.issue_id, event.event_id.as_str()),
        (issue.id, golden.event_id),
        "{what}"
    );
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["title"], golden.title, "{what}");
    assert_eq!(payload["culprit"], golden.culprit, "{what}");
    let exceptions = payload["exceptions"].as_array().unwrap();
    let frames = match exceptions.last() {
        Some(raised) if !raised["frames"].as_array().unwrap().is_empty() => &raised["frames"],
        _ => &payload["thread_frames"],
    };
    assert_eq!(functions_of(frames), golden.functions, "{what}");

    let lines = logs_of(test, project.id).await;
    assert_eq!(lines.len(), 1, "{what}");
    let line = &lines[0];
    assert_eq!(line.issue_id, Some(issue.id), "{what}");
    assert_eq!(line.level, golden.level, "{what}");
    assert_eq!(line.message, golden.title, "{what}");
    assert_eq!(line.attributes["event_id"], golden.event_id, "{what}");
    assert_eq!(
        event.log_id,
        Some(line.id),
        "{what}: the event names its line"
    );
}

async fn check_golden_logs(test: &TestDb, golden: &GoldenLogs, project: &Project, what: &str) {
    assert_eq!(stored(test, project.id).await.1, 0, "{what}: no events");
    let lines = logs_of(test, project.id).await;
    let (_, expected) = golden;
    assert_eq!(lines.len(), expected.len(), "{what}");
    for (line, (message, level, attributes)) in lines.iter().zip(expected) {
        assert_eq!(
            (line.message.as_str(), line.level, line.issue_id),
            (*message, *level, None),
            "{what}"
        );
        for (key, value) in attributes.as_object().unwrap() {
            let stored = &line.attributes[key];
            assert_eq!(stored, value, "{what}: {key}");
            // Equal JSON numbers may still differ in kind (3 and 3.0): integers stay integers.
            assert_eq!(stored.is_i64(), value.is_i64(), "{what}: {key} is {stored}");
            assert_eq!(stored.is_f64(), value.is_f64(), "{what}: {key} is {stored}");
        }
    }
}

async fn golden_envelopes_in_every_compression_are_stored(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let mut last = None;
    for encoding in ENCODINGS {
        for golden in &GOLDEN_ERRORS {
            let what = format!("{} as {encoding}", golden.name);
            let p = project(&site, &ada, &what).await;
            let answer = send_golden(&site, golden.name, &p, encoding).await;
            assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
            assert_eq!(answer.json(), json!({"id": golden.event_id}), "{what}");
            check_golden_error(test, golden, &p, &what).await;
            last = Some(p);
        }
        for golden in golden_logs() {
            let what = format!("{} as {encoding}", golden.0);
            let p = project(&site, &ada, &what).await;
            let answer = send_golden(&site, golden.0, &p, encoding).await;
            assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
            let id = answer.json()["id"].as_str().unwrap_or_default().to_string();
            assert!(
                id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
                "{what}: {id}"
            );
            check_golden_logs(test, &golden, &p, &what).await;
        }
        // A session only: taken, counted, not stored.
        let what = format!("node-session.envelope as {encoding}");
        let p = project(&site, &ada, &what).await;
        let answer = send_golden(&site, "node-session.envelope", &p, encoding).await;
        assert_eq!(answer.status, StatusCode::OK, "{what}: {}", answer.body);
        assert_eq!(stored(test, p.id).await, (0, 0, 0), "{what}");
    }
    assert_eq!(
        skipped_items(&site).await,
        json!({"session": 5, "client_report": 5, "attachment": 5}),
        "go-exception's client report and attachment, node-session's session"
    );

    // The SDK sends the same event again (it did not see the answer): stored once.
    let rust = last.unwrap();
    let again = send_golden(&site, "rust-exception.envelope", &rust, "gzip").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["id"], GOLDEN_ERRORS[5].event_id);
    check_golden_error(test, &GOLDEN_ERRORS[5], &rust, "sent twice").await;
    // Also when the envelope header carries no id and only the payload does.
    let payload = {
        let body = fixture("python-exception.envelope");
        let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
        lines[2].to_vec()
    };
    let python = project(&site, &ada, "python twice").await;
    for _ in 0..2 {
        let answer = send_envelope(
            &site,
            &python,
            envelope(json!({}), &[("event", payload.clone())]),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.json()["id"], GOLDEN_ERRORS[0].event_id);
    }
    check_golden_error(test, &GOLDEN_ERRORS[0], &python, "payload id twice").await;
}

// ---------------------------------------------------------------------------------------------
// 2. Malformed envelopes

async fn malformed_envelopes_are_refused_whole(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "shop").await;
    let good_event = error_event("ValueError", "fine").to_string().into_bytes();
    let big = format!(r#"{{"message":"{}"}}"#, "x".repeat((1 << 20) + 10)).into_bytes();
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "bad header line",
            b"this is not json\n{\"type\":\"event\"}\n{}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_envelope_header",
        ),
        (
            "header is an array",
            b"[1]\n{\"type\":\"event\"}\n{}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_envelope_header",
        ),
        (
            "empty body",
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "empty_envelope",
        ),
        (
            "bad item header",
            b"{}\n{type: event}\n{}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_item_header",
        ),
        (
            "item header without type",
            b"{}\n{\"length\":2}\n{}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "missing_item_type",
        ),
        (
            "length past the end",
            b"{}\n{\"type\":\"event\",\"length\":500}\n{\"message\":\"short\"}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "length_past_end",
        ),
        (
            "wrong length",
            b"{}\n{\"type\":\"event\",\"length\":5}\n{\"message\":\"short\"}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "missing_newline",
        ),
        (
            "bad JSON event item",
            b"{}\n{\"type\":\"event\"}\n{\"message\": oops}\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_event_json",
        ),
        (
            "event item not an object",
            b"{}\n{\"type\":\"event\"}\n[\"message\"]\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_event",
        ),
        (
            "bad JSON log item",
            b"{}\n{\"type\":\"log\"}\n{\"items\": [\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "invalid_log_json",
        ),
        (
            "a good event, then a bad one",
            envelope(
                json!({}),
                &[("event", good_event.clone()), ("event", b"{oops".to_vec())],
            ),
            StatusCode::BAD_REQUEST,
            "invalid_event_json",
        ),
        (
            "a good event, then a broken frame",
            {
                let mut body = envelope(json!({}), &[("event", good_event.clone())]);
                body.extend_from_slice(b"{\"type\":\"log\",\"length\":99999}\n{}\n");
                body
            },
            StatusCode::BAD_REQUEST,
            "length_past_end",
        ),
        (
            "item over 1 MiB, with its length",
            envelope(json!({}), &[("event", big.clone())]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "item_too_large",
        ),
        (
            "item over 1 MiB, to the newline",
            {
                let mut body = b"{}\n{\"type\":\"event\"}\n".to_vec();
                body.extend_from_slice(&big);
                body.push(b'\n');
                body
            },
            StatusCode::PAYLOAD_TOO_LARGE,
            "item_too_large",
        ),
    ];
    for (what, body, status, code) in cases {
        let answer = send_envelope(&site, &p, body).await;
        assert_eq!(
            error_of(&answer),
            (status, code.to_string()),
            "{what}: {}",
            answer.body
        );
        let message = answer.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(!message.is_empty(), "{what}");
        assert_eq!(
            answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "*",
            "{what}: a browser SDK can read the refusal"
        );
        assert_eq!(
            stored(test, p.id).await,
            (0, 0, 0),
            "{what}: nothing stored"
        );
    }
    assert_eq!(
        skipped_items(&site).await,
        json!({}),
        "refused items are not counted"
    );

    // Unknown item types are skipped, never refused.
    let unknown = envelope(
        json!({}),
        &[
            ("profile_chunk_v9", b"{\"anything\": [1, 2]}".to_vec()),
            ("profile_chunk_v9", b"not even json".to_vec()),
            ("transaction", b"{\"type\":\"transaction\"}".to_vec()),
        ],
    );
    let answer = send_envelope(&site, &p, unknown).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored(test, p.id).await, (0, 0, 0));
    assert_eq!(
        skipped_items(&site).await,
        json!({"profile_chunk_v9": 2, "transaction": 1})
    );
    // Beside an event, the event is stored.
    let event = error_event("KeyError", "sku");
    let mixed = envelope(
        json!({"event_id": event["event_id"]}),
        &[
            ("event", event.to_string().into_bytes()),
            ("profile_chunk_v9", b"{}".to_vec()),
        ],
    );
    let answer = send_envelope(&site, &p, mixed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored(test, p.id).await, (1, 1, 1));
    assert_eq!(skipped_items(&site).await["profile_chunk_v9"], 3);
}

// ---------------------------------------------------------------------------------------------
// 3. Auth

async fn every_way_of_naming_the_key_and_every_refusal(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let a = project(&site, &ada, "checkout").await;
    let b = project(&site, &ada, "billing").await;
    let bob = person(&site, "bob").await;
    let bobs = project(&site, &bob, "bob's").await;
    let path = |p: &Project| format!("/api/{}/envelope/", p.id);
    let body = |message: &str| event_envelope(&message_event(message, "error"));
    let with_dsn = |key: &str, project_id: i64, message: &str| {
        let event = message_event(message, "error");
        envelope(
            json!({"event_id": event["event_id"],
                   "dsn": format!("http://{key}@127.0.0.1:3000/{project_id}")}),
            &[("event", event.to_string().into_bytes())],
        )
    };

    let header = auth_header(&a.key);
    let accepted = [
        post(
            &site,
            &path(&a),
            &[("x-sentry-auth", &header)],
            body("by x-sentry-auth"),
        )
        .await,
        post(
            &site,
            &path(&a),
            &[("authorization", &header)],
            body("by authorization"),
        )
        .await,
        post(
            &site,
            &format!("{}?sentry_version=7&sentry_key={}", path(&a), a.key),
            &[],
            body("by query string"),
        )
        .await,
        post(
            &site,
            &path(&a),
            &[],
            with_dsn(&a.key, a.id, "by envelope dsn"),
        )
        .await,
        // The legacy paths without the trailing slash.
        post(
            &site,
            &format!("/api/{}/envelope", a.id),
            &[("x-sentry-auth", &header)],
            body("without the slash"),
        )
        .await,
    ];
    for answer in &accepted {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let mut messages: Vec<String> = logs_of(test, a.id)
        .await
        .into_iter()
        .map(|line| line.message)
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "by authorization",
            "by envelope dsn",
            "by query string",
            "by x-sentry-auth",
            "without the slash"
        ]
    );
    assert_eq!(issues_of(test, a.id).await.len(), 5);
    let before = stored(test, a.id).await;

    let b_header = auth_header(&b.key);
    let bobs_header = auth_header(&bobs.key);
    let unknown = auth_header(&random_hex(16));
    let refused: Vec<(&str, Answer, StatusCode, &str)> = vec![
        (
            "no auth",
            post(&site, &path(&a), &[], body("nobody")).await,
            StatusCode::UNAUTHORIZED,
            "missing_auth",
        ),
        (
            "a bearer token is not Sentry auth",
            post(
                &site,
                &path(&a),
                &[("authorization", "Bearer sk_abc")],
                body("bearer"),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "missing_auth",
        ),
        (
            "an auth header without a key",
            post(
                &site,
                &path(&a),
                &[("x-sentry-auth", "Sentry sentry_version=7")],
                body("x"),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_auth",
        ),
        (
            "an unreadable dsn",
            post(
                &site,
                &path(&a),
                &[],
                envelope(json!({"dsn": "not a dsn"}), &[("event", b"{}".to_vec())]),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "invalid_dsn",
        ),
        (
            "an unknown key",
            post(
                &site,
                &path(&a),
                &[("x-sentry-auth", &unknown)],
                body("unknown"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "unknown_dsn",
        ),
        (
            "an unknown key in the query",
            post(
                &site,
                &format!("{}?sentry_key=nope", path(&a)),
                &[],
                body("unknown"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "unknown_dsn",
        ),
        (
            "the owner's other app's key",
            post(
                &site,
                &path(&a),
                &[("x-sentry-auth", &b_header)],
                body("b on a"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "another user's key",
            post(
                &site,
                &path(&a),
                &[("x-sentry-auth", &bobs_header)],
                body("bob on a"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "another user's key in the query",
            post(
                &site,
                &format!("{}?sentry_key={}", path(&a), bobs.key),
                &[],
                body("bob"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "another user's dsn on this path",
            post(
                &site,
                &path(&a),
                &[],
                with_dsn(&bobs.key, bobs.id, "bob's dsn"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "this app's key with another project in the dsn",
            post(
                &site,
                &path(&a),
                &[],
                with_dsn(&a.key, bobs.id, "mixed dsn"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "this app's key on another app's path",
            post(
                &site,
                &path(&bobs),
                &[("x-sentry-auth", &header)],
                body("a on bob"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "an app that does not exist",
            post(
                &site,
                "/api/999999/envelope/",
                &[("x-sentry-auth", &header)],
                body("x"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
        (
            "a path that is not an app id",
            post(
                &site,
                "/api/shop/envelope/",
                &[("x-sentry-auth", &header)],
                body("x"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_project",
        ),
        (
            "app id zero",
            post(
                &site,
                "/api/0/envelope/",
                &[("x-sentry-auth", &header)],
                body("x"),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_project",
        ),
        (
            "a path that is not an app id, legacy store",
            post(
                &site,
                "/api/-3/store/",
                &[("x-sentry-auth", &header)],
                b"{}".to_vec(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_project",
        ),
    ];
    for (what, answer, status, code) in &refused {
        assert_eq!(
            error_of(answer),
            (*status, code.to_string()),
            "{what}: {}",
            answer.body
        );
    }
    assert_eq!(stored(test, a.id).await, before, "nothing more in a");
    assert_eq!(stored(test, b.id).await, (0, 0, 0), "nothing in b");
    assert_eq!(
        stored(test, bobs.id).await,
        (0, 0, 0),
        "nothing in bob's app"
    );
    assert_eq!(
        logs::Entity::find().count(&test.db).await.unwrap(),
        5,
        "no line anywhere else"
    );

    // A rotated DSN is refused at once, though its answer was just cached; the new one works.
    let owner = users::find_by_email(&test.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let rotated = services::apps::rotate_public_key(&test.db, owner.id, a.id)
        .await
        .unwrap();
    site.state.ingest.keys.forget_app(a.id);
    let answer = post(
        &site,
        &path(&a),
        &[("x-sentry-auth", &header)],
        body("old dsn"),
    )
    .await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::FORBIDDEN, "unknown_dsn".into()),
        "{}",
        answer.body
    );
    let answer = post(&site, &path(&a), &[], with_dsn(&a.key, a.id, "old dsn")).await;
    assert_eq!(
        error_of(&answer),
        (StatusCode::FORBIDDEN, "unknown_dsn".into())
    );
    assert_eq!(stored(test, a.id).await, before);
    let fresh = auth_header(&rotated.public_key);
    let answer = post(
        &site,
        &path(&a),
        &[("x-sentry-auth", &fresh)],
        body("new dsn"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

// ---------------------------------------------------------------------------------------------
// 4. CORS

async fn browser_sdks_pass_the_cors_preflight(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "web").await;
    for path in [
        format!("/api/{}/envelope/", p.id),
        format!("/api/{}/store/", p.id),
    ] {
        let preflight = send(
            &site.router,
            Request::builder()
                .method(Method::OPTIONS)
                .uri(&path)
                .header(header::ORIGIN, "https://shop.example.com")
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(
                    header::ACCESS_CONTROL_REQUEST_HEADERS,
                    "content-type, x-sentry-auth, sentry-trace, baggage",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert!(
            preflight.status.is_success(),
            "{path}: {}",
            preflight.status
        );
        let h = |name: header::HeaderName| {
            preflight
                .headers
                .get(&name)
                .map(|v| v.to_str().unwrap().to_ascii_lowercase())
                .unwrap_or_default()
        };
        assert_eq!(h(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*", "{path}");
        assert!(
            h(header::ACCESS_CONTROL_ALLOW_METHODS).contains("post"),
            "{path}"
        );
        let allowed = h(header::ACCESS_CONTROL_ALLOW_HEADERS);
        for requested in ["content-type", "x-sentry-auth", "sentry-trace", "baggage"] {
            assert!(allowed.contains(requested), "{path}: {allowed}");
        }
    }

    // The POST itself, from a page of another site (no Origin check on machine routes).
    let auth = auth_header(&p.key);
    let event = message_event("clicked checkout", "error");
    let answer = post(
        &site,
        &format!("/api/{}/envelope/", p.id),
        &[
            ("x-sentry-auth", &auth),
            ("origin", "https://shop.example.com"),
            ("sec-fetch-site", "cross-site"),
            ("content-type", "text/plain;charset=UTF-8"),
        ],
        event_envelope(&event),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let exposed = answer.headers[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("retry-after") && exposed.contains("x-sentry-rate-limits"),
        "{exposed}"
    );
    assert_eq!(stored(test, p.id).await, (1, 1, 1));
}

// ---------------------------------------------------------------------------------------------
// 5. Back-pressure

async fn an_app_over_its_rate_gets_429_with_sentry_headers(test: &TestDb) {
    let site = site_with(
        test,
        IngestConfig {
            app_rate: 3.0,
            ..IngestConfig::default()
        },
    );
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "busy").await;
    let lines =
        |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix} {i}")).collect::<Vec<_>>();
    let first = send_envelope(&site, &p, logs_envelope(&lines("first", 3))).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let event = error_event("ValueError", "too fast");
    for body in [logs_envelope(&lines("second", 2)), event_envelope(&event)] {
        let limited = send_envelope(&site, &p, body).await;
        assert_eq!(
            error_of(&limited),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()),
            "{}",
            limited.body
        );
        let retry_after: u64 = limited.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry_after >= 1);
        let limits = limited.headers["x-sentry-rate-limits"].to_str().unwrap();
        assert!(
            limits.starts_with(&format!("{retry_after}::")),
            "seconds, then every category: {limits}"
        );
        assert_eq!(limited.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }
    assert_eq!(
        stored(test, p.id).await,
        (3, 0, 0),
        "only the first envelope"
    );
}

async fn a_full_queue_answers_429_and_recovers(test: &TestDb) {
    let site = site_with(
        test,
        IngestConfig {
            queue_lines: 10,
            ..IngestConfig::default()
        },
    );
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "queued").await;
    let lines =
        |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix} {i}")).collect::<Vec<_>>();
    // Hold the write lock so that the writer waits with the first envelope's lines queued.
    let blocker = test.db.begin().await.unwrap();
    let lock = match test.db.get_database_backend() {
        DbBackend::Postgres => "LOCK TABLE logs IN EXCLUSIVE MODE",
        _ => "INSERT INTO app_metrics (app_id, minute) VALUES (-1, 0)",
    };
    blocker.execute_unprepared(lock).await.unwrap();
    let router = site.router.clone();
    let auth = auth_header(&p.key);
    let path = format!("/api/{}/envelope/", p.id);
    let first_body = logs_envelope(&lines("held", 6));
    let first = tokio::spawn(async move {
        let request = Request::post(path)
            .header("x-sentry-auth", auth)
            .body(Body::from(first_body))
            .unwrap();
        send(&router, request).await
    });
    for _ in 0..200 {
        if site.state.ingest.queued_lines() == 6 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(site.state.ingest.queued_lines(), 6);
    let refused = send_envelope(&site, &p, logs_envelope(&lines("refused", 5))).await;
    assert_eq!(
        error_of(&refused),
        (StatusCode::TOO_MANY_REQUESTS, "queue_full".into()),
        "SDKs drop an event on a 5xx but retry after a 429"
    );
    assert_eq!(refused.headers[header::RETRY_AFTER], "1");
    assert!(
        refused.headers["x-sentry-rate-limits"]
            .to_str()
            .unwrap()
            .starts_with("1::")
    );
    blocker.rollback().await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let retried = send_envelope(&site, &p, logs_envelope(&lines("retried", 5))).await;
    assert_eq!(retried.status, StatusCode::OK, "{}", retried.body);
    assert_eq!(stored(test, p.id).await.0, 11);
}

// ---------------------------------------------------------------------------------------------
// 6. The legacy /store/ endpoint

async fn the_store_endpoint_takes_one_event(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "legacy").await;
    let payload = {
        let body = fixture("python-exception.envelope");
        body.split(|&b| b == b'\n').nth(2).unwrap().to_vec()
    };
    let auth = auth_header(&p.key);
    let answer = post(
        &site,
        &format!("/api/{}/store/", p.id),
        &[
            ("x-sentry-auth", &auth),
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
        ],
        compress("gzip", &payload),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.json(), json!({"id": GOLDEN_ERRORS[0].event_id}));
    assert_eq!(answer.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    check_golden_error(test, &GOLDEN_ERRORS[0], &p, "/store/").await;

    // Without the trailing slash, by the query string; an event without an id gets one.
    let answer = post(
        &site,
        &format!("/api/{}/store?sentry_key={}", p.id, p.key),
        &[],
        json!({"message": "stored without an id", "level": "info"})
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let id = answer.json()["id"].as_str().unwrap().to_string();
    let events = events_of(test, p.id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].event_id, id, "the answer names the stored event");

    // Refusals: not JSON, no key, another app's key.
    let cases = [
        (
            post(
                &site,
                &format!("/api/{}/store/", p.id),
                &[("x-sentry-auth", &auth)],
                b"{oops".to_vec(),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_event_json",
        ),
        (
            post(&site, &format!("/api/{}/store/", p.id), &[], b"{}".to_vec()).await,
            StatusCode::UNAUTHORIZED,
            "missing_auth",
        ),
        (
            post(
                &site,
                "/api/999999/store/",
                &[("x-sentry-auth", &auth)],
                b"{}".to_vec(),
            )
            .await,
            StatusCode::FORBIDDEN,
            "project_mismatch",
        ),
    ];
    for (answer, status, code) in cases {
        assert_eq!(
            error_of(&answer),
            (status, code.to_string()),
            "{}",
            answer.body
        );
    }
    assert_eq!(stored(test, p.id).await, (2, 2, 2));
}

// ---------------------------------------------------------------------------------------------
// 7. Grouping, through the route

async fn events_group_into_issues_by_the_grouping_rules(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "grouping").await;
    let times_seen = |issues: &[issues::Model], title_start: &str| -> Vec<i64> {
        issues
            .iter()
            .filter(|issue| issue.title.starts_with(title_start))
            .map(|issue| issue.times_seen)
            .collect()
    };

    // The same error with other numbers and ids in its message: one issue.
    send_events(
        &site,
        &p,
        &[
            error_event(
                "PaymentError",
                "order 991 failed (job 8c6d7053-7c12-4f85-be05-07c34c6fa526) after 812ms",
            ),
            error_event(
                "PaymentError",
                "order 13 failed (job 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) after 3ms",
            ),
        ],
    )
    .await;
    let issues = issues_of(test, p.id).await;
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].times_seen, 2);
    assert!(
        issues[0].title.starts_with("PaymentError: order 13 failed"),
        "the newest event names the issue: {}",
        issues[0].title
    );
    let grouping: Vec<String> = serde_json::from_str(&issues[0].grouping).unwrap();
    assert_eq!(
        grouping,
        [
            "exception",
            "exception",
            "PaymentError",
            "order <num> failed (job <uuid>) after <num>ms",
            "checkout"
        ]
    );

    // Another type: another issue.
    send_events(
        &site,
        &p,
        &[error_event(
            "RefundError",
            "order 991 failed (job 8c6d7053-7c12-4f85-be05-07c34c6fa526) after 812ms",
        )],
    )
    .await;
    let issues = issues_of(test, p.id).await;
    assert_eq!(issues.len(), 2);
    assert_eq!(times_seen(&issues, "RefundError"), [1]);

    // The SDK's fingerprint groups different errors together.
    let fingerprint = json!({"fingerprint": ["my-group"]});
    send_events(
        &site,
        &p,
        &[
            with(error_event("KeyError", "sku"), fingerprint.clone()),
            with(message_event("the database is down", "fatal"), fingerprint),
        ],
    )
    .await;
    let issues = issues_of(test, p.id).await;
    assert_eq!(issues.len(), 3);
    let custom = issues.last().unwrap();
    assert_eq!(custom.times_seen, 2);
    assert_eq!(
        custom.title, "the database is down",
        "named by its newest event"
    );
    assert_eq!(custom.level, 5);
    let grouping: Vec<String> = serde_json::from_str(&custom.grouping).unwrap();
    assert_eq!(grouping, ["fingerprint", "fingerprint", "my-group"]);

    // `{{ default }}` plus a part splits from the default grouping; `{{ default }}` alone is it.
    send_events(
        &site,
        &p,
        &[
            with(
                error_event(
                    "PaymentError",
                    "order 5 failed (job 00000000-0000-4000-8000-000000000000) after 1ms",
                ),
                json!({"fingerprint": ["{{ default }}", "x"]}),
            ),
            with(
                error_event(
                    "PaymentError",
                    "order 6 failed (job 00000000-0000-4000-8000-000000000001) after 2ms",
                ),
                json!({"fingerprint": ["{{ default }}"]}),
            ),
        ],
    )
    .await;
    let issues = issues_of(test, p.id).await;
    assert_eq!(issues.len(), 4);
    assert_eq!(
        times_seen(&issues, "PaymentError"),
        [3, 1],
        "the default issue got the second, a new issue the first"
    );
    // Every event names its issue, and every line its event's issue.
    let events = events_of(test, p.id).await;
    let lines = logs_of(test, p.id).await;
    assert_eq!((events.len(), lines.len()), (7, 7));
    for event in &events {
        let line = lines.iter().find(|l| Some(l.id) == event.log_id).unwrap();
        assert_eq!(line.issue_id, Some(event.issue_id));
    }
    let counted: i64 = issues.iter().map(|issue| issue.times_seen).sum();
    assert_eq!(counted, 7);
}

// ---------------------------------------------------------------------------------------------
// 8. Regressions

fn summary(list: &IssueList, id: i64) -> Option<&IssueSummary> {
    list.issues.iter().find(|issue| issue.id == id)
}

async fn a_resolved_issue_regresses_and_an_ignored_one_stays_ignored(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "regress").await;
    send_events(&site, &p, &[error_event("ValueError", "bad quantity 3")]).await;
    let issue = issues_of(test, p.id).await[0].id;

    updated(&site, &ada, p.id, &[issue], "resolve").await;
    let view = viewed(&site, &ada, p.id, issue, None).await;
    assert_eq!(
        (view.issue.status, view.issue.regressed),
        (IssueStatus::Resolved, false)
    );
    assert!(summary(&listed(&site, &ada, p.id, "", 0).await, issue).is_none());
    assert!(summary(&listed(&site, &ada, p.id, "is:resolved", 0).await, issue).is_some());
    assert!(issues_of(test, p.id).await[0].resolved_at.is_some());

    // It happens again: unresolved, and marked as a regression.
    send_events(&site, &p, &[error_event("ValueError", "bad quantity 7")]).await;
    let view = viewed(&site, &ada, p.id, issue, None).await;
    assert_eq!(
        (view.issue.status, view.issue.regressed, view.issue.events),
        (IssueStatus::Unresolved, true, 2)
    );
    let list = listed(&site, &ada, p.id, "", 0).await;
    let listed_issue = summary(&list, issue).expect("back in the default list");
    assert!(listed_issue.regressed);
    assert_eq!(listed_issue.status, IssueStatus::Unresolved);
    let row = &issues_of(test, p.id).await[0];
    assert_eq!(row.resolved_at, None);
    assert!(row.regressed_at.is_some());
    // Resolved again, the mark goes; a reopened issue is not a regression.
    updated(&site, &ada, p.id, &[issue], "resolve").await;
    updated(&site, &ada, p.id, &[issue], "reopen").await;
    let view = viewed(&site, &ada, p.id, issue, None).await;
    assert_eq!(
        (view.issue.status, view.issue.regressed),
        (IssueStatus::Unresolved, false)
    );

    // Ignored stays ignored, though it keeps counting.
    send_events(
        &site,
        &p,
        &[error_event("TimeoutError", "upstream took 30s")],
    )
    .await;
    let ignored = issues_of(test, p.id).await[1].id;
    updated(&site, &ada, p.id, &[ignored], "ignore").await;
    send_events(
        &site,
        &p,
        &[error_event("TimeoutError", "upstream took 31s")],
    )
    .await;
    let view = viewed(&site, &ada, p.id, ignored, None).await;
    assert_eq!(
        (view.issue.status, view.issue.regressed, view.issue.events),
        (IssueStatus::Ignored, false, 2)
    );
    assert!(summary(&listed(&site, &ada, p.id, "", 0).await, ignored).is_none());
    assert!(summary(&listed(&site, &ada, p.id, "is:ignored", 0).await, ignored).is_some());
    // The lines of both events of the ignored issue still name it.
    let linked = logs_of(test, p.id)
        .await
        .into_iter()
        .filter(|line| line.issue_id == Some(ignored))
        .count();
    assert_eq!(linked, 2);

    let bad = update_issues(&site, &ada, p.id, &[issue], "archive").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    let none = update_issues(&site, &ada, p.id, &[], "resolve").await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.body);
}

// ---------------------------------------------------------------------------------------------
// 9. The issue server functions

async fn the_issue_list_filters_and_pages(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "filters").await;
    let prod = json!({"environment": "production", "release": "1.0"});
    send_events(
        &site,
        &p,
        &[
            with(
                error_event("TypeError", "cannot read items"),
                with(prod.clone(), json!({"timestamp": minutes_ago(30)})),
            ),
            with(
                message_event("Disk almost full on /var", "warning"),
                json!({"environment": "staging", "release": "2.0", "timestamp": minutes_ago(20)}),
            ),
            with(
                error_event("ValueError", "bad quantity"),
                with(prod, json!({"timestamp": minutes_ago(10)})),
            ),
        ],
    )
    .await;
    let ids: Vec<i64> = issues_of(test, p.id).await.iter().map(|i| i.id).collect();
    updated(&site, &ada, p.id, &[ids[0]], "resolve").await;

    let disk = "Disk almost full on /var";
    let value_error = "ValueError: bad quantity";
    let type_error = "TypeError: cannot read items";
    let cases: [(&str, &[&str]); 14] = [
        ("", &[value_error, disk]),
        ("is:unresolved", &[value_error, disk]),
        ("is:resolved", &[type_error]),
        ("is:all", &[value_error, disk, type_error]),
        ("level:warn", &[disk]),
        ("level:error is:all", &[value_error, type_error]),
        ("environment:staging", &[disk]),
        ("env:production is:all", &[value_error, type_error]),
        ("release:1.0", &[value_error]),
        ("release:2.0 level:error", &[]),
        ("valueerror", &[value_error]),
        ("is:all checkout", &[value_error, type_error]),
        ("DISK \"full on\"", &[disk]),
        ("disk quantity", &[]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            titles(&site, &ada, p.id, query).await,
            expected,
            "{query:?}"
        );
    }
    let list = listed(&site, &ada, p.id, "is:all", 0).await;
    assert!(!list.has_more);
    let value = &list.issues[0];
    assert_eq!((value.events, value.users), (1, 0));
    assert_eq!(value.sparkline.len(), 24);
    assert_eq!(value.events_24h(), 1);
    assert_eq!(value.culprit, "shop.cart in checkout");

    let bad = list_issues(&site, &ada, p.id, "is:done", 0).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.json()["Invalid"]["field"], "query");

    // 51 issues: a full page and one more.
    let many = project(&site, &ada, "many").await;
    let items: Vec<(&str, Vec<u8>)> = (0..51)
        .map(|i| {
            let event = with(
                error_event(&format!("Error{i}"), "boom"),
                json!({"timestamp": minutes_ago(60 - i)}),
            );
            ("event", event.to_string().into_bytes())
        })
        .collect();
    let answer = send_envelope(&site, &many, envelope(json!({}), &items)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(stored(test, many.id).await, (51, 51, 51));
    let first = listed(&site, &ada, many.id, "", 0).await;
    assert_eq!((first.issues.len(), first.has_more), (50, true));
    assert_eq!(
        first.issues[0].title, "Error50: boom",
        "most recently seen first"
    );
    let second = listed(&site, &ada, many.id, "", 1).await;
    assert_eq!((second.issues.len(), second.has_more), (1, false));
    assert_eq!(second.issues[0].title, "Error0: boom");
    let third = listed(&site, &ada, many.id, "", 2).await;
    assert!(third.issues.is_empty() && !third.has_more);
}

fn event_of(view: &IssueView) -> &EventView {
    view.event.as_ref().expect("an event")
}

async fn the_issue_page_navigates_events_and_counts_tags(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "nav").await;
    let users = ["1", "2", "1"];
    let sent: Vec<Value> = users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            with(
                error_event("ValueError", &format!("bad quantity {i}")),
                json!({"timestamp": minutes_ago(30 - 10 * i as i64),
                       "environment": "production", "release": "1.0",
                       "user": {"id": user, "email": format!("u{user}@example.com")},
                       "tags": {"browser": if i == 1 { "Firefox" } else { "Chrome" }}}),
            )
        })
        .collect();
    // Sent newest first: the order of arrival does not decide the order of events.
    let mut newest_first = sent.clone();
    newest_first.reverse();
    send_events(&site, &p, &newest_first).await;
    let issue = issues_of(test, p.id).await[0].id;
    let mut events = events_of(test, p.id).await;
    events.sort_by_key(|event| event.ts);
    let ids: Vec<i64> = events.iter().map(|event| event.id).collect();
    let (oldest, middle, newest) = (ids[0], ids[1], ids[2]);

    let view = viewed(&site, &ada, p.id, issue, None).await;
    assert_eq!(event_of(&view).id, newest);
    assert_eq!(
        event_of(&view).event_id,
        sent[2]["event_id"].as_str().unwrap()
    );
    assert_eq!(
        (
            view.nav.newest,
            view.nav.oldest,
            view.nav.older,
            view.nav.newer,
            view.nav.position
        ),
        (Some(newest), Some(oldest), Some(middle), None, 1)
    );
    let detail = &event_of(&view).detail;
    assert_eq!(detail.title, "ValueError: bad quantity 2");
    assert_eq!(detail.user.as_ref().unwrap().id.as_deref(), Some("1"));
    assert_eq!(detail.exceptions.len(), 1);
    let frames: Vec<_> = detail.exceptions[0]
        .frames
        .iter()
        .map(|f| f.function.as_deref().unwrap())
        .collect();
    assert_eq!(frames, ["handle", "checkout"]);
    assert_eq!(view.grouping[0], "exception");
    assert_eq!(event_of(&view).environment.as_deref(), Some("production"));
    let log_id = event_of(&view).log_id.expect("the event's line");
    let line = logs::Entity::find_by_id(log_id)
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (line.issue_id, line.message.as_str()),
        (Some(issue), "ValueError: bad quantity 2")
    );

    let view = viewed(&site, &ada, p.id, issue, Some("oldest")).await;
    assert_eq!(event_of(&view).id, oldest);
    assert_eq!(
        (view.nav.older, view.nav.newer, view.nav.position),
        (None, Some(middle), 3)
    );
    let view = viewed(&site, &ada, p.id, issue, Some(&middle.to_string())).await;
    assert_eq!(event_of(&view).id, middle);
    assert_eq!(
        (view.nav.older, view.nav.newer, view.nav.position),
        (Some(oldest), Some(newest), 2)
    );
    assert_eq!(
        event_of(&view).detail.user.as_ref().unwrap().id.as_deref(),
        Some("2")
    );
    assert_eq!(
        viewed(&site, &ada, p.id, issue, Some("newest"))
            .await
            .nav
            .position,
        1
    );

    // Users affected, and the tag counts over all events.
    assert_eq!((view.issue.users, view.issue.events), (2, 3));
    let tag = |key: &str| {
        view.tags
            .iter()
            .find(|tag| tag.key == key)
            .unwrap_or_else(|| panic!("tag {key}: {:?}", view.tags))
            .clone()
    };
    let user = tag("user");
    assert_eq!((user.total, user.distinct), (3, 2));
    assert_eq!(user.values, [("1".to_string(), 2), ("2".to_string(), 1)]);
    let browser = tag("browser");
    assert_eq!(
        browser.values,
        [("Chrome".to_string(), 2), ("Firefox".to_string(), 1)]
    );
    assert_eq!(tag("environment").values, [("production".to_string(), 3)]);
    assert_eq!(tag("release").values, [("1.0".to_string(), 3)]);
    assert_eq!(tag("level").values, [("error".to_string(), 3)]);
    let listed_issue = listed(&site, &ada, p.id, "", 0).await.issues[0].clone();
    assert_eq!((listed_issue.users, listed_issue.events), (2, 3));
    assert_eq!(listed_issue.events_24h(), 3);

    // An event of another issue, or no event at all: not found.
    send_events(&site, &p, &[error_event("KeyError", "sku")]).await;
    let other_event = events_of(test, p.id).await.last().unwrap().id;
    for event in [other_event.to_string(), "999999".into()] {
        not_found(
            &get_issue(&site, &ada, p.id, issue, Some(&event)).await,
            &event,
        );
    }
    not_found(
        &get_issue(&site, &ada, p.id, 999_999, None).await,
        "no such issue",
    );
}

/// `event=` that is neither `newest`, `oldest` nor an id: not found, like a missing event.
async fn an_unreadable_event_parameter_is_not_found(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "nav").await;
    send_events(&site, &p, &[error_event("ValueError", "bad quantity 1")]).await;
    let issue = issues_of(test, p.id).await[0].id;
    for event in ["latest-ish", "-", "1.5"] {
        not_found(
            &get_issue(&site, &ada, p.id, issue, Some(event)).await,
            event,
        );
    }
}

async fn deleting_an_issue_unlinks_its_lines(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let p = project(&site, &ada, "delete").await;
    send_events(
        &site,
        &p,
        &[
            with(
                error_event("ValueError", "bad quantity 1"),
                json!({"user": {"id": "1"}}),
            ),
            with(
                error_event("ValueError", "bad quantity 2"),
                json!({"user": {"id": "2"}}),
            ),
            error_event("KeyError", "kept"),
        ],
    )
    .await;
    let issues = issues_of(test, p.id).await;
    let (gone, kept) = (issues[0].id, issues[1].id);
    updated(&site, &ada, p.id, &[gone], "delete").await;

    assert_eq!(
        issues_of(test, p.id)
            .await
            .iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        [kept]
    );
    let events = events_of(test, p.id).await;
    assert_eq!(
        events.iter().map(|e| e.issue_id).collect::<Vec<_>>(),
        [kept]
    );
    let count = |issue: i64| async move {
        (
            issue_tags::Entity::find()
                .filter(issue_tags::Column::IssueId.eq(issue))
                .count(&test.db)
                .await
                .unwrap(),
            issue_hours::Entity::find()
                .filter(issue_hours::Column::IssueId.eq(issue))
                .count(&test.db)
                .await
                .unwrap(),
        )
    };
    assert_eq!(count(gone).await, (0, 0));
    assert_ne!(count(kept).await, (0, 0));
    let lines = logs_of(test, p.id).await;
    assert_eq!(lines.len(), 3, "the lines stay");
    let links: Vec<Option<i64>> = lines.iter().map(|line| line.issue_id).collect();
    assert_eq!(links, [None, None, Some(kept)]);
    not_found(&get_issue(&site, &ada, p.id, gone, None).await, "deleted");
    not_found(
        &update_issues(&site, &ada, p.id, &[gone], "resolve").await,
        "deleted",
    );
    // The same error again opens a new issue.
    send_events(&site, &p, &[error_event("ValueError", "bad quantity 3")]).await;
    let issues = issues_of(test, p.id).await;
    assert_eq!(issues.len(), 2);
    assert!(issues[1].id != gone && issues[1].times_seen == 1);
}

async fn another_users_issues_are_not_found(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let bob = person(&site, "bob").await;
    let a = project(&site, &ada, "checkout").await;
    let b = project(&site, &bob, "bob's").await;
    send_events(&site, &a, &[error_event("ValueError", "ada's error")]).await;
    send_events(&site, &b, &[error_event("ValueError", "bob's error")]).await;
    let adas = issues_of(test, a.id).await[0].id;
    let bobs = issues_of(test, b.id).await[0].id;
    let snapshot = || async {
        (
            issues::Entity::find()
                .order_by_asc(issues::Column::Id)
                .all(&test.db)
                .await
                .unwrap(),
            events::Entity::find().count(&test.db).await.unwrap(),
            logs::Entity::find()
                .order_by_asc(logs::Column::Id)
                .all(&test.db)
                .await
                .unwrap(),
        )
    };
    let before = snapshot().await;

    not_found(
        &list_issues(&site, &bob, a.id, "", 0).await,
        "list ada's app",
    );
    not_found(
        &get_issue(&site, &bob, a.id, adas, None).await,
        "view on ada's app",
    );
    not_found(
        &get_issue(&site, &bob, b.id, adas, None).await,
        "ada's issue through bob's app",
    );
    for action in ["resolve", "ignore", "reopen", "delete"] {
        not_found(
            &update_issues(&site, &bob, a.id, &[adas], action).await,
            &format!("{action} on ada's app"),
        );
        not_found(
            &update_issues(&site, &bob, b.id, &[adas], action).await,
            &format!("{action} ada's issue through bob's app"),
        );
        // Mixed with one of his own: all or nothing.
        not_found(
            &update_issues(&site, &bob, b.id, &[bobs, adas], action).await,
            &format!("{action} his and hers"),
        );
    }
    assert_eq!(snapshot().await, before, "nothing changed");
    let his = listed(&site, &bob, b.id, "is:all", 0).await;
    assert_eq!(
        his.issues.iter().map(|i| i.id).collect::<Vec<_>>(),
        [bobs],
        "bob sees only his"
    );

    // Without a session, nothing answers.
    let anonymous = call(
        &site.router,
        "issues/list",
        &[("app_id", &a.id.to_string()), ("query", ""), ("page", "0")],
        None,
    )
    .await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );
}

// ---------------------------------------------------------------------------------------------
// 10. Deleting the app

async fn deleting_the_app_purges_its_issues_and_events(test: &TestDb) {
    let site = site(test);
    let ada = person(&site, "ada").await;
    let a = project(&site, &ada, "doomed").await;
    let b = project(&site, &ada, "kept").await;
    for p in [&a, &b] {
        send_events(
            &site,
            p,
            &[
                with(error_event("ValueError", "x"), json!({"user": {"id": "1"}})),
                error_event("KeyError", "y"),
            ],
        )
        .await;
        let answer = send_envelope(&site, p, logs_envelope(&["a log".to_string()])).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let issue_ids = |p: i64| async move {
        issues_of(test, p)
            .await
            .into_iter()
            .map(|i| i.id)
            .collect::<Vec<_>>()
    };
    let a_issues = issue_ids(a.id).await;
    let b_before = (stored(test, b.id).await, issue_ids(b.id).await);
    assert_eq!(b_before.0, (3, 2, 2));

    let deleted = call(
        &site.router,
        "apps/delete",
        &[("app_id", &a.id.to_string()), ("confirm_name", "doomed")],
        Some(&ada),
    )
    .await;
    assert!(
        deleted.status.is_success() || deleted.status.is_redirection(),
        "{}: {}",
        deleted.status,
        deleted.body
    );
    // Its DSN is refused from now on.
    let answer = send_envelope(
        &site,
        &a,
        event_envelope(&error_event("ValueError", "late")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);

    services::purges::run_pending(&test.db, services::purges::BATCH)
        .await
        .unwrap();
    assert_eq!(stored(test, a.id).await, (0, 0, 0));
    let of_a = |ids: Vec<i64>| async move {
        (
            issue_tags::Entity::find()
                .filter(issue_tags::Column::IssueId.is_in(ids.clone()))
                .count(&test.db)
                .await
                .unwrap(),
            issue_hours::Entity::find()
                .filter(issue_hours::Column::IssueId.is_in(ids))
                .count(&test.db)
                .await
                .unwrap(),
        )
    };
    assert_eq!(of_a(a_issues).await, (0, 0));
    assert_eq!(
        (stored(test, b.id).await, issue_ids(b.id).await),
        b_before,
        "the other app keeps everything"
    );
    assert_ne!(of_a(b_before.1.clone()).await, (0, 0));
}

on_both_databases!(
    golden_envelopes_in_every_compression_are_stored,
    malformed_envelopes_are_refused_whole,
    every_way_of_naming_the_key_and_every_refusal,
    browser_sdks_pass_the_cors_preflight,
    an_app_over_its_rate_gets_429_with_sentry_headers,
    a_full_queue_answers_429_and_recovers,
    the_store_endpoint_takes_one_event,
    events_group_into_issues_by_the_grouping_rules,
    a_resolved_issue_regresses_and_an_ignored_one_stays_ignored,
    the_issue_list_filters_and_pages,
    the_issue_page_navigates_events_and_counts_tags,
    an_unreadable_event_parameter_is_not_found,
    deleting_an_issue_unlinks_its_lines,
    another_users_issues_are_not_found,
    deleting_the_app_purges_its_issues_and_events,
);
