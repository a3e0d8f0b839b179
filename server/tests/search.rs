//! Reading lines back (`backend::store`) on SQLite and PostgreSQL: every operator of the
//! search language, keyset pagination, the SQLite plans (budget scan, full-text index, scan)
//! agreeing with each other, histograms from metrics and from lines, environments, health,
//! the live view's cursor, purges of the full-text index, and the migration's backfill.
mod common;

use app::{
    backend::{
        ingest::{
            InsertMethod, NewLine,
            store::{Group, LogWriter},
        },
        services::{apps, purges, users},
        store::{self, LogFilter, Plan},
        testing::TestDb,
    },
    model::{
        Level,
        logs::{Cursor, HealthState, Histogram},
        query::{CmpOp, Expr, Field, Value},
    },
    on_both_databases,
};
use common::PASSWORD;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

/// 2023-11-14T22:13:00Z, on a minute boundary.
const T0: i64 = 1_699_999_980_000_000;
const SEC: i64 = 1_000_000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;

fn line(ts: i64, level: Level, service: &str, message: &str) -> NewLine {
    NewLine {
        ts,
        received_at: ts,
        level,
        service: service.into(),
        environment: None,
        release: None,
        message: message.into(),
        attributes: "{}".into(),
        trace_id: None,
        issue_id: None,
    }
}

fn with(
    mut l: NewLine,
    env: Option<&str>,
    release: Option<&str>,
    attrs: serde_json::Value,
    trace: Option<&str>,
) -> NewLine {
    l.environment = env.map(Into::into);
    l.release = release.map(Into::into);
    l.attributes = attrs.to_string();
    l.trace_id = trace.map(Into::into);
    l
}

/// Writes `lines` for `app_id` as the ingest writer does, and lets the full-text indexer
/// catch up as the server's would; returns their ids.
async fn write(db: &DatabaseConnection, app_id: i64, lines: &[NewLine]) -> Vec<i64> {
    let ids = write_unindexed(db, app_id, lines).await;
    app::backend::store::text_index::catch_up(db).await.unwrap();
    ids
}

/// Writes `lines` as the ingest writer does, before the full-text indexer reaches them.
async fn write_unindexed(db: &DatabaseConnection, app_id: i64, lines: &[NewLine]) -> Vec<i64> {
    let mut writer = LogWriter::new(
        db.clone(),
        InsertMethod::for_backend(db.get_database_backend()),
    );
    let mut ids = Vec::new();
    // Several commits, so that metrics rows are upserted more than once.
    for chunk in lines.chunks(150) {
        ids.extend(
            writer
                .write(&[Group::lines(app_id, chunk)])
                .await
                .unwrap()
                .ids,
        );
    }
    ids
}

async fn execute(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql.to_string(),
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap();
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn filter<'a>(app_id: i64, query: Option<&'a Expr>) -> LogFilter<'a> {
    LogFilter {
        app_id,
        start_us: T0 - HOUR,
        end_us: T0 + 24 * HOUR,
        environment: None,
        query,
    }
}

/// Every page of `filter` with `plan`, `size` lines at a time, checking that the pages are
/// newest first and chained by their cursors.
async fn all_pages(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    size: u32,
    plan: Plan,
) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut before: Option<Cursor> = None;
    let mut last: Option<Cursor> = None;
    for _ in 0..10_000 {
        let page = store::page_with(db, filter, before, size, plan)
            .await
            .unwrap();
        assert!(page.lines.len() <= size as usize);
        for l in &page.lines {
            if let Some(prev) = last {
                assert!(
                    (l.ts, l.id) < (prev.ts, prev.id),
                    "not newest first: {l:?} after {prev:?}"
                );
            }
            last = Some(l.cursor());
            ids.push(l.id);
        }
        match page.next {
            Some(next) => {
                assert_eq!(Some(next), page.lines.last().map(|l| l.cursor()));
                before = Some(next);
            }
            None => return ids,
        }
    }
    panic!("pagination does not end");
}

// ---------------------------------------------------------------------------------------
// The language, operator by operator.

struct Corpus {
    app_id: i64,
    ids: Vec<i64>,
}

impl Corpus {
    /// The corpus lines a query finds, as indexes, with every plan (they must agree).
    async fn find(&self, db: &DatabaseConnection, query: &Expr) -> Vec<usize> {
        self.find_in(db, &filter(self.app_id, Some(query))).await
    }

    async fn find_in(&self, db: &DatabaseConnection, f: &LogFilter<'_>) -> Vec<usize> {
        let mut answers = Vec::new();
        for plan in [Plan::Auto, Plan::Scan, Plan::Budget(2), Plan::FullText] {
            let ids = all_pages(db, f, 3, plan).await;
            let mut found: Vec<usize> = ids
                .iter()
                .map(|id| {
                    self.ids
                        .iter()
                        .position(|x| x == id)
                        .expect("a corpus line")
                })
                .collect();
            found.sort();
            answers.push(found);
        }
        for other in &answers[1..] {
            assert_eq!(&answers[0], other, "plans disagree on {:?}", f.query);
        }
        // The live view's catch-up applies the same condition.
        let mut after: Vec<usize> = store::after(db, f, 0, 1000)
            .await
            .unwrap()
            .iter()
            .map(|l| self.ids.iter().position(|x| *x == l.id).unwrap())
            .collect();
        after.sort();
        assert_eq!(after, answers[0], "after() disagrees on {:?}", f.query);
        answers.swap_remove(0)
    }
}

async fn corpus(db: &DatabaseConnection) -> Corpus {
    let t = |i: i64| T0 + i * SEC;
    let lines = vec![
        // 0
        with(
            line(t(0), Level::Info, "api", "GET /cart 200"),
            Some("production"),
            Some("1.2.0"),
            json!({"user_id": 42, "correlation_id": "abc-123", "http.method": "GET", "ok": true}),
            Some("t-1"),
        ),
        // 1
        with(
            line(t(1), Level::Error, "billing", "Payment TIMEOUT after 30s"),
            Some("staging"),
            None,
            json!({"user_id": "42", "amount": 12.5}),
            Some("T-2"),
        ),
        // 2
        with(
            line(t(2), Level::Warn, "payments", "connection reset by peer"),
            None,
            None,
            json!({"user_id": 7, "retry": false}),
            None,
        ),
        // 3
        with(
            line(t(3), Level::Fatal, "worker", "disk 100% full"),
            Some("Production"),
            None,
            json!({"path": "/var/log", "odd key": "x y", "quote\"key": "q", "back\\slash": "b"}),
            None,
        ),
        // 4
        with(
            line(t(4), Level::Debug, "api", "cache_miss for key user_1"),
            Some("production"),
            None,
            json!({"user_id": 42.5}),
            None,
        ),
        // 5
        with(
            line(
                t(5),
                Level::Info,
                "API-gateway",
                "Zahlung für Größe fehlgeschlagen — ünïcödé ✓",
            ),
            None,
            None,
            json!({"tags": ["a", "b"], "nested": {"k": 1}, "empty": null, "größe": "groß"}),
            None,
        ),
        // 6
        with(
            line(t(6), Level::Trace, "api", "timeout while reading body"),
            Some(""),
            None,
            json!({}),
            None,
        ),
        // 7
        with(
            line(t(7), Level::Error, "auth", "login failed: 100x retries"),
            Some("production"),
            Some("1.3.0-beta"),
            json!({"user_id": 1000, "latency_ms": 250, "ok": "true"}),
            Some("t-7"),
        ),
        // 8
        with(
            line(t(8), Level::Info, "api", "cache miss ok"),
            Some("staging"),
            None,
            json!({"user_id": "abc"}),
            None,
        ),
    ];
    let app_id = 1;
    let ids = write(db, app_id, &lines).await;
    // Issues are set by grouping, later: here by hand.
    execute(
        db,
        "UPDATE logs SET issue_id = ? WHERE id = ?",
        vec![77i64.into(), ids[1].into()],
    )
    .await;
    execute(
        db,
        "UPDATE logs SET issue_id = ? WHERE id = ?",
        vec![78i64.into(), ids[7].into()],
    )
    .await;
    // Another app's lines share words with these and must never show.
    write(
        db,
        2,
        &[with(
            line(
                t(1),
                Level::Error,
                "api",
                "timeout connection reset 100% cache_miss",
            ),
            Some("production"),
            None,
            json!({"user_id": 42, "correlation_id": "abc-123"}),
            Some("t-1"),
        )],
    )
    .await;
    Corpus { app_id, ids }
}

fn text(t: &str) -> Expr {
    Expr::text(t)
}

fn is(field: Field, value: Value) -> Expr {
    Expr::is(field, value)
}

fn is_text(field: Field, t: &str) -> Expr {
    is(field, Value::Text(t.into()))
}

fn pattern(field: Field, p: &str) -> Expr {
    is(field, Value::Pattern(p.into()))
}

fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

fn cmp(field: Field, op: CmpOp, value: Value) -> Expr {
    Expr::Compare { field, op, value }
}

fn attr(key: &str) -> Field {
    Field::Attr(key.into())
}

async fn free_text_phrases_and_boolean_logic(test: &TestDb) {
    let db = &test.db;
    let c = corpus(db).await;
    // Case-insensitive, anywhere in the message.
    assert_eq!(c.find(db, &text("timeout")).await, vec![1, 6]);
    assert_eq!(c.find(db, &text("TimeOut")).await, vec![1, 6]);
    // A phrase is one text, in order.
    assert_eq!(c.find(db, &text("connection reset")).await, vec![2]);
    assert_eq!(
        c.find(db, &text("reset connection")).await,
        Vec::<usize>::new()
    );
    // Several words: all of them.
    assert_eq!(
        c.find(db, &Expr::And(vec![text("timeout"), text("after")]))
            .await,
        vec![1]
    );
    assert_eq!(
        c.find(db, &Expr::And(vec![text("cache"), text("ok")]))
            .await,
        vec![8]
    );
    // Short words (below the trigram index's three characters) still match.
    assert_eq!(
        c.find(db, &Expr::And(vec![text("ok"), text("mi")])).await,
        vec![8]
    );
    // OR, NOT, and their mixes.
    assert_eq!(
        c.find(db, &Expr::Or(vec![text("timeout"), text("reset")]))
            .await,
        vec![1, 2, 6]
    );
    assert_eq!(
        c.find(db, &not(text("timeout"))).await,
        vec![0, 2, 3, 4, 5, 7, 8]
    );
    assert_eq!(
        c.find(
            db,
            &Expr::And(vec![
                Expr::Or(vec![
                    is(Field::Level, Value::Level(Level::Error)),
                    is(Field::Level, Value::Level(Level::Fatal))
                ]),
                not(text("timeout")),
            ])
        )
        .await,
        vec![3, 7]
    );
    // `%`, `_` and `\` are literal.
    assert_eq!(c.find(db, &text("100%")).await, vec![3]);
    assert_eq!(c.find(db, &text("%")).await, vec![3]);
    assert_eq!(c.find(db, &text("e_m")).await, vec![4]);
    assert_eq!(c.find(db, &text("_")).await, vec![4]);
    assert_eq!(c.find(db, &text("\\")).await, Vec::<usize>::new());
    // Unicode text.
    assert_eq!(c.find(db, &text("Größe")).await, vec![5]);
    assert_eq!(c.find(db, &text("ünïcödé ✓")).await, vec![5]);
    assert_eq!(c.find(db, &text("✓")).await, vec![5]);
    assert_eq!(c.find(db, &text("— ü")).await, vec![5]);
    // A quote inside a phrase.
    assert_eq!(c.find(db, &text("\"cart")).await, Vec::<usize>::new());
    // message:text is free text; message:pattern is anchored.
    assert_eq!(
        c.find(db, &is_text(Field::Message, "connection RESET"))
            .await,
        vec![2]
    );
    assert_eq!(c.find(db, &pattern(Field::Message, "conn*")).await, vec![2]);
    assert_eq!(
        c.find(db, &pattern(Field::Message, "reset*")).await,
        Vec::<usize>::new()
    );
    assert_eq!(c.find(db, &pattern(Field::Message, "*PEER")).await, vec![2]);
    assert_eq!(
        c.find(db, &pattern(Field::Message, "disk*%*")).await,
        vec![3]
    );
}

async fn fields_lists_and_patterns(test: &TestDb) {
    let db = &test.db;
    let c = corpus(db).await;
    let level = |l| is(Field::Level, Value::Level(l));
    assert_eq!(c.find(db, &level(Level::Error)).await, vec![1, 7]);
    assert_eq!(
        c.find(
            db,
            &Expr::Is {
                field: Field::Level,
                values: vec![Value::Level(Level::Warn), Value::Level(Level::Fatal)]
            }
        )
        .await,
        vec![2, 3]
    );
    assert_eq!(
        c.find(db, &not(level(Level::Info))).await,
        vec![1, 2, 3, 4, 6, 7]
    );
    // service / environment / release: equal, case-insensitively.
    assert_eq!(
        c.find(db, &is_text(Field::Service, "api")).await,
        vec![0, 4, 6, 8]
    );
    assert_eq!(
        c.find(db, &is_text(Field::Service, "API")).await,
        vec![0, 4, 6, 8]
    );
    assert_eq!(c.find(db, &pattern(Field::Service, "pay*")).await, vec![2]);
    assert_eq!(
        c.find(db, &pattern(Field::Service, "API*")).await,
        vec![0, 4, 5, 6, 8]
    );
    assert_eq!(
        c.find(db, &pattern(Field::Service, "*ay*")).await,
        vec![2, 5]
    );
    assert_eq!(
        c.find(
            db,
            &Expr::Is {
                field: Field::Service,
                values: vec![Value::Text("billing".into()), Value::Text("worker".into())]
            }
        )
        .await,
        vec![1, 3]
    );
    assert_eq!(
        c.find(
            db,
            &Expr::Is {
                field: Field::Service,
                values: vec![Value::Text("billing".into()), Value::Pattern("w*".into())]
            }
        )
        .await,
        vec![1, 3]
    );
    assert_eq!(
        c.find(db, &is_text(Field::Environment, "production")).await,
        vec![0, 3, 4, 7]
    );
    // Negation keeps lines without an environment (NULL) or with an empty one.
    assert_eq!(
        c.find(db, &not(is_text(Field::Environment, "production")))
            .await,
        vec![1, 2, 5, 6, 8]
    );
    assert_eq!(
        c.find(db, &not(pattern(Field::Environment, "prod*"))).await,
        vec![1, 2, 5, 6, 8]
    );
    assert_eq!(c.find(db, &is_text(Field::Release, "1.2.0")).await, vec![0]);
    assert_eq!(
        c.find(db, &pattern(Field::Release, "1.*")).await,
        vec![0, 7]
    );
    assert_eq!(
        c.find(db, &not(is_text(Field::Release, "1.2.0"))).await,
        vec![1, 2, 3, 4, 5, 6, 7, 8]
    );
    // Trace ids are exact; their patterns are case-insensitive like every pattern.
    assert_eq!(c.find(db, &is_text(Field::Trace, "t-1")).await, vec![0]);
    assert_eq!(
        c.find(db, &is_text(Field::Trace, "T-1")).await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.find(db, &pattern(Field::Trace, "t-*")).await,
        vec![0, 1, 7]
    );
    assert_eq!(
        c.find(db, &not(is_text(Field::Trace, "t-1"))).await,
        vec![1, 2, 3, 4, 5, 6, 7, 8]
    );
    // The environment selector of the view.
    let f = LogFilter {
        environment: Some("PRODUCTION"),
        ..filter(c.app_id, None)
    };
    assert_eq!(c.find_in(db, &f).await, vec![0, 3, 4, 7]);
    let q = text("cache");
    let f = LogFilter {
        environment: Some("staging"),
        ..filter(c.app_id, Some(&q))
    };
    assert_eq!(c.find_in(db, &f).await, vec![8]);
}

async fn comparisons_on_level_time_issue_and_attributes(test: &TestDb) {
    let db = &test.db;
    let c = corpus(db).await;
    let level = |op, l| cmp(Field::Level, op, Value::Level(l));
    assert_eq!(
        c.find(db, &level(CmpOp::Ge, Level::Warn)).await,
        vec![1, 2, 3, 7]
    );
    assert_eq!(c.find(db, &level(CmpOp::Gt, Level::Error)).await, vec![3]);
    assert_eq!(c.find(db, &level(CmpOp::Lt, Level::Info)).await, vec![4, 6]);
    assert_eq!(
        c.find(db, &level(CmpOp::Le, Level::Info)).await,
        vec![0, 4, 5, 6, 8]
    );
    let ts = |op, s: i64| cmp(Field::Timestamp, op, Value::Time(T0 + s * SEC));
    assert_eq!(c.find(db, &ts(CmpOp::Gt, 6)).await, vec![7, 8]);
    assert_eq!(c.find(db, &ts(CmpOp::Ge, 6)).await, vec![6, 7, 8]);
    assert_eq!(c.find(db, &ts(CmpOp::Lt, 1)).await, vec![0]);
    assert_eq!(
        c.find(db, &Expr::And(vec![ts(CmpOp::Ge, 2), ts(CmpOp::Le, 3)]))
            .await,
        vec![2, 3]
    );
    assert_eq!(
        c.find(db, &is(Field::Timestamp, Value::Time(T0 + 4 * SEC)))
            .await,
        vec![4]
    );
    // Issues: lines without one never compare, and NOT keeps them.
    assert_eq!(c.find(db, &is(Field::Issue, Value::Int(77))).await, vec![1]);
    assert_eq!(
        c.find(db, &cmp(Field::Issue, CmpOp::Ge, Value::Int(77)))
            .await,
        vec![1, 7]
    );
    assert_eq!(
        c.find(db, &cmp(Field::Issue, CmpOp::Gt, Value::Int(77)))
            .await,
        vec![7]
    );
    assert_eq!(
        c.find(db, &not(is(Field::Issue, Value::Int(77)))).await,
        vec![0, 2, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(
        c.find(db, &not(cmp(Field::Issue, CmpOp::Lt, Value::Int(78))))
            .await,
        vec![0, 2, 3, 4, 5, 6, 7, 8]
    );
    // Attributes compare as numbers, and only numbers: "42" (a string) never does.
    let user = |op, v| cmp(attr("user_id"), op, v);
    assert_eq!(
        c.find(db, &user(CmpOp::Ge, Value::Int(42))).await,
        vec![0, 4, 7]
    );
    assert_eq!(
        c.find(db, &user(CmpOp::Gt, Value::Number(42.1))).await,
        vec![4, 7]
    );
    assert_eq!(c.find(db, &user(CmpOp::Lt, Value::Int(10))).await, vec![2]);
    assert_eq!(
        c.find(db, &not(user(CmpOp::Lt, Value::Int(10)))).await,
        vec![0, 1, 3, 4, 5, 6, 7, 8]
    );
    assert_eq!(
        c.find(db, &cmp(attr("amount"), CmpOp::Gt, Value::Number(12.0)))
            .await,
        vec![1]
    );
    assert_eq!(
        c.find(db, &cmp(attr("latency_ms"), CmpOp::Le, Value::Int(250)))
            .await,
        vec![7]
    );
    assert_eq!(
        c.find(db, &cmp(attr("path"), CmpOp::Gt, Value::Int(0)))
            .await,
        Vec::<usize>::new()
    );
}

async fn attributes_and_has(test: &TestDb) {
    let db = &test.db;
    let c = corpus(db).await;
    // A number equals its JSON spelling, as a number or a string.
    assert_eq!(
        c.find(db, &is_text(attr("user_id"), "42")).await,
        vec![0, 1]
    );
    assert_eq!(
        c.find(db, &is(attr("user_id"), Value::Int(42))).await,
        vec![0, 1]
    );
    assert_eq!(c.find(db, &is_text(attr("user_id"), "42.5")).await, vec![4]);
    assert_eq!(c.find(db, &is_text(attr("user_id"), "abc")).await, vec![8]);
    assert_eq!(
        c.find(db, &is_text(attr("user_id"), "ABC")).await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.find(db, &not(is_text(attr("user_id"), "42"))).await,
        vec![2, 3, 4, 5, 6, 7, 8]
    );
    // Booleans match true/false (and the strings).
    assert_eq!(c.find(db, &is_text(attr("ok"), "true")).await, vec![0, 7]);
    assert_eq!(c.find(db, &is_text(attr("retry"), "false")).await, vec![2]);
    assert_eq!(
        c.find(db, &is_text(attr("retry"), "true")).await,
        Vec::<usize>::new()
    );
    // Patterns: anchored, case-insensitive, on the value's text.
    assert_eq!(c.find(db, &pattern(attr("path"), "/VAR/*")).await, vec![3]);
    assert_eq!(
        c.find(db, &pattern(attr("user_id"), "4*")).await,
        vec![0, 1, 4]
    );
    assert_eq!(c.find(db, &pattern(attr("ok"), "tr*")).await, vec![0, 7]);
    assert_eq!(
        c.find(db, &not(pattern(attr("path"), "/var/*"))).await,
        vec![0, 1, 2, 4, 5, 6, 7, 8]
    );
    // Null, objects and arrays never match a value.
    assert_eq!(
        c.find(db, &pattern(attr("user_id"), "*")).await,
        vec![0, 1, 2, 4, 7, 8]
    );
    assert_eq!(
        c.find(db, &pattern(attr("tags"), "*")).await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.find(db, &pattern(attr("nested"), "*")).await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.find(db, &is_text(attr("tags"), r#"["a","b"]"#)).await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.find(db, &is_text(attr("empty"), "null")).await,
        Vec::<usize>::new()
    );
    // The correlation id (its expression index), attr.x and tag[x] being the same field.
    assert_eq!(
        c.find(db, &is_text(attr("correlation_id"), "abc-123"))
            .await,
        vec![0]
    );
    assert_eq!(
        c.find(db, &is_text(attr("correlation_id"), "ABC-123"))
            .await,
        Vec::<usize>::new()
    );
    let ids = |values: &[&str]| Expr::Is {
        field: attr("correlation_id"),
        values: values.iter().map(|v| Value::Text(v.to_string())).collect(),
    };
    assert_eq!(c.find(db, &ids(&["nope", "abc-123", "42"])).await, vec![0]);
    assert_eq!(
        c.find(db, &Expr::And(vec![ids(&["abc-123"]), text("cart")]))
            .await,
        vec![0]
    );
    assert_eq!(
        c.find(db, &Expr::And(vec![ids(&["abc-123"]), text("nope")]))
            .await,
        Vec::<usize>::new()
    );
    assert_eq!(c.find(db, &ids(&["true"])).await, Vec::<usize>::new());
    assert_eq!(
        c.find(db, &pattern(attr("correlation_id"), "ABC-*")).await,
        vec![0]
    );
    assert_eq!(
        c.find(db, &not(ids(&["abc-123"]))).await,
        vec![1, 2, 3, 4, 5, 6, 7, 8]
    );
    let q = ids(&["abc-123"]);
    assert_eq!(
        store::histogram(db, &filter(c.app_id, Some(&q)), 60)
            .await
            .unwrap()
            .total(),
        1
    );
    // Keys that are not plain identifiers are bound, not written into the SQL.
    assert_eq!(
        c.find(db, &is_text(attr("http.method"), "GET")).await,
        vec![0]
    );
    assert_eq!(c.find(db, &is_text(attr("odd key"), "x y")).await, vec![3]);
    assert_eq!(c.find(db, &is_text(attr("quote\"key"), "q")).await, vec![3]);
    assert_eq!(
        c.find(db, &is_text(attr("back\\slash"), "b")).await,
        vec![3]
    );
    assert_eq!(c.find(db, &is_text(attr("größe"), "groß")).await, vec![5]);
    assert_eq!(
        c.find(db, &is_text(attr("x' OR 1=1 --"), "1")).await,
        Vec::<usize>::new()
    );
    // has: set and not empty; attributes present and not null.
    assert_eq!(c.find(db, &Expr::Has(Field::Trace)).await, vec![0, 1, 7]);
    assert_eq!(
        c.find(db, &Expr::Has(Field::Environment)).await,
        vec![0, 1, 3, 4, 7, 8]
    );
    assert_eq!(
        c.find(db, &not(Expr::Has(Field::Environment))).await,
        vec![2, 5, 6]
    );
    assert_eq!(c.find(db, &Expr::Has(Field::Release)).await, vec![0, 7]);
    assert_eq!(c.find(db, &Expr::Has(Field::Issue)).await, vec![1, 7]);
    assert_eq!(c.find(db, &Expr::Has(Field::Level)).await.len(), 9);
    assert_eq!(
        c.find(db, &Expr::Has(attr("user_id"))).await,
        vec![0, 1, 2, 4, 7, 8]
    );
    assert_eq!(
        c.find(db, &Expr::Has(attr("empty"))).await,
        Vec::<usize>::new()
    );
    assert_eq!(c.find(db, &Expr::Has(attr("tags"))).await, vec![5]);
    assert_eq!(c.find(db, &Expr::Has(attr("odd key"))).await, vec![3]);
    assert_eq!(
        c.find(db, &not(Expr::Has(attr("user_id")))).await,
        vec![3, 5, 6]
    );
    // Lines come back whole, attributes in key order as text.
    let q = is_text(Field::Trace, "t-1");
    let page = store::page(db, &filter(c.app_id, Some(&q)), None, 10)
        .await
        .unwrap();
    let row = &page.lines[0];
    assert_eq!((row.id, row.ts, row.level), (c.ids[0], T0, Level::Info));
    assert_eq!(row.service, "api");
    assert_eq!(row.environment.as_deref(), Some("production"));
    assert_eq!(row.release.as_deref(), Some("1.2.0"));
    assert_eq!(row.trace_id.as_deref(), Some("t-1"));
    assert_eq!(row.issue_id, None);
    assert_eq!(
        row.attribute_pairs(),
        vec![
            ("correlation_id".to_string(), "abc-123".to_string()),
            ("http.method".into(), "GET".into()),
            ("ok".into(), "true".into()),
            ("user_id".into(), "42".into()),
        ]
    );
    let q = is(Field::Issue, Value::Int(78));
    let page = store::page(db, &filter(c.app_id, Some(&q)), None, 10)
        .await
        .unwrap();
    assert_eq!(page.lines[0].issue_id, Some(78));
}

/// The spellings of the language reach the same SQL (the parser's own tests cover the rest).
async fn parsed_queries(test: &TestDb) {
    let db = &test.db;
    let c = &corpus(db).await;
    let find = |q: &str| {
        let expr = app::model::query::parse(q).unwrap().expect("a condition");
        async move { c.find(db, &expr).await }
    };
    assert_eq!(find("level:error timeout").await, vec![1]);
    assert_eq!(
        find("env:production").await,
        find("environment:production").await
    );
    assert_eq!(find("trace:t-1").await, find("trace_id:t-1").await);
    assert_eq!(find("tag[correlation_id]:abc-123").await, vec![0]);
    assert_eq!(find("attr.correlation_id:abc-123").await, vec![0]);
    assert_eq!(find("attr.user_id:42").await, vec![0, 1]);
    assert_eq!(find("service:[billing, worker]").await, vec![1, 3]);
    assert_eq!(
        find("(level:error OR level:fatal) AND !service:auth").await,
        vec![1, 3]
    );
    assert_eq!(find("level:>=warn").await, vec![1, 2, 3, 7]);
    assert_eq!(find("has:trace_id").await, vec![0, 1, 7]);
    assert_eq!(find("message:\"connection reset\"").await, vec![2]);
}

// ---------------------------------------------------------------------------------------
// Pagination and plans.

async fn keyset_pages_lose_and_repeat_nothing(test: &TestDb) {
    let db = &test.db;
    // Seven lines per timestamp, so pages often end inside a run of equal timestamps.
    let lines: Vec<NewLine> = (0..250)
        .map(|i| {
            let word = if i % 3 == 0 { "needle" } else { "hay" };
            let level = if i % 2 == 0 {
                Level::Error
            } else {
                Level::Info
            };
            line(
                T0 + (i / 7) * SEC,
                level,
                "api",
                &format!("line {i} {word}"),
            )
        })
        .collect();
    let ids = write(db, 5, &lines).await;
    let f = filter(5, None);
    for size in [1, 7, 10, 1000] {
        let found = all_pages(db, &f, size, Plan::Auto).await;
        let mut expected = ids.clone();
        expected.sort_by_key(|id| {
            std::cmp::Reverse((lines[ids.iter().position(|x| x == id).unwrap()].ts, *id))
        });
        assert_eq!(found, expected, "page size {size}");
    }
    let q = text("needle");
    let f = filter(5, Some(&q));
    let expected = all_pages(db, &f, 1000, Plan::Scan).await;
    assert_eq!(expected.len(), 84);
    for plan in [
        Plan::Auto,
        Plan::Scan,
        Plan::Budget(5),
        Plan::Budget(50),
        Plan::FullText,
    ] {
        for size in [1, 4, 9] {
            assert_eq!(
                all_pages(db, &f, size, plan).await,
                expected,
                "{plan:?}, {size}"
            );
        }
    }
    let q = Expr::And(vec![
        is(Field::Level, Value::Level(Level::Error)),
        text("needle"),
    ]);
    let f = filter(5, Some(&q));
    let expected = all_pages(db, &f, 1000, Plan::Scan).await;
    assert_eq!(expected.len(), 42);
    for plan in [Plan::Budget(3), Plan::FullText] {
        assert_eq!(all_pages(db, &f, 4, plan).await, expected, "{plan:?}");
    }
    // A page ends exactly at the last line: no next cursor, nothing lost.
    let page = store::page(db, &filter(5, None), None, 250).await.unwrap();
    assert_eq!((page.lines.len(), page.next), (250, None));
    let page = store::page(db, &filter(5, None), None, 249).await.unwrap();
    assert!(page.next.is_some());
    // The limit is capped.
    let page = store::page(db, &filter(5, None), None, 5000).await.unwrap();
    assert_eq!(page.lines.len(), 250);
}

/// Rare text far back in a long window: the budget scan gives up, the full-text index finds
/// it; time bounds, other apps and the other conditions still apply.
async fn full_text_plan_agrees_with_the_scan(test: &TestDb) {
    let db = &test.db;
    let mut lines = Vec::new();
    for i in 0..3000 {
        let message = match i {
            5 | 700 | 1500 | 2200 => format!("upstream Timeout talking to db #{i}"),
            1501 => "timeouts everywhere".to_string(),
            _ => format!("request {i} served"),
        };
        let level = if i % 5 == 0 {
            Level::Error
        } else {
            Level::Info
        };
        lines.push(line(T0 + i * 2 * SEC, level, "api", &message));
    }
    let ids = write(db, 7, &lines).await;
    // The same words in another app, written in between.
    write(
        db,
        8,
        &[line(
            T0 + 100 * SEC,
            Level::Error,
            "api",
            "timeout in app 8",
        )],
    )
    .await;
    let q = text("timeout");
    let f = filter(7, Some(&q));
    let expected = all_pages(db, &f, 1000, Plan::Scan).await;
    assert_eq!(
        expected,
        vec![ids[2200], ids[1501], ids[1500], ids[700], ids[5]]
    );
    for plan in [
        Plan::Budget(100),
        Plan::Budget(10_000),
        Plan::FullText,
        Plan::Auto,
    ] {
        assert_eq!(all_pages(db, &f, 2, plan).await, expected, "{plan:?}");
    }
    // Within a narrower window.
    let narrow = LogFilter {
        start_us: T0 + 1000 * SEC,
        end_us: T0 + 3003 * SEC,
        ..f
    };
    for plan in [Plan::Scan, Plan::Budget(10), Plan::FullText] {
        assert_eq!(
            all_pages(db, &narrow, 2, plan).await,
            vec![ids[1501], ids[1500], ids[700]],
            "{plan:?}"
        );
    }
    // A window without lines.
    let empty = LogFilter {
        start_us: T0 - 10 * HOUR,
        end_us: T0 - 9 * HOUR,
        ..f
    };
    assert!(all_pages(db, &empty, 2, Plan::FullText).await.is_empty());
    // With a level, several words, a negation.
    let q = Expr::And(vec![
        is(Field::Level, Value::Level(Level::Error)),
        text("upstream timeout"),
        not(text("#2200")),
    ]);
    let f = filter(7, Some(&q));
    let expected = all_pages(db, &f, 1000, Plan::Scan).await;
    assert_eq!(expected, vec![ids[1500], ids[700], ids[5]]);
    for plan in [Plan::Budget(10), Plan::FullText, Plan::Auto] {
        assert_eq!(all_pages(db, &f, 1, plan).await, expected, "{plan:?}");
    }
    // Lines the indexer has not reached yet are found all the same.
    let late = write_unindexed(
        db,
        7,
        &[
            line(
                T0 + 6001 * SEC,
                Level::Error,
                "api",
                "late upstream timeout",
            ),
            line(T0 + 6002 * SEC, Level::Info, "api", "late but quiet"),
        ],
    )
    .await;
    let q = text("timeout");
    let f = filter(7, Some(&q));
    let expected = all_pages(db, &f, 1000, Plan::Scan).await;
    assert_eq!(expected.first(), Some(&late[0]));
    for plan in [Plan::Budget(10), Plan::FullText, Plan::Auto] {
        assert_eq!(all_pages(db, &f, 2, plan).await, expected, "{plan:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Histogram, environments, health, live cursor.

fn sum(h: &Histogram) -> [u64; 6] {
    let mut total = [0; 6];
    for counts in &h.counts {
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    total
}

async fn histograms_from_metrics_equal_counted_lines(test: &TestDb) {
    let db = &test.db;
    // Lines over four hours, some in the same minutes, levels and words mixed.
    let mut lines = Vec::new();
    for i in 0..1200i64 {
        let ts = T0 - 20 * MIN + (i * 7919 % 1200) * 13 * SEC + (i % 11) * 100_000;
        let level = Level::ALL[(i * 7 % 6) as usize];
        let word = if i % 10 == 0 { "needle" } else { "hay" };
        lines.push(line(ts, level, "api", &format!("{word} {i}")));
    }
    write(db, 9, &lines).await;
    write(db, 10, &lines[..100]).await;
    // Partial minutes at both ends; every line of the window counted once.
    let window = |query| LogFilter {
        app_id: 9,
        start_us: T0 + 17 * SEC + 3,
        end_us: T0 + 3 * HOUR + 23 * SEC,
        environment: None,
        query,
    };
    let in_window = |l: &NewLine, w: &LogFilter| l.ts >= w.start_us && l.ts < w.end_us;
    // Always true, but not a level condition: counted from the lines.
    let everything = Expr::Has(Field::Timestamp);
    for max_buckets in [60, 7, 500] {
        let metrics = store::histogram(db, &window(None), max_buckets)
            .await
            .unwrap();
        let counted = store::histogram(db, &window(Some(&everything)), max_buckets)
            .await
            .unwrap();
        assert_eq!(metrics, counted, "{max_buckets} buckets");
        assert_eq!(metrics.start_us % metrics.bucket_us, 0);
        assert!(metrics.start_us <= window(None).start_us);
        assert!(metrics.end_us() >= window(None).end_us);
        // Aligned buckets may add one to the range's own count.
        assert!(metrics.counts.len() as i64 <= max_buckets + 1);
        let w = window(None);
        let mut expected = [0u64; 6];
        for l in lines.iter().filter(|l| in_window(l, &w)) {
            expected[l.level as usize] += 1;
            let bucket = ((l.ts - metrics.start_us) / metrics.bucket_us) as usize;
            assert!(metrics.counts[bucket][l.level as usize] > 0);
        }
        assert_eq!(sum(&metrics), expected);
    }
    // Level-only queries read the metrics too.
    let warn_up = cmp(Field::Level, CmpOp::Ge, Value::Level(Level::Warn));
    let counted_warn_up = Expr::And(vec![warn_up.clone(), everything.clone()]);
    let from_metrics = store::histogram(db, &window(Some(&warn_up)), 60)
        .await
        .unwrap();
    assert_eq!(
        from_metrics,
        store::histogram(db, &window(Some(&counted_warn_up)), 60)
            .await
            .unwrap()
    );
    let totals = sum(&from_metrics);
    assert_eq!(&totals[..3], &[0, 0, 0]);
    assert!(totals[3..].iter().all(|n| *n > 0));
    let not_info = not(is(Field::Level, Value::Level(Level::Info)));
    let h = store::histogram(db, &window(Some(&not_info)), 60)
        .await
        .unwrap();
    assert_eq!(sum(&h)[2], 0);
    assert_eq!(
        sum(&h)[4],
        sum(&store::histogram(db, &window(None), 60).await.unwrap())[4]
    );
    // Text: from the lines (through the full-text index on SQLite).
    let q = text("needle");
    let h = store::histogram(db, &window(Some(&q)), 60).await.unwrap();
    let w = window(None);
    let expected = lines
        .iter()
        .filter(|l| in_window(l, &w) && l.message.starts_with("needle"))
        .count();
    assert_eq!(sum(&h).iter().sum::<u64>(), expected as u64);
    let q = Expr::And(vec![text("needle"), everything.clone()]);
    let scanned = store::histogram(
        db,
        &LogFilter {
            environment: Some("x"),
            ..window(Some(&q))
        },
        60,
    )
    .await
    .unwrap();
    assert_eq!(scanned.total(), 0);
    // Seconds-wide buckets (below a minute) are counted from the lines.
    let short = LogFilter {
        start_us: T0 + 90 * SEC,
        end_us: T0 + 150 * SEC,
        ..window(None)
    };
    let h = store::histogram(db, &short, 60).await.unwrap();
    assert_eq!(h.bucket_us, SEC);
    let expected = lines.iter().filter(|l| in_window(l, &short)).count();
    assert_eq!(h.total(), expected as u64);
    // An empty range.
    let h = store::histogram(
        db,
        &LogFilter {
            end_us: w.start_us,
            ..w
        },
        60,
    )
    .await
    .unwrap();
    assert_eq!(h.total(), 0);
}

async fn environments_of_the_newest_lines(test: &TestDb) {
    let db = &test.db;
    assert!(store::environments(db, 11).await.unwrap().is_empty());
    let lines: Vec<NewLine> = [
        Some("prod"),
        Some("staging"),
        Some(""),
        None,
        Some("Prod"),
        Some("prod"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, env)| {
        with(
            line(T0 + i as i64, Level::Info, "api", "x"),
            env,
            None,
            json!({}),
            None,
        )
    })
    .collect();
    write(db, 11, &lines).await;
    write(
        db,
        12,
        &[with(
            line(T0, Level::Info, "api", "x"),
            Some("other-app"),
            None,
            json!({}),
            None,
        )],
    )
    .await;
    assert_eq!(
        store::environments(db, 11).await.unwrap(),
        vec!["Prod", "prod", "staging"]
    );
}

async fn health_from_metrics(test: &TestDb) {
    let db = &test.db;
    let now = T0 + 30 * SEC;
    let quiet = store::health(db, 13, now).await.unwrap();
    assert_eq!(
        (quiet.state, quiet.lines_5m, quiet.errors_24h),
        (HealthState::Quiet, 0, 0)
    );
    let burst = |app: i64, n: usize, errors: usize, at: i64| {
        let lines: Vec<NewLine> = (0..n)
            .map(|i| {
                let level = if i < errors {
                    if i % 2 == 0 {
                        Level::Error
                    } else {
                        Level::Fatal
                    }
                } else {
                    Level::Info
                };
                line(at, level, "api", "x")
            })
            .collect();
        async move { write(db, app, &lines).await }
    };
    // 1 error in 100: good; 2: degraded; 10: still degraded; 11: critical.
    for (app, errors, state) in [
        (13, 1, HealthState::Good),
        (14, 2, HealthState::Degraded),
        (15, 10, HealthState::Degraded),
        (16, 11, HealthState::Critical),
    ] {
        burst(app, 100, errors, now - 2 * MIN).await;
        let h = store::health(db, app, now).await.unwrap();
        assert_eq!(
            (h.state, h.lines_5m, h.errors_5m),
            (state, 100, errors as i64),
            "app {app}"
        );
        assert_eq!(h.per_minute, 20.0);
    }
    // Errors of earlier hours count for the day, not for the last five minutes; older ones
    // and future ones not at all.
    burst(13, 5, 5, now - 3 * HOUR).await;
    burst(13, 3, 3, now - 25 * HOUR).await;
    burst(13, 7, 7, now + 10 * MIN).await;
    let h = store::health(db, 13, now).await.unwrap();
    assert_eq!(
        (h.state, h.lines_5m, h.errors_5m, h.errors_24h),
        (HealthState::Good, 100, 1, 6)
    );
    // Only old lines: quiet.
    burst(17, 10, 10, now - 6 * MIN).await;
    let h = store::health(db, 17, now).await.unwrap();
    assert_eq!(
        (h.state, h.lines_5m, h.errors_24h),
        (HealthState::Quiet, 0, 10)
    );
}

async fn live_cursor_and_catch_up(test: &TestDb) {
    let db = &test.db;
    assert_eq!(store::latest_id(db, 18).await.unwrap(), 0);
    let first = write(
        db,
        18,
        &[
            line(T0, Level::Info, "api", "one"),
            line(T0 - HOUR, Level::Error, "api", "two late"),
        ],
    )
    .await;
    write(db, 19, &[line(T0, Level::Info, "api", "other app")]).await;
    assert_eq!(store::latest_id(db, 18).await.unwrap(), first[1]);
    let start = store::latest_id(db, 18).await.unwrap();
    let more = write(
        db,
        18,
        &[
            line(T0 + SEC, Level::Error, "api", "three"),
            line(T0 - 30 * HOUR, Level::Error, "api", "four, far in the past"),
            line(T0 + 2 * SEC, Level::Info, "api", "five"),
        ],
    )
    .await;
    write(db, 19, &[line(T0, Level::Error, "api", "other app again")]).await;
    assert_eq!(store::latest_id(db, 18).await.unwrap(), more[2]);
    // Oldest id first; the time window does not apply; the query does.
    let f = filter(18, None);
    let after: Vec<i64> = store::after(db, &f, start, 100)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(after, more);
    let q = is(Field::Level, Value::Level(Level::Error));
    let f = filter(18, Some(&q));
    let after: Vec<i64> = store::after(db, &f, start, 100)
        .await
        .unwrap()
        .iter()
        .map(|l| l.id)
        .collect();
    assert_eq!(after, vec![more[0], more[1]]);
    let after = store::after(db, &f, start, 1).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].message, "three");
}

// ---------------------------------------------------------------------------------------
// Writes, purges and the migration.

async fn metrics_keep_each_minutes_id_range(test: &TestDb) {
    let db = &test.db;
    let ids = write(
        db,
        20,
        &[
            line(T0 + SEC, Level::Info, "api", "a"),
            line(T0 + MIN, Level::Info, "api", "b"),
        ],
    )
    .await;
    let later = write(db, 20, &[line(T0 + 2 * SEC, Level::Error, "api", "c")]).await;
    let range = |minute: i64| async move {
        let min = scalar(
            db,
            &format!("SELECT min_id FROM app_metrics WHERE app_id = 20 AND minute = {minute}"),
        )
        .await;
        let max = scalar(
            db,
            &format!("SELECT max_id FROM app_metrics WHERE app_id = 20 AND minute = {minute}"),
        )
        .await;
        (min, max)
    };
    assert_eq!(range(T0 / MIN).await, (ids[0], later[0]));
    assert_eq!(range(T0 / MIN + 1).await, (ids[1], ids[1]));
}

async fn purging_an_app_empties_the_text_index(test: &TestDb) {
    let db = &test.db;
    let user = users::create(db, "ada@example.com", PASSWORD, None)
        .await
        .unwrap();
    let (doomed, _) = apps::create(db, user.id, "doomed", "").await.unwrap();
    let (kept, _) = apps::create(db, user.id, "kept", "").await.unwrap();
    let lines: Vec<NewLine> = (0..40)
        .map(|i| line(T0 + i * SEC, Level::Info, "api", &format!("needle {i}")))
        .collect();
    write(db, doomed.id, &lines).await;
    write(db, kept.id, &lines[..3]).await;
    apps::delete(db, user.id, doomed.id, "doomed")
        .await
        .unwrap();
    assert_eq!(purges::run_pending(db, 7).await.unwrap(), 40);
    assert_eq!(
        scalar(
            db,
            &format!("SELECT count(*) FROM logs WHERE app_id = {}", doomed.id)
        )
        .await,
        0
    );
    if db.get_database_backend() == DbBackend::Sqlite {
        let indexed = "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH '\"nee\" AND \"dle\"'";
        assert_eq!(scalar(db, indexed).await, 3);
        assert_eq!(scalar(db, "SELECT count(*) FROM logs_fts").await, 3);
    }
    let q = text("needle");
    for plan in [Plan::Scan, Plan::FullText] {
        assert_eq!(
            all_pages(db, &filter(kept.id, Some(&q)), 10, plan)
                .await
                .len(),
            3
        );
    }
}

async fn the_migration_indexes_lines_already_stored(test: &TestDb) {
    let db = &test.db;
    // The schema before this migration (and the ones after it), with lines and their counts
    // in it.
    let since = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261123_000012_create_logs_search")
        .expect("the search migration is listed") as u32
        + 1;
    Migrator::down(db, Some(since)).await.unwrap();
    for i in 0..5i64 {
        execute(
            db,
            "INSERT INTO logs (app_id, ts, received_at, level, service, message, attributes) \
             VALUES (?, ?, ?, ?, 'api', ?, '{}')",
            vec![
                21i64.into(),
                (T0 + i * 20 * SEC).into(),
                T0.into(),
                4i16.into(),
                format!("old Timeout {i}").into(),
            ],
        )
        .await;
    }
    execute(
        db,
        "INSERT INTO app_metrics (app_id, minute, error) VALUES (21, ?, 3), (21, ?, 2)",
        vec![(T0 / MIN).into(), (T0 / MIN + 1).into()],
    )
    .await;
    Migrator::up(db, None).await.unwrap();
    // The indexer (the server's background task) reaches the lines stored before.
    app::backend::store::text_index::catch_up(db).await.unwrap();
    if db.get_database_backend() == DbBackend::Sqlite {
        assert_eq!(
            scalar(
                db,
                "SELECT count(*) FROM logs_fts WHERE logs_fts MATCH '\"tim\" AND \"out\"'"
            )
            .await,
            5
        );
    }
    let first = scalar(db, "SELECT min(id) FROM logs WHERE app_id = 21").await;
    assert_eq!(
        scalar(
            db,
            &format!("SELECT min_id FROM app_metrics WHERE minute = {}", T0 / MIN)
        )
        .await,
        first
    );
    assert_eq!(
        scalar(
            db,
            &format!("SELECT max_id FROM app_metrics WHERE minute = {}", T0 / MIN)
        )
        .await,
        first + 2
    );
    assert_eq!(
        scalar(
            db,
            &format!(
                "SELECT max_id FROM app_metrics WHERE minute = {}",
                T0 / MIN + 1
            )
        )
        .await,
        first + 4
    );
    let q = text("old timeout");
    for plan in [Plan::Scan, Plan::Budget(1), Plan::FullText] {
        assert_eq!(
            all_pages(db, &filter(21, Some(&q)), 2, plan).await.len(),
            5,
            "{plan:?}"
        );
    }
    // New lines keep the ranges up to date.
    let new = write(
        db,
        21,
        &[line(T0 + 5 * SEC, Level::Info, "api", "new timeout")],
    )
    .await;
    assert_eq!(
        scalar(
            db,
            &format!("SELECT max_id FROM app_metrics WHERE minute = {}", T0 / MIN)
        )
        .await,
        new[0]
    );
    assert_eq!(
        all_pages(db, &filter(21, Some(&text("timeout"))), 2, Plan::FullText)
            .await
            .len(),
        6
    );
}

/// The plans the SQLite planner picks for the statements above use the indexes meant for them.
async fn sqlite_plans_use_the_indexes(test: &TestDb) {
    let db = &test.db;
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    let plan = |sql: &str| {
        let sql = format!("EXPLAIN QUERY PLAN {sql}");
        async move {
            db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get_by::<String, _>("detail").unwrap())
                .collect::<Vec<_>>()
                .join(" | ")
        }
    };
    let p = plan("SELECT id FROM logs INDEXED BY logs_app_correlation WHERE app_id = 1 AND ts >= 0 AND ts < 9 AND (json_extract(attributes, '$.correlation_id') IN ('42', 42)) ORDER BY ts DESC, id DESC LIMIT 5").await;
    assert!(p.contains("logs_app_correlation"), "{p}");
    let p = plan("SELECT id FROM logs WHERE app_id = 1 AND ts >= 0 AND ts < 9 AND (level = 4) ORDER BY ts DESC, id DESC LIMIT 5").await;
    assert!(
        p.contains("logs_app_level_ts") && !p.contains("TEMP B-TREE"),
        "{p}"
    );
    let p = plan("SELECT id FROM logs NOT INDEXED WHERE id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH '\"abc\"' AND rowid BETWEEN 1 AND 9) AND app_id = 1 AND ts >= 0 AND ts < 9 ORDER BY ts DESC, id DESC LIMIT 5").await;
    assert!(
        p.contains("INTEGER PRIMARY KEY") && p.contains("logs_fts"),
        "{p}"
    );
    let p = plan("SELECT id FROM logs NOT INDEXED WHERE id > 5 AND app_id = 1 ORDER BY id LIMIT 5")
        .await;
    assert!(
        p.contains("INTEGER PRIMARY KEY") && !p.contains("TEMP B-TREE"),
        "{p}"
    );
}

on_both_databases!(
    free_text_phrases_and_boolean_logic,
    fields_lists_and_patterns,
    comparisons_on_level_time_issue_and_attributes,
    attributes_and_has,
    parsed_queries,
    keyset_pages_lose_and_repeat_nothing,
    full_text_plan_agrees_with_the_scan,
    histograms_from_metrics_equal_counted_lines,
    environments_of_the_newest_lines,
    health_from_metrics,
    live_cursor_and_catch_up,
    metrics_keep_each_minutes_id_range,
    purging_an_app_empties_the_text_index,
    the_migration_indexes_lines_already_stored,
    sqlite_plans_use_the_indexes,
);

// ---------------------------------------------------------------------------------------
// Speed on a large app (DESIGN.md §7), measured by hand:
//
//   LODESTAR_SEARCH_BENCH_URL=sqlite:///tmp/search-bench/lodestar.db \
//     cargo test --release -p server --features app/ssr --test search -- --ignored --nocapture
//
// The database is migrated and, when it has no lines for the bench app yet, filled with
// LODESTAR_SEARCH_BENCH_LINES lines (default 10,000,000) over the 24 hours before BENCH_END;
// keep it between runs, filling takes minutes.

const BENCH_APP: i64 = 4242;
/// 2025-01-01T00:00:00Z.
const BENCH_END: i64 = 1_735_689_600_000_000;

fn bench_line(i: u64, n: u64) -> NewLine {
    // A cheap, fixed pseudo-random sequence.
    let r = i
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407)
        >> 11;
    let level = match r % 100 {
        0..=4 => Level::Trace,
        5..=19 => Level::Debug,
        20..=79 => Level::Info,
        80..=91 => Level::Warn,
        92..=98 => Level::Error,
        _ => Level::Fatal,
    };
    let k = (r >> 8) % 1000;
    let message = match (level, k) {
        _ if i % 1_000_000 == 7 => format!("xyzzy checksum mismatch in block {i}"),
        (Level::Error | Level::Fatal, 0..=99) => format!(
            "payment {} failed: upstream timeout after {} ms",
            r % 100_000,
            k * 31
        ),
        (_, 0..=9) => format!("db connection timeout, retrying ({}/5)", k % 5 + 1),
        (_, 0..=399) => format!("GET /api/v1/items/{} 200 in {} ms", r % 50_000, k % 250),
        (_, 400..=699) => format!(
            "user {} signed in from {}",
            r % 20_000,
            ["web", "ios", "android"][(k % 3) as usize]
        ),
        _ => format!("cache miss for key session:{:x}", r % 1_000_000),
    };
    let services = ["api", "worker", "billing", "auth"];
    let region = ["eu", "us"][(r % 2) as usize];
    let mut attributes = json!({"user_id": r % 20_000, "region": region});
    if k.is_multiple_of(10) {
        attributes["correlation_id"] = json!(format!("c-{}", r % 1_000_000));
    }
    let ts = BENCH_END - 24 * HOUR + (i as i64) * (24 * HOUR / n as i64);
    with(
        line(ts, level, services[(r % 4) as usize], &message),
        Some(["production", "staging"][r.is_multiple_of(5) as usize]),
        Some("1.4.2"),
        attributes,
        None,
    )
}

#[tokio::test]
#[ignore = "a measurement on a large database: see the comment above"]
async fn speed_on_a_large_app() {
    use std::time::Instant;
    let Ok(url) = std::env::var("LODESTAR_SEARCH_BENCH_URL") else {
        panic!("set LODESTAR_SEARCH_BENCH_URL to a database this test may fill");
    };
    let n: u64 = std::env::var("LODESTAR_SEARCH_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let db = app::backend::db::connect(&url).await.unwrap();
    app::backend::db::migrate(&db).await.unwrap();
    if store::latest_id(&db, BENCH_APP).await.unwrap() == 0 {
        let started = Instant::now();
        let mut writer = LogWriter::new(
            db.clone(),
            InsertMethod::for_backend(db.get_database_backend()),
        );
        let mut i = 0;
        while i < n {
            let chunk: Vec<NewLine> = (i..(i + 5000).min(n)).map(|j| bench_line(j, n)).collect();
            writer
                .write(&[Group::lines(BENCH_APP, &chunk)])
                .await
                .unwrap();
            i += chunk.len() as u64;
        }
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("VACUUM ANALYZE logs").await.unwrap();
        }
        println!(
            "filled {n} lines in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let queries: Vec<(&str, Option<Expr>)> = vec![
        ("(everything)", None),
        (
            "level:error timeout",
            Some(Expr::And(vec![
                is(Field::Level, Value::Level(Level::Error)),
                text("timeout"),
            ])),
        ),
        ("timeout", Some(text("timeout"))),
        ("xyzzy (rare)", Some(text("xyzzy"))),
        (
            "level:info xyzzy (rare)",
            Some(Expr::And(vec![
                is(Field::Level, Value::Level(Level::Info)),
                text("xyzzy"),
            ])),
        ),
        ("nosuchword", Some(text("nosuchword"))),
        (
            "level:>=warn",
            Some(cmp(Field::Level, CmpOp::Ge, Value::Level(Level::Warn))),
        ),
        ("service:billing", Some(is_text(Field::Service, "billing"))),
        (
            "attr.correlation_id:c-4242",
            Some(is_text(attr("correlation_id"), "c-4242")),
        ),
    ];
    let time = |label: String, f: std::time::Duration| {
        println!("{label:<60} {:>8.1} ms", f.as_secs_f64() * 1e3)
    };
    for (label, query) in &queries {
        let f = LogFilter {
            app_id: BENCH_APP,
            start_us: BENCH_END - 24 * HOUR,
            end_us: BENCH_END,
            environment: None,
            query: query.as_ref(),
        };
        for round in 0..2 {
            let started = Instant::now();
            let page = store::page(&db, &f, None, 50).await.unwrap();
            let took = started.elapsed();
            if round == 1 {
                time(
                    format!("page 24h  {label}: {} lines", page.lines.len()),
                    took,
                );
            }
        }
        for round in 0..2 {
            let started = Instant::now();
            let h = store::histogram(&db, &f, 60).await.unwrap();
            let took = started.elapsed();
            if round == 1 {
                time(format!("histogram 24h  {label}: {} lines", h.total()), took);
            }
        }
    }
    let started = Instant::now();
    let h = store::health(&db, BENCH_APP, BENCH_END).await.unwrap();
    time(
        format!("health: {} lines in 5 min", h.lines_5m),
        started.elapsed(),
    );
    let started = Instant::now();
    let envs = store::environments(&db, BENCH_APP).await.unwrap();
    time(format!("environments: {envs:?}"), started.elapsed());
    let started = Instant::now();
    let id = store::latest_id(&db, BENCH_APP).await.unwrap();
    time(format!("latest id: {id}"), started.elapsed());
}
