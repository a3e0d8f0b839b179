//! Acknowledged means durable: `POST /ingest` answers 200 only once its lines are committed, so
//! killing the real `lodestar` binary with SIGKILL under load must lose none of them, store none
//! twice, and never leave half a batch behind. Runs on both engines.
use std::{
    collections::HashMap,
    io::Write,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

mod common;

use app::{
    backend::{db, entities::logs, secrets::sha256_hex, testing::TestDb},
    on_both_databases,
};
use common::free_port;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};

/// Concurrent writers, each over its own keep-alive connection.
const WRITERS: usize = 6;
/// Lines per batch; every batch must be stored whole or not at all.
const BATCH_LINES: usize = 50;
/// The load runs at least this long before the kill…
const MIN_LOAD: Duration = Duration::from_millis(1500);
/// …and until this many batches were acknowledged, so a slow machine still tests something…
const ACKED_BEFORE_KILL: usize = 40;
/// …but never longer than this: a server that cannot commit that much in this time fails below.
const MAX_LOAD: Duration = Duration::from_secs(30);
/// Fewer acknowledged batches than this and the test would prove nothing.
const MIN_ACKED: usize = 20;
/// Prefix of every message written under load.
const PREFIX: &str = "dur-";

/// The `lodestar` binary pointed at one test database and a scratch data folder, removed on drop.
struct Lodestar {
    database_url: String,
    data_dir: PathBuf,
}

impl Lodestar {
    fn new(test: &TestDb) -> Self {
        let data_dir = std::env::temp_dir().join(format!(
            "lodestar-durability-{}",
            &sha256_hex(&test.url)[..12]
        ));
        std::fs::create_dir_all(&data_dir).expect("create the data folder");
        Lodestar {
            database_url: test.url.clone(),
            data_dir,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lodestar"));
        cmd.args(args)
            .env("LODESTAR_DATABASE_URL", &self.database_url)
            .env("LODESTAR_DATA_DIR", &self.data_dir)
            .env("LODESTAR_LOG", "warn")
            .env_remove("LODESTAR_ADDR")
            .env_remove("LODESTAR_PUBLIC_URL");
        cmd
    }

    /// Runs a `--json` CLI command with `input` on standard input and returns what it printed.
    fn run_json(&self, args: &[&str], input: &str) -> Value {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run lodestar");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "lodestar {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("a JSON answer")
    }

    /// Starts `lodestar serve` on a free port and waits until /health answers 200.
    async fn serve(&self, name: &str) -> Server {
        let port = free_port();
        // A file rather than a pipe: nobody reads a pipe while the server runs, and a full one
        // would stall it.
        let log = self.data_dir.join(format!("{name}.stderr"));
        let child = self
            .command(&["serve"])
            .env("LODESTAR_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("create the server log"))
            .spawn()
            .expect("start lodestar serve");
        let mut server = Server { child, port, log };
        server.wait_until_healthy().await;
        server
    }
}

impl Drop for Lodestar {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.data_dir).ok();
    }
}

/// A running `lodestar serve`. Dropping it kills the process, so a failed assertion never leaves
/// a server behind.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What the server wrote to stderr so far, for failure messages.
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_until_healthy(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let health = client.get(self.url("/health")).send().await;
            if health.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the server exited ({status}) before it was healthy:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "/health did not answer 200 within 30 s:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL (what `Child::kill` sends on unix): no shutdown hook, no final flush.
    fn kill(&mut self) {
        self.child.kill().expect("kill the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// What became of one batch, as its writer saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// 200 `{"accepted":50}`: every line must be stored.
    Acked,
    /// 503: the queue was full, nothing of it may be stored.
    Refused,
    /// No answer (the server died): stored whole or not at all.
    InDoubt,
}

/// One writer's record: the fate of each batch it sent, keyed by the batch's message prefix,
/// and any answer the contract does not allow.
#[derive(Default)]
struct Record {
    batches: Vec<(String, Fate)>,
    unexpected: Vec<String>,
}

/// Shared between the writers and the test: how many batches were acknowledged so far, and
/// whether the kill is coming (from then on a failed request is expected, before it a bug).
#[derive(Default)]
struct Load {
    acked: AtomicUsize,
    killing: AtomicBool,
}

fn batch_body(api_key: &str, messages: &[String]) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let lines: Vec<Value> = messages
        .iter()
        .map(|message| {
            json!({
                "timestamp": now,
                "level": "INFO",
                "message": message,
                "service": "durability",
                "extra": {"attempt": 1},
            })
        })
        .collect();
    json!({"api_key": api_key, "logs": lines})
}

fn batch_messages(batch: &str) -> Vec<String> {
    (0..BATCH_LINES).map(|i| format!("{batch}-{i}")).collect()
}

/// The batch a message belongs to: `dur-3-17-42` → `dur-3-17`.
fn batch_of(message: &str) -> &str {
    message.rsplit_once('-').map_or(message, |(batch, _)| batch)
}

/// Posts batches as fast as the server takes them until a request fails, which after the kill
/// is how a writer learns the server is gone.
async fn write_until_killed(task: usize, url: String, api_key: String, load: Arc<Load>) -> Record {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let mut record = Record::default();
    for number in 0.. {
        let batch = format!("{PREFIX}{task}-{number}");
        let body = batch_body(&api_key, &batch_messages(&batch));
        let answer = match client.post(&url).json(&body).send().await {
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .contains_key(reqwest::header::RETRY_AFTER);
                response
                    .json::<Value>()
                    .await
                    .map(|b| (status, retry_after, b))
            }
            Err(e) => Err(e),
        };
        match answer {
            Ok((StatusCode::OK, _, body)) if body == json!({"accepted": BATCH_LINES}) => {
                record.batches.push((batch, Fate::Acked));
                load.acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok((StatusCode::SERVICE_UNAVAILABLE, true, _)) => {
                record.batches.push((batch, Fate::Refused));
                // Back off a little; the test only needs the writer not to spin.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Ok((status, retry_after, body)) => {
                record.unexpected.push(format!(
                    "{batch}: {status} (Retry-After: {retry_after}) {body}"
                ));
                record.batches.push((batch, Fate::InDoubt));
                return record;
            }
            Err(e) => {
                if !load.killing.load(Ordering::SeqCst) {
                    record
                        .unexpected
                        .push(format!("{batch}: failed before the kill: {e}"));
                }
                record.batches.push((batch, Fate::InDoubt));
                return record;
            }
        }
    }
    unreachable!("the loop only ends by returning")
}

/// How many times each message starting with `prefix` is stored for `app_id`.
async fn stored(db: &DatabaseConnection, app_id: i64, prefix: &str) -> HashMap<String, usize> {
    let messages: Vec<String> = logs::Entity::find()
        .select_only()
        .column(logs::Column::Message)
        .filter(logs::Column::AppId.eq(app_id))
        .filter(logs::Column::Message.starts_with(prefix))
        .into_tuple()
        .all(db)
        .await
        .expect("read the stored lines");
    let mut counts = HashMap::new();
    for message in messages {
        *counts.entry(message).or_default() += 1;
    }
    counts
}

/// Every batch against what the database holds; returns one line per broken promise.
fn broken_promises(fates: &HashMap<String, Fate>, stored: &HashMap<String, usize>) -> Vec<String> {
    let mut broken = Vec::new();
    for (message, count) in stored {
        if *count != 1 {
            broken.push(format!("{message} is stored {count} times"));
        }
        if !fates.contains_key(batch_of(message)) {
            broken.push(format!("{message} was never sent"));
        }
    }
    for (batch, fate) in fates {
        let present = batch_messages(batch)
            .iter()
            .filter(|m| stored.contains_key(*m))
            .count();
        let allowed = match fate {
            Fate::Acked => present == BATCH_LINES,
            Fate::Refused => present == 0,
            Fate::InDoubt => present == 0 || present == BATCH_LINES,
        };
        if !allowed {
            broken.push(format!(
                "{batch} ({fate:?}): {present} of {BATCH_LINES} lines stored"
            ));
        }
    }
    broken.sort();
    broken
}

async fn acknowledged_batches_survive_sigkill(test: &TestDb) {
    let lodestar = Lodestar::new(test);
    lodestar.run_json(
        &[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "-",
            "--json",
        ],
        "durable enough password\n",
    );
    let app = lodestar.run_json(
        &[
            "app",
            "create",
            "--owner",
            "ops@example.com",
            "--name",
            "durability",
            "--json",
        ],
        "",
    );
    let api_key = app["api_key"].as_str().expect("an API key").to_string();
    let app_id = app["app_id"].as_i64().expect("an app id");

    // Load, then SIGKILL while requests are in flight.
    let mut server = lodestar.serve("before-kill").await;
    let load = Arc::new(Load::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|task| {
            tokio::spawn(write_until_killed(
                task,
                server.url("/ingest"),
                api_key.clone(),
                load.clone(),
            ))
        })
        .collect();
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let enough = started.elapsed() >= MIN_LOAD
            && load.acked.load(Ordering::Relaxed) >= ACKED_BEFORE_KILL;
        let all_stopped = writers.iter().all(|w| w.is_finished());
        if enough || all_stopped || started.elapsed() >= MAX_LOAD {
            break;
        }
    }
    load.killing.store(true, Ordering::SeqCst);
    server.kill();

    let mut fates = HashMap::new();
    let mut unexpected = Vec::new();
    for writer in writers {
        let record = writer.await.expect("a writer panicked");
        fates.extend(record.batches);
        unexpected.extend(record.unexpected);
    }
    assert!(
        unexpected.is_empty(),
        "answers outside the contract:\n{}\nserver log:\n{}",
        unexpected.join("\n"),
        server.log()
    );
    let count = |fate| fates.values().filter(|f| **f == fate).count();
    let acked = count(Fate::Acked);
    assert!(
        acked > MIN_ACKED,
        "only {acked} batches were acknowledged before the kill; the test proves nothing.\n\
         server log:\n{}",
        server.log()
    );

    eprintln!(
        "{acked} batches acknowledged, {} refused, {} in doubt at the kill",
        count(Fate::Refused),
        count(Fate::InDoubt)
    );

    // Restart on the same database, then read it over a fresh connection.
    let mut server = lodestar.serve("after-kill").await;
    let db = db::connect(&test.url).await.expect("reopen the database");
    let lines = stored(&db, app_id, PREFIX).await;
    let broken = broken_promises(&fates, &lines);
    assert!(
        broken.is_empty(),
        "{} broken promises after the kill ({acked} batches acknowledged, {} refused, {} in \
         doubt):\n{}",
        broken.len(),
        count(Fate::Refused),
        count(Fate::InDoubt),
        broken
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );

    // The restarted server takes lines again.
    let messages = batch_messages("restart");
    let answer = reqwest::Client::new()
        .post(server.url("/ingest"))
        .json(&batch_body(&api_key, &messages))
        .send()
        .await
        .expect("the restarted server answers");
    assert_eq!(answer.status(), StatusCode::OK, "{}", server.log());
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body, json!({"accepted": BATCH_LINES}));
    let after = stored(&db, app_id, "restart-").await;
    let expected: HashMap<String, usize> = messages.into_iter().map(|m| (m, 1)).collect();
    assert_eq!(
        after, expected,
        "the batch posted after the restart is stored once"
    );

    db.close().await.ok();
    server.kill();
}

on_both_databases!(acknowledged_batches_survive_sigkill);
