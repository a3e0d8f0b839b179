//! The log view's data routes through the real router, on SQLite and PostgreSQL: the live
//! stream (filter, catch-up, resume without loss or repeats) and the streamed export, each
//! only for the app's owner.
mod common;

use std::time::Duration;

use app::{
    backend::{
        services::{apps, logs, users},
        testing::TestDb,
    },
    model::logs::LogSearch,
    on_both_databases,
};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::{Answer, send, sign_up};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Fixture {
    router: Router,
    token: String,
    other_token: String,
    app_id: i64,
    key: String,
}

async fn fixture(test: &TestDb) -> Fixture {
    let router = common::router(test);
    let token = sign_up(&router, "Ada", "ada@example.com").await;
    let other_token = sign_up(&router, "Bob", "bob@example.com").await;
    let ada = users::find_by_email(&test.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let (app, key) = apps::create(&test.db, ada.id, "shop", "").await.unwrap();
    Fixture {
        router,
        token,
        other_token,
        app_id: app.id,
        key: key.key,
    }
}

async fn ingest(f: &Fixture, lines: Value) {
    let answer = send(
        &f.router,
        Request::post("/ingest")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {}", f.key))
            .body(Body::from(json!({ "logs": lines }).to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::COOKIE, format!("lodestar_session={token}"));
    }
    request.body(Body::empty()).unwrap()
}

/// An open event stream and what has been read of it.
struct Stream {
    body: Body,
    buffer: String,
}

#[derive(Debug)]
struct Event {
    name: String,
    id: String,
    data: String,
}

impl Event {
    fn messages(&self) -> Vec<String> {
        let rows: Vec<Value> = serde_json::from_str(&self.data).unwrap();
        rows.iter()
            .map(|r| r["message"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Stream {
    async fn open(router: &Router, request: Request<Body>) -> Stream {
        let response = router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        Stream {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped), or None if none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Event {
                    name: "message".into(),
                    id: String::new(),
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.name = v.trim().into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.strip_prefix(' ').unwrap_or(v));
                        any = true;
                    }
                }
                if any {
                    return Some(event);
                }
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??
                .ok()?;
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }
}

const WAIT: Duration = Duration::from_secs(5);

async fn live_stream_filters_catches_up_and_resumes(test: &TestDb) {
    let f = fixture(test).await;
    ingest(
        &f,
        json!([
            {"level": "error", "message": "before 1"},
            {"level": "info", "message": "before 2"},
            {"level": "error", "message": "before 3"},
            {"level": "info", "message": "before 4"},
        ]),
    )
    .await;
    let live = format!("/apps/{}/logs/live?q=level:error", f.app_id);

    // From the start: the catch-up holds the matching lines only.
    let mut stream = Stream::open(&f.router, get(&format!("{live}&after=0"), Some(&f.token))).await;
    let first = stream.next(WAIT).await.expect("a catch-up event");
    assert_eq!(first.name, "lines");
    assert_eq!(first.messages(), ["before 1", "before 3"]);

    // Live lines, filtered on the server.
    ingest(
        &f,
        json!([{"level": "info", "message": "live info"}, {"level": "fatal", "message": "live fatal"}]),
    )
    .await;
    ingest(&f, json!([{"level": "error", "message": "live error"}])).await;
    let event = stream.next(WAIT).await.expect("live lines");
    assert_eq!(event.name, "lines");
    assert_eq!(event.messages(), ["live error"], "level:error is not fatal");
    let last_id = event.id;
    drop(stream);

    // While disconnected.
    ingest(
        &f,
        json!([{"level": "error", "message": "missed 1"}, {"level": "debug", "message": "noise"}, {"level": "error", "message": "missed 2"}]),
    )
    .await;
    let mut request = get(&live, Some(&f.token));
    request
        .headers_mut()
        .insert("last-event-id", last_id.parse().unwrap());
    let mut resumed = Stream::open(&f.router, request).await;
    let event = resumed.next(WAIT).await.expect("the lines missed");
    assert_eq!(event.messages(), ["missed 1", "missed 2"]);
    assert!(
        resumed.next(Duration::from_millis(300)).await.is_none(),
        "nothing is repeated"
    );
}

async fn live_stream_answers_errors_as_json(test: &TestDb) {
    let f = fixture(test).await;
    let path = format!("/apps/{}/logs/live", f.app_id);
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (get(&path, None), StatusCode::UNAUTHORIZED, "unauthorized"),
        (
            get(&path, Some(&f.other_token)),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            get("/apps/nope/logs/live", Some(&f.token)),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            get(&format!("{path}?q=level:loud"), Some(&f.token)),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            get(&format!("{path}?after=-3"), Some(&f.token)),
            StatusCode::BAD_REQUEST,
            "invalid_cursor",
        ),
        (
            get(&format!("{path}?statsPeriod=5y"), Some(&f.token)),
            StatusCode::BAD_REQUEST,
            "invalid_range",
        ),
        (
            get(&format!("{path}?start=yesterday&end=today"), Some(&f.token)),
            StatusCode::BAD_REQUEST,
            "invalid_range",
        ),
    ];
    for (request, status, code) in cases {
        let uri = request.uri().to_string();
        let answer = send(&f.router, request).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.body);
        assert_eq!(answer.json()["error"]["code"], code, "{uri}");
    }
    let bad = send(
        &f.router,
        get(&format!("{path}?q=service:"), Some(&f.token)),
    )
    .await;
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("character"),
        "the error says where: {}",
        bad.body
    );
}

async fn export_streams_the_view_as_csv_and_ndjson(test: &TestDb) {
    let f = fixture(test).await;
    ingest(
        &f,
        json!([
            {"level": "info", "message": "plain", "service": "api", "timestamp": "2026-11-23T10:00:00Z"},
            {"level": "error", "message": "quote \" comma, and\nnewline", "service": "api",
             "timestamp": "2026-11-23T10:00:01Z", "extra": {"user_id": 42}},
            {"level": "warn", "message": "=HYPERLINK(\"http://evil\")", "service": "worker",
             "timestamp": "2026-11-23T10:00:02Z"},
        ]),
    )
    .await;
    let base = format!(
        "/apps/{}/logs/export?start=2026-11-23T00:00:00Z&end=2026-11-24T00:00:00Z",
        f.app_id
    );
    let csv: Answer = send(
        &f.router,
        get(&format!("{base}&format=csv"), Some(&f.token)),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"shop-logs-")
    );
    let expected = "timestamp,level,service,environment,release,message,trace_id,issue_id,attributes\r\n\
        2026-11-23T10:00:02Z,warn,worker,,,\"'=HYPERLINK(\"\"http://evil\"\")\",,,{}\r\n\
        2026-11-23T10:00:01Z,error,api,,,\"quote \"\" comma, and\nnewline\",,,\"{\"\"user_id\"\":42}\"\r\n\
        2026-11-23T10:00:00Z,info,api,,,plain,,,{}\r\n";
    assert_eq!(csv.body, expected);

    // Through the compression layer, as browsers ask for it (it polls the body past its end).
    let mut gzipped = get(&format!("{base}&format=csv"), Some(&f.token));
    gzipped
        .headers_mut()
        .insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    let response = f.router.clone().oneshot(gzipped).await.unwrap();
    assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
        .unwrap();
    assert_eq!(text, expected);

    let ndjson = send(
        &f.router,
        get(
            &format!("{base}&format=ndjson&q=service:api"),
            Some(&f.token),
        ),
    )
    .await;
    assert_eq!(ndjson.status, StatusCode::OK);
    let lines: Vec<Value> = ndjson
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["message"], "quote \" comma, and\nnewline");
    assert_eq!(lines[0]["attributes"]["user_id"], 42, "types are kept");
    assert_eq!(lines[1]["timestamp"], "2026-11-23T10:00:00Z");

    let one = send(
        &f.router,
        get(&format!("{base}&format=ndjson&limit=1"), Some(&f.token)),
    )
    .await;
    assert_eq!(one.body.lines().count(), 1);

    for (path, token, status) in [
        (
            format!("{base}&format=xml"),
            Some(f.token.as_str()),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{base}&limit=0"),
            Some(f.token.as_str()),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("{base}&limit=100001"),
            Some(f.token.as_str()),
            StatusCode::BAD_REQUEST,
        ),
        (
            base.clone(),
            Some(f.other_token.as_str()),
            StatusCode::NOT_FOUND,
        ),
        (base.clone(), None, StatusCode::UNAUTHORIZED),
    ] {
        let answer = send(&f.router, get(&path, token)).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(answer.json()["error"]["code"].is_string());
    }
}

async fn another_users_app_is_not_found_to_the_view(test: &TestDb) {
    let f = fixture(test).await;
    let bob = users::find_by_email(&test.db, "bob@example.com")
        .await
        .unwrap()
        .unwrap();
    let search = LogSearch::default();
    let now = chrono::Utc::now().timestamp_micros();
    let err = logs::select(&test.db, bob.id, f.app_id, &search, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, app::backend::ServiceError::NotFound(_)),
        "{err:?}"
    );
    let bad = LogSearch {
        q: "(level:error".into(),
        ..LogSearch::default()
    };
    let ada = users::find_by_email(&test.db, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let err = logs::select(&test.db, ada.id, f.app_id, &bad, now)
        .await
        .unwrap_err();
    assert!(
        matches!(err, app::backend::ServiceError::Invalid { field: "q", .. }),
        "{err:?}"
    );
}

on_both_databases!(
    live_stream_filters_catches_up_and_resumes,
    live_stream_answers_errors_as_json,
    export_streams_the_view_as_csv_and_ndjson,
    another_users_app_is_not_found_to_the_view,
);
