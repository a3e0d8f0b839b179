//! Alerts on SQLite and PostgreSQL: rules evaluated on fixed data at instants the test
//! chooses, their state moves, cooldown, restarts and several servers; deliveries to a
//! webhook receiver, a Slack-compatible receiver and an SMTP sink the test serves on
//! loopback; retries; and the rule pages' server functions, with other tenants kept out.
mod common;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use app::{
    backend::{
        alerts::{
            Alerts, AlertsConfig,
            channels::{SIGNATURE_HEADER, signature},
            evaluate::{self, Pass},
            outbox,
        },
        entities::{alert_deliveries, alert_events, alert_rules},
        services::{
            self,
            alerts::{RuleForm, save},
            users,
        },
        testing::TestDb,
    },
    model::{
        alerts::{AlertsOverview, DeliveryStatus, EntryKind, RuleDetail, RuleState},
        apps::AppView,
        issues::IssueAction,
    },
    on_both_databases,
};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, Request, StatusCode},
    routing::post,
};
use common::{call, send, sign_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SECOND_US: i64 = 1_000_000;
const MINUTE_US: i64 = 60 * SECOND_US;
/// The instant the tests evaluate at first: a fixed minute, far from now.
const T0: i64 = 1_767_225_600 * SECOND_US; // 2026-01-01T00:00:00Z

// ---------------------------------------------------------------------------------------------
// Receivers on loopback

/// Requests a receiver got: headers and body.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

struct Receiver {
    url: String,
    received: Received,
}

impl Receiver {
    fn bodies(&self) -> Vec<Value> {
        let received = self.received.lock().unwrap();
        received
            .iter()
            .map(|(_, body)| serde_json::from_slice(body).expect("a JSON body"))
            .collect()
    }
}

/// An HTTP receiver answering `status` to every POST.
async fn receiver(status: StatusCode) -> Receiver {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State((received, status)): State<(Received, StatusCode)>,
                 headers: HeaderMap,
                 body: Bytes| async move {
                    received.lock().unwrap().push((headers, body));
                    (status, "receiver says hi")
                },
            ),
        )
        .with_state((received.clone(), status));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    Receiver { url, received }
}

/// An SMTP server that accepts every message; answers its address and what it got.
async fn smtp_sink() -> (String, Arc<Mutex<Vec<String>>>) {
    let messages: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let kept = messages.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(message) = data.as_mut() {
                        if line == "." {
                            kept.lock().unwrap().push(data.take().unwrap());
                            write.write_all(b"250 2.0.0 queued\r\n").await.ok();
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(answer).await.ok();
                }
            });
        }
    });
    (url, messages)
}

// ---------------------------------------------------------------------------------------------
// An app, its lines and its rules

struct Fixture {
    state: app::backend::AppState,
    router: Router,
    app: app::backend::entities::apps::Model,
    key: String,
}

async fn fixture(test: &TestDb, config: AlertsConfig) -> Fixture {
    let state = common::state_with(
        test,
        app::backend::state::Settings {
            alerts: config,
            ..common::settings()
        },
    );
    let router = server::router::build(state.clone());
    let user = users::create(&test.db, "ada@example.com", common::PASSWORD, None)
        .await
        .unwrap();
    let (app, key) = services::apps::create(&test.db, user.id, "shop", "")
        .await
        .unwrap();
    Fixture {
        state,
        router,
        app,
        key: key.key,
    }
}

/// Sends lines (level, message, seconds before `T0`) through `POST /ingest`.
async fn ingest(f: &Fixture, lines: &[(&str, &str, i64)]) {
    let logs: Vec<Value> = lines
        .iter()
        .map(|(level, message, before)| {
            json!({"level": level, "message": message, "service": "api",
                   "timestamp": (T0 - before * SECOND_US) as f64 / 1e6})
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

fn form(name: &str, kind: &str, query: &str, threshold: &str, webhook: &str) -> RuleForm {
    RuleForm {
        name: name.into(),
        kind: kind.into(),
        query: query.into(),
        window_minutes: "5".into(),
        comparison: "above".into(),
        threshold: threshold.into(),
        cooldown_minutes: "0".into(),
        enabled: Some("on".into()),
        webhook_url: webhook.into(),
        ..RuleForm::default()
    }
}

async fn create_rule(f: &Fixture, form: RuleForm) -> i64 {
    let now = chrono::DateTime::from_timestamp_micros(T0).unwrap();
    save(&f.state.db, &f.state.alerts, &f.app, None, form, now)
        .await
        .unwrap()
}

async fn rule(f: &Fixture, id: i64) -> alert_rules::Model {
    alert_rules::Entity::find_by_id(id)
        .one(&f.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn entries(f: &Fixture, rule_id: i64) -> Vec<alert_events::Model> {
    alert_events::Entity::find()
        .filter(alert_events::Column::RuleId.eq(rule_id))
        .order_by_asc(alert_events::Column::Id)
        .all(&f.state.db)
        .await
        .unwrap()
}

async fn deliveries(f: &Fixture, rule_id: i64) -> Vec<alert_deliveries::Model> {
    alert_deliveries::Entity::find()
        .filter(alert_deliveries::Column::RuleId.eq(rule_id))
        .order_by_asc(alert_deliveries::Column::Id)
        .all(&f.state.db)
        .await
        .unwrap()
}

async fn evaluate_at(f: &Fixture, alerts: &Alerts, at: i64) -> Pass {
    evaluate::evaluate_due(&f.state.db, alerts, at)
        .await
        .unwrap()
}

async fn deliver_at(f: &Fixture, alerts: &Arc<Alerts>, at: i64) -> usize {
    outbox::deliver_due(&f.state.db, alerts, at).await.unwrap()
}

fn interval_config() -> AlertsConfig {
    AlertsConfig {
        interval: Duration::from_secs(15),
        ..AlertsConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

async fn a_threshold_rule_fires_once_then_resolves_with_signed_webhooks(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let mut rule_form = form(
        "Too many errors",
        "threshold",
        "level:error",
        "2",
        &hook.url,
    );
    rule_form.webhook_secret = "whsec-test".into();
    let id = create_rule(&f, rule_form).await;
    ingest(
        &f,
        &[
            ("error", "payment failed for order 1", 90),
            ("error", "payment failed for order 2", 60),
            ("info", "GET /cart 200", 50),
            ("error", "payment failed for order 3", 30),
        ],
    )
    .await;
    let alerts = f.state.alerts.clone();

    // Three errors in the five minutes before T0: above 2, it fires.
    assert_eq!(evaluate_at(&f, &alerts, T0).await.entries, 1);
    let firing = rule(&f, id).await;
    assert_eq!(firing.state, RuleState::Firing.as_str());
    assert_eq!(firing.last_value, Some(3.0));
    assert_eq!(firing.lease_owner, None, "the lease is given back");
    // Still firing 15 s later: nothing new.
    assert_eq!(
        evaluate_at(&f, &alerts, T0 + 15 * SECOND_US).await.entries,
        0
    );
    // Evaluated again before the interval: not due.
    assert_eq!(evaluate_at(&f, &alerts, T0 + 20 * SECOND_US).await.rules, 0);
    // Ten minutes on, the window holds no errors: it resolves.
    assert_eq!(
        evaluate_at(&f, &alerts, T0 + 10 * MINUTE_US).await.entries,
        1
    );
    assert_eq!(rule(&f, id).await.state, RuleState::Resolved.as_str());

    let history = entries(&f, id).await;
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["fired", "resolved"]);
    assert_eq!(history[0].value, Some(3.0));
    // The entry links to the lines it counted, over its window.
    assert_eq!(
        history[0].link,
        format!(
            "/apps/{}?q=level%3Aerror&start=2025-12-31T23%3A55%3A00Z&end=2026-01-01T00%3A00%3A00Z",
            f.app.id
        )
    );

    // Both go out once, signed.
    assert_eq!(deliver_at(&f, &alerts, T0 + 10 * MINUTE_US).await, 2);
    assert_eq!(deliver_at(&f, &alerts, T0 + 11 * MINUTE_US).await, 0);
    let received = hook.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    for (headers, body) in &received {
        assert_eq!(
            headers[SIGNATURE_HEADER].to_str().unwrap(),
            signature("whsec-test", body),
            "the signature is the body's HMAC with the secret"
        );
        assert_eq!(headers["content-type"], "application/json");
        assert!(headers.contains_key("x-lodestar-delivery"));
    }
    let bodies = hook.bodies();
    let fired = &bodies[0];
    assert_eq!(fired["event"], "fired");
    assert_eq!(fired["rule"]["name"], "Too many errors");
    assert_eq!(
        fired["rule"]["condition"],
        "More than 2 lines matching level:error in 5 min"
    );
    assert_eq!(fired["app"]["name"], "shop");
    assert_eq!(fired["value"], 3.0);
    assert_eq!(fired["window"]["minutes"], 5);
    let samples = fired["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 3);
    assert_eq!(
        samples[0]["message"], "payment failed for order 3",
        "newest first"
    );
    assert_eq!(samples[0]["level"], "error");
    assert!(fired["link"].as_str().unwrap().starts_with(&format!(
        "{}/apps/{}?q=level%3Aerror&start=",
        common::ORIGIN,
        f.app.id
    )));
    assert_eq!(bodies[1]["event"], "resolved");
    let sent = deliveries(&f, id).await;
    assert!(sent.iter().all(|d| d.status == "sent" && d.attempts == 1));
}

async fn the_cooldown_holds_notifications_but_keeps_the_history(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let mut rule_form = form("Errors", "threshold", "level:error", "0", &hook.url);
    rule_form.cooldown_minutes = "60".into();
    let id = create_rule(&f, rule_form).await;
    let alerts = f.state.alerts.clone();
    ingest(&f, &[("error", "first", 10)]).await;
    evaluate_at(&f, &alerts, T0).await;
    evaluate_at(&f, &alerts, T0 + 6 * MINUTE_US).await; // resolved
    // A new error 7 minutes on, within the hour: it fires again, held.
    ingest(&f, &[("error", "second", -7 * 60 + 10)]).await;
    evaluate_at(&f, &alerts, T0 + 7 * MINUTE_US).await;
    evaluate_at(&f, &alerts, T0 + 13 * MINUTE_US).await; // resolved again
    let kinds: Vec<String> = entries(&f, id).await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["fired", "resolved", "fired", "resolved"]);
    let statuses: Vec<String> = deliveries(&f, id)
        .await
        .into_iter()
        .map(|d| d.status)
        .collect();
    assert_eq!(statuses, ["pending", "pending", "suppressed", "suppressed"]);
    deliver_at(&f, &alerts, T0 + 14 * MINUTE_US).await;
    assert_eq!(
        hook.bodies().len(),
        2,
        "only the first firing and its resolve were sent"
    );
}

async fn error_rates_and_too_few_lines_fire(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let rate = create_rule(&f, form("Error rate", "error_rate", "", "20", &hook.url)).await;
    let mut quiet = form("Too quiet", "threshold", "service:worker", "1", &hook.url);
    quiet.comparison = "below".into();
    let quiet = create_rule(&f, quiet).await;
    ingest(
        &f,
        &[
            ("error", "boom", 40),
            ("info", "ok", 30),
            ("info", "ok", 20),
            ("warn", "slow", 10),
        ],
    )
    .await;
    let alerts = f.state.alerts.clone();
    assert_eq!(evaluate_at(&f, &alerts, T0).await.entries, 2);
    assert_eq!(rule(&f, rate).await.last_value, Some(25.0));
    assert_eq!(rule(&f, rate).await.state, "firing");
    assert_eq!(rule(&f, quiet).await.last_value, Some(0.0));
    assert_eq!(rule(&f, quiet).await.state, "firing");
    let rate_entry = &entries(&f, rate).await[0];
    assert_eq!(
        rate_entry.summary,
        "25 %: Errors above 20 % of all lines in 5 min"
    );
    assert!(
        rate_entry.link.contains("q=level%3A%3E%3Derror"),
        "{}",
        rate_entry.link
    );
}

async fn a_restart_or_a_second_server_neither_repeats_nor_loses_anything(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let id = create_rule(
        &f,
        form("Errors", "threshold", "level:error", "0", &hook.url),
    )
    .await;
    ingest(&f, &[("error", "boom", 10)]).await;
    let first = f.state.alerts.clone();
    assert_eq!(evaluate_at(&f, &first, T0).await.entries, 1);
    // The server stops before sending. Another (a restart, or a second server) takes over:
    // the rule is still firing, and the delivery is still waiting.
    drop(first);
    let second = Arc::new(Alerts::new(interval_config(), common::ORIGIN));
    assert_eq!(
        evaluate_at(&f, &second, T0 + 15 * SECOND_US).await.entries,
        0
    );
    assert_eq!(rule(&f, id).await.state, "firing");
    assert_eq!(deliver_at(&f, &second, T0 + 15 * SECOND_US).await, 1);
    assert_eq!(deliver_at(&f, &second, T0 + 30 * SECOND_US).await, 0);
    assert_eq!(hook.bodies().len(), 1);
    assert_eq!(entries(&f, id).await.len(), 1);
}

async fn one_server_at_a_time_holds_a_rule(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let id = create_rule(
        &f,
        form("Errors", "threshold", "level:error", "0", &hook.url),
    )
    .await;
    let db = &f.state.db;
    assert!(evaluate::lease(db, id, "server-a", T0).await.unwrap());
    assert!(
        !evaluate::lease(db, id, "server-b", T0 + SECOND_US)
            .await
            .unwrap()
    );
    assert!(
        evaluate::lease(db, id, "server-a", T0 + SECOND_US)
            .await
            .unwrap(),
        "renewed"
    );
    // While server a holds it, server b's pass evaluates nothing.
    ingest(&f, &[("error", "boom", 10)]).await;
    let b = Arc::new(Alerts::new(interval_config(), common::ORIGIN));
    assert_eq!(
        evaluate_at(&f, &b, T0 + 2 * SECOND_US).await,
        Pass::default()
    );
    // A lease that ran out (server a died) is taken over, and given back after the pass.
    let taken = evaluate_at(&f, &b, T0 + 2 * MINUTE_US).await;
    assert_eq!(
        taken,
        Pass {
            rules: 1,
            entries: 1
        }
    );
    assert_eq!(rule(&f, id).await.lease_owner, None);
}

async fn failed_deliveries_are_retried_with_backoff_then_fail(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let id = create_rule(
        &f,
        form("Errors", "threshold", "level:error", "0", &hook.url),
    )
    .await;
    ingest(&f, &[("error", "boom", 10)]).await;
    let alerts = f.state.alerts.clone();
    evaluate_at(&f, &alerts, T0).await;
    assert_eq!(deliver_at(&f, &alerts, T0).await, 1);
    let failed = &deliveries(&f, id).await[0];
    assert_eq!(failed.status, "pending");
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.next_attempt_at, Some(T0 + 10 * SECOND_US));
    assert_eq!(
        failed.last_error.as_deref(),
        Some("answered 500 Internal Server Error: receiver says hi")
    );
    // Not before its time; then again and again, further apart, until the sixth attempt.
    assert_eq!(deliver_at(&f, &alerts, T0 + 5 * SECOND_US).await, 0);
    let mut at = T0;
    for _ in 0..5 {
        at = deliveries(&f, id).await[0].next_attempt_at.unwrap();
        assert_eq!(deliver_at(&f, &alerts, at).await, 1);
    }
    let gave_up = &deliveries(&f, id).await[0];
    assert_eq!(gave_up.status, "failed");
    assert_eq!(gave_up.attempts, 6);
    assert_eq!(gave_up.next_attempt_at, None);
    assert_eq!(deliver_at(&f, &alerts, at + 24 * 60 * MINUTE_US).await, 0);
    assert_eq!(hook.received.lock().unwrap().len(), 6);
    // The rules list counts it as failing.
    let overview = services::alerts::overview(&f.state.db, &alerts, &f.app)
        .await
        .unwrap();
    assert_eq!(overview.rules[0].failing_deliveries, 1);
    assert_eq!(
        overview.history[0].deliveries[0].status,
        DeliveryStatus::Failed
    );
}

async fn slack_gets_readable_blocks(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let slack = receiver(StatusCode::OK).await;
    let mut rule_form = form("Errors <prod>", "threshold", "level:error", "0", "");
    rule_form.slack_url = slack.url.clone();
    create_rule(&f, rule_form).await;
    ingest(&f, &[("error", "db timeout after 3000 ms", 10)]).await;
    let alerts = f.state.alerts.clone();
    evaluate_at(&f, &alerts, T0).await;
    deliver_at(&f, &alerts, T0).await;
    let bodies = slack.bodies();
    assert_eq!(bodies.len(), 1);
    let message = &bodies[0];
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .contains("Firing: Errors <prod> (shop)")
    );
    let blocks = message["blocks"].as_array().unwrap();
    let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["header", "section", "section", "actions"]);
    assert_eq!(blocks[0]["text"]["text"], "Firing: Errors <prod>");
    let facts = blocks[1]["text"]["text"].as_str().unwrap();
    assert!(facts.contains("*App:* shop"), "{facts}");
    assert!(facts.contains("*Measured:* 1 line"), "{facts}");
    assert!(
        blocks[2]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("db timeout after 3000 ms")
    );
    let button = &blocks[3]["elements"][0];
    assert_eq!(button["text"]["text"], "View lines");
    assert!(button["url"].as_str().unwrap().starts_with(common::ORIGIN));
}

async fn email_goes_through_smtp_with_text_and_html(test: &TestDb) {
    let (url, messages) = smtp_sink().await;
    let config = AlertsConfig {
        smtp_url: Some(url),
        smtp_from: "Lodestar <alerts@example.com>".into(),
        ..interval_config()
    };
    let f = fixture(test, config).await;
    let mut rule_form = form("Errors", "threshold", "level:error", "0", "");
    rule_form.email_to = "ops@example.com, oncall@example.com".into();
    let id = create_rule(&f, rule_form).await;
    ingest(&f, &[("error", "disk <full>", 10)]).await;
    let alerts = f.state.alerts.clone();
    evaluate_at(&f, &alerts, T0).await;
    assert_eq!(deliver_at(&f, &alerts, T0).await, 1);
    assert_eq!(
        deliveries(&f, id).await[0].status,
        "sent",
        "{:?}",
        deliveries(&f, id).await
    );
    let messages = messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(
        message.contains("Subject: [Lodestar] Firing: Errors (shop)"),
        "{message}"
    );
    assert!(
        message.contains("To: ops@example.com, oncall@example.com"),
        "{message}"
    );
    assert!(message.contains("Content-Type: text/plain"), "{message}");
    assert!(message.contains("Content-Type: text/html"), "{message}");
    assert!(
        message.contains("disk &lt;full&gt;"),
        "the HTML part escapes log text"
    );
    assert!(message.contains("disk <full>"), "the text part keeps it");
}

async fn issue_rules_alert_on_new_issues_and_regressions(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    let new_issue = create_rule(&f, form("New issue", "new_issue", "", "", &hook.url)).await;
    let regression = create_rule(&f, form("Regressed", "regression", "", "", &hook.url)).await;
    let store = |message: &'static str| {
        let router = f.router.clone();
        let path = format!("/api/{}/store/?sentry_key={}", f.app.id, f.app.public_key);
        async move {
            let event = json!({"level": "error", "platform": "python",
                "exception": {"values": [{"type": "ValueError", "value": message}]}});
            let request = Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(event.to_string()))
                .unwrap();
            let answer = send(&router, request).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }
    };
    store("bad quantity").await;
    let alerts = f.state.alerts.clone();
    let now = chrono::Utc::now().timestamp_micros();
    assert_eq!(evaluate_at(&f, &alerts, now).await.entries, 1);
    let entry = &entries(&f, new_issue).await[0];
    assert_eq!(entry.summary, "New issue: ValueError: bad quantity");
    let issue_id = entry.issue_id.unwrap();
    assert_eq!(entry.link, format!("/apps/{}/issues/{issue_id}", f.app.id));
    // The same issue again is not new; evaluating again records nothing.
    store("bad quantity").await;
    assert_eq!(evaluate_at(&f, &alerts, now + SECOND_US).await.entries, 0);
    // Resolved, then seen again: a regression.
    services::issues::apply(
        &f.state.db,
        f.app.id,
        &[issue_id],
        IssueAction::Resolve,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    store("bad quantity").await;
    let later = chrono::Utc::now().timestamp_micros();
    assert_eq!(evaluate_at(&f, &alerts, later).await.entries, 1);
    let regressed = &entries(&f, regression).await[0];
    assert_eq!(regressed.summary, "Regression: ValueError: bad quantity");
    assert_eq!(entries(&f, new_issue).await.len(), 1);
    deliver_at(&f, &alerts, later).await;
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[1]["issue"]["title"], "ValueError: bad quantity");
}

async fn the_evaluator_wakes_when_the_writer_commits_an_issue(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let hook = receiver(StatusCode::OK).await;
    create_rule(&f, form("New issue", "new_issue", "", "", &hook.url)).await;
    let waiting = f.state.ingest.issues_changed.clone();
    let woken = tokio::spawn(async move { waiting.notified().await });
    let event = json!({"level": "error", "message": "it broke"});
    let request = Request::post(format!(
        "/api/{}/store/?sentry_key={}",
        f.app.id, f.app.public_key
    ))
    .header("content-type", "application/json")
    .body(Body::from(event.to_string()))
    .unwrap();
    assert_eq!(send(&f.router, request).await.status, StatusCode::OK);
    tokio::time::timeout(Duration::from_secs(10), woken)
        .await
        .expect("the writer wakes the evaluator")
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// The pages' server functions

struct Tenant {
    token: String,
    app_id: i64,
}

async fn tenant(router: &Router, name: &str) -> Tenant {
    let token = sign_up(router, name, &format!("{name}@example.com")).await;
    let answer = call(
        router,
        "apps/create",
        &[("name", "shop"), ("description", "")],
        Some(&token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    Tenant {
        token,
        app_id: answer.json()["app"]["id"].as_i64().unwrap(),
    }
}

async fn save_call(
    router: &Router,
    tenant: &Tenant,
    app_id: i64,
    rule_id: i64,
    changes: &[(&str, &str)],
) -> common::Answer {
    let app_id = app_id.to_string();
    let rule_id = rule_id.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("name", "Too many errors"),
        ("kind", "threshold"),
        ("query", "level:error"),
        ("environment", ""),
        ("window_minutes", "5"),
        ("comparison", "above"),
        ("threshold", "10"),
        ("cooldown_minutes", "15"),
        ("enabled", "on"),
        ("webhook_url", "http://127.0.0.1:9/hook"),
        ("webhook_secret", ""),
        ("slack_url", ""),
        ("email_to", ""),
    ];
    for (name, value) in changes {
        if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
            field.1 = value;
        }
    }
    // As the page's form posts them.
    let names: Vec<String> = fields
        .iter()
        .map(|(name, _)| format!("rule[{name}]"))
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("app_id", &app_id), ("rule_id", &rule_id)];
    form.extend(
        names
            .iter()
            .map(String::as_str)
            .zip(fields.iter().map(|(_, v)| *v)),
    );
    call(router, "alerts/save", &form, Some(&tenant.token)).await
}

async fn the_rule_pages_work_for_their_owner_only(test: &TestDb) {
    let f = fixture(test, interval_config()).await;
    let router = &f.router;
    let ada = tenant(router, "ada2").await;
    let bob = tenant(router, "bob").await;

    // A bad field is a 400 naming it; nothing is saved.
    let bad = save_call(router, &ada, ada.app_id, 0, &[("window_minutes", "90")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("window_minutes"), "{}", bad.body);
    let saved = save_call(router, &ada, ada.app_id, 0, &[]).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let rule_id: i64 = saved.body.trim().parse().expect("the rule's id");

    let overview = call(
        router,
        "alerts/overview",
        &[("app_id", &ada.app_id.to_string())],
        Some(&ada.token),
    )
    .await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let (_, overview): (AppView, AlertsOverview) = serde_json::from_str(&overview.body).unwrap();
    assert_eq!(overview.rules.len(), 1);
    assert_eq!(
        overview.rules[0].condition(),
        "More than 10 lines matching level:error in 5 min"
    );
    assert!(overview.rules[0].enabled);

    // Changed: the name and the threshold.
    let changed = save_call(
        router,
        &ada,
        ada.app_id,
        rule_id,
        &[("name", "Errors"), ("threshold", "3")],
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let rule_args = [
        ("app_id", ada.app_id.to_string()),
        ("rule_id", rule_id.to_string()),
    ];
    let rule_form: Vec<(&str, &str)> = rule_args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let detail = call(router, "alerts/rule", &rule_form, Some(&ada.token)).await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let (_, detail): (AppView, RuleDetail) = serde_json::from_str(&detail.body).unwrap();
    assert_eq!(detail.rule.name, "Errors");
    assert_eq!(detail.rule.threshold, 3.0);

    // A test goes to the webhook (nobody listens on port 9): the outcome says so, and the
    // test is in the history.
    let tested = call(router, "alerts/test", &rule_form, Some(&ada.token)).await;
    assert_eq!(tested.status, StatusCode::OK, "{}", tested.body);
    let outcomes: Vec<app::model::alerts::TestOutcome> =
        serde_json::from_str(&tested.body).unwrap();
    assert_eq!(outcomes.len(), 1);
    assert!(!outcomes[0].ok);
    assert_eq!(outcomes[0].message, "could not connect");
    let detail = call(router, "alerts/rule", &rule_form, Some(&ada.token)).await;
    let (_, detail): (AppView, RuleDetail) = serde_json::from_str(&detail.body).unwrap();
    assert_eq!(detail.history[0].kind, EntryKind::Test);
    assert_eq!(
        detail.history[0].deliveries[0].status,
        DeliveryStatus::Failed
    );

    // Bob sees none of it: Ada's app, or Ada's rule under his own app, is not found.
    let bob_on_ada = [
        ("app_id", ada.app_id.to_string()),
        ("rule_id", rule_id.to_string()),
    ];
    let bob_on_ada: Vec<(&str, &str)> = bob_on_ada.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bob_own = [
        ("app_id", bob.app_id.to_string()),
        ("rule_id", rule_id.to_string()),
    ];
    let bob_own: Vec<(&str, &str)> = bob_own.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for function in ["alerts/rule", "alerts/test", "alerts/delete"] {
        for form in [&bob_on_ada, &bob_own] {
            let answer = call(router, function, form, Some(&bob.token)).await;
            assert_eq!(
                answer.status,
                StatusCode::NOT_FOUND,
                "{function} {form:?}: {}",
                answer.body
            );
        }
    }
    let overview = call(
        router,
        "alerts/overview",
        &[("app_id", &ada.app_id.to_string())],
        Some(&bob.token),
    )
    .await;
    assert_eq!(overview.status, StatusCode::NOT_FOUND);
    let stolen = save_call(router, &bob, ada.app_id, rule_id, &[("name", "mine")]).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    let moved = save_call(router, &bob, bob.app_id, rule_id, &[("name", "mine")]).await;
    assert_eq!(moved.status, StatusCode::NOT_FOUND);
    // Signed out: 401.
    let anonymous = call(
        router,
        "alerts/overview",
        &[("app_id", &ada.app_id.to_string())],
        None,
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Ada deletes it, with its history.
    let deleted = call(router, "alerts/delete", &rule_form, Some(&ada.token)).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let gone = call(router, "alerts/rule", &rule_form, Some(&ada.token)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        alert_events::Entity::find()
            .all(&f.state.db)
            .await
            .unwrap()
            .len(),
        0
    );
}

on_both_databases!(
    a_threshold_rule_fires_once_then_resolves_with_signed_webhooks,
    the_cooldown_holds_notifications_but_keeps_the_history,
    error_rates_and_too_few_lines_fire,
    a_restart_or_a_second_server_neither_repeats_nor_loses_anything,
    one_server_at_a_time_holds_a_rule,
    failed_deliveries_are_retried_with_backoff_then_fail,
    slack_gets_readable_blocks,
    email_goes_through_smtp_with_text_and_html,
    issue_rules_alert_on_new_issues_and_regressions,
    the_evaluator_wakes_when_the_writer_commits_an_issue,
    the_rule_pages_work_for_their_owner_only,
);
