//! A day of one busy app's lines, written through the ingest store as a live service would have
//! written them: in time order, in large transactions of the writer (`LogWriter`), so that the
//! lines, `app_metrics` (counts and id ranges) and every index end up exactly as ingest leaves
//! them. On SQLite the full-text index (`logs_fts`) is filled beside the writer by the same
//! loop the server runs (`server::workers::spawn_text_indexer`), which then catches up.
//!
//! The lines: about 30 message templates with varying numbers and ids; levels about 70 % info,
//! 15 % debug, 8 % warn, 5 % error, 2 % fatal; several services; attributes with request ids,
//! user ids, hosts and, on about half the lines, a correlation id that a few consecutive lines
//! of one request share; a trace id on about a quarter. "timeout" appears in three of the seven
//! error templates, two of the six warn templates and one debug template; [`RARE_WORD`] in one
//! line in ten thousand; [`ABSENT_WORD`] in none.
use std::{
    f64::consts::TAU,
    time::{Duration, Instant},
};

use app::{
    backend::{
        ingest::{InsertMethod, NewLine, store},
        store::text_index,
    },
    model::Level,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Map, Value, json};

use crate::bodies::XorShift;

/// A word in about one line in 10,000 (an error template of its own).
pub const RARE_WORD: &str = "deadlock";
/// A word in no line.
pub const ABSENT_WORD: &str = "xylophone";
/// One line in this many is the rare template.
const RARE_EVERY: u64 = 10_000;
/// Lines of the big app per transaction (the live writer groups up to 16,384).
const LINES_PER_COMMIT: usize = 10_000;
/// The second app writes this share of the big app's lines, in the same transactions.
const SMALL_APP_SHARE: usize = 100;
const DAY_US: i64 = 86_400_000_000;

/// The two apps the lines go to.
#[derive(Clone, Copy, Debug)]
pub struct Apps {
    pub big: i64,
    pub small: i64,
}

/// What was written, and how fast.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    pub big_lines: u64,
    pub small_lines: u64,
    pub transactions: u64,
    /// From the first generated line to the last commit.
    pub committed: Duration,
    /// To a database ready for queries (SQLite: the full-text index caught up).
    pub elapsed: Duration,
    /// Time spent inside `LogWriter::write`.
    pub writing: Duration,
    /// SQLite: how far the full-text indexer was behind when the writer finished, and how long
    /// it then took to catch up.
    pub text_index: Option<TextIndexLag>,
}

/// The full-text indexer's state when the last lines were committed.
#[derive(Clone, Debug)]
pub struct TextIndexLag {
    /// Lines written but not yet indexed when the writer finished.
    pub behind: i64,
    pub catch_up: Duration,
    /// Indexing transactions that failed (and were retried 5 s later, as the server does).
    pub errors: Vec<String>,
}

impl Generated {
    pub fn lines(&self) -> u64 {
        self.big_lines + self.small_lines
    }

    /// Lines per second until the last commit.
    pub fn lines_per_s(&self) -> f64 {
        self.lines() as f64 / self.committed.as_secs_f64().max(1e-9)
    }
}

/// Writes `lines` lines for `apps.big` (and 1 % as many for `apps.small`) with timestamps
/// over the 24 hours ending at `end_us`, oldest first, through [`store::LogWriter`] with the
/// insert method the server uses. The lines are generated on a thread of their own while the
/// writer commits. On SQLite the write-ahead log is checkpointed every second, as the server
/// does.
pub async fn generate(
    db: &DatabaseConnection,
    apps: Apps,
    lines: u64,
    end_us: i64,
    mut progress: impl FnMut(u64, Duration),
) -> Result<Generated, String> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<(Vec<NewLine>, Vec<NewLine>)>(4);
    let started = Instant::now();
    let producer = std::thread::spawn(move || {
        let mut big = Source::new(0x5eed_0b16_a991_0001, "prod");
        let mut small = Source::new(0x5eed_05ea_11a9_0002, "prod");
        let mut done = 0u64;
        while done < lines {
            let n = (lines - done).min(LINES_PER_COMMIT as u64);
            let mut chunk = Vec::with_capacity(n as usize);
            let mut side = Vec::with_capacity(n as usize / SMALL_APP_SHARE + 1);
            for i in done..done + n {
                let ts = timestamp(i, lines, end_us, big.rng.below(1 << 20));
                chunk.push(big.line(ts));
                if i % SMALL_APP_SHARE as u64 == 0 {
                    side.push(small.line(ts));
                }
            }
            done += n;
            if sender.blocking_send((chunk, side)).is_err() {
                return;
            }
        }
    });

    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    // The server's full-text indexer (server/src/workers.rs), beside the writer.
    let (stop_indexer, indexer_stopped) = tokio::sync::watch::channel(false);
    let indexer = sqlite.then(|| tokio::spawn(text_indexer(db.clone(), indexer_stopped)));
    let checkpointer = sqlite.then(|| {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Err(e) = store::checkpoint_sqlite(&db).await {
                    eprintln!("lodestar-bench: checkpoint failed: {e}");
                }
            }
        })
    });

    let mut writer = store::LogWriter::new(
        db.clone(),
        InsertMethod::for_backend(db.get_database_backend()),
    );
    let mut out = Generated::default();
    let mut next_report = 1_000_000u64;
    let mut failure = None;
    while let Some((chunk, side)) = receiver.recv().await {
        let groups = [
            store::Group::lines(apps.big, &chunk),
            store::Group::lines(apps.small, &side),
        ];
        let began = Instant::now();
        if let Err(e) = writer.write(&groups).await {
            failure = Some(format!("writing generated lines: {e}"));
            break;
        }
        out.writing += began.elapsed();
        out.transactions += 1;
        out.big_lines += chunk.len() as u64;
        out.small_lines += side.len() as u64;
        if out.big_lines >= next_report {
            progress(out.big_lines, started.elapsed());
            next_report += 1_000_000;
        }
    }
    drop(receiver);
    producer.join().ok();
    drop(writer);
    out.committed = started.elapsed();
    if let Some(task) = indexer {
        let behind = match (max_id(db).await, text_index::watermark(db).await) {
            (Ok(max), Ok(indexed)) => max - indexed,
            _ => -1,
        };
        let began = Instant::now();
        let _ = stop_indexer.send(true);
        match task.await {
            Ok(errors) => {
                out.text_index = Some(TextIndexLag {
                    behind,
                    catch_up: began.elapsed(),
                    errors,
                })
            }
            Err(e) => failure = failure.or(Some(format!("the text indexer panicked: {e}"))),
        }
    }
    if let Some(task) = checkpointer {
        task.abort();
        // What the server's checkpointer does a second later: the log copied into the file.
        store::checkpoint_sqlite(db)
            .await
            .map_err(|e| format!("final checkpoint: {e}"))?;
    }
    out.elapsed = started.elapsed();
    match failure {
        Some(message) => Err(message),
        None => Ok(out),
    }
}

/// The loop of `server::workers::spawn_text_indexer`: a batch of [`text_index::BATCH`] lines
/// per transaction, straight on while there is more, resting 250 ms once caught up, and 5 s
/// after an error (the server logs it and retries). When `stop` turns true it goes on until it
/// has caught up, then returns the errors it met.
async fn text_indexer(
    db: DatabaseConnection,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<String> {
    let mut errors = Vec::new();
    loop {
        match text_index::index_new_lines(&db, text_index::BATCH).await {
            Ok(n) if n == u64::from(text_index::BATCH) => tokio::task::yield_now().await,
            Ok(_) if *stop.borrow() => return errors,
            Ok(_) => tokio::time::sleep(Duration::from_millis(250)).await,
            Err(e) => {
                eprintln!("    full-text indexing failed (the server retries in 5 s too): {e}");
                errors.push(e.to_string());
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

async fn max_id(db: &DatabaseConnection) -> Result<i64, String> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT coalesce(max(id), 0) FROM logs",
        ))
        .await
        .map_err(|e| e.to_string())?;
    row.map_or(Ok(0), |r| r.try_get_by_index::<i64>(0))
        .map_err(|e| e.to_string())
}

/// Line `i` of `n` over the day ending at `end_us`: in order, with a daily swell (busier in
/// the middle of the window than at its ends, as a service in one time zone is), `jitter`
/// (0..2^20) spreading each line inside its slot.
fn timestamp(i: u64, n: u64, end_us: i64, jitter: u64) -> i64 {
    let u = (i as f64 + jitter as f64 / (1u64 << 20) as f64) / n as f64;
    // t(u) = u - a·sin(2πu)/2π is increasing for a < 1; lines are densest where t' is least.
    let a = 0.5;
    let t = u - a * (TAU * u).sin() / TAU;
    end_us - DAY_US + (t * DAY_US as f64) as i64
}

/// One app's stream of lines: its random state, the requests in flight (each with a
/// correlation id that its next few lines share) and the release deployed.
struct Source {
    rng: XorShift,
    environment: &'static str,
    /// (correlation id, trace id, lines left) of requests in flight.
    flows: Vec<(String, Option<String>, u32)>,
}

impl Source {
    fn new(seed: u64, environment: &'static str) -> Self {
        Source {
            rng: XorShift::new(seed),
            environment,
            flows: Vec::new(),
        }
    }

    fn line(&mut self, ts: i64) -> NewLine {
        let (level, service, message) = message(&mut self.rng);
        let rng = &mut self.rng;
        let mut attributes = Map::new();
        attributes.insert("host".into(), json!(format!("{service}-{}", rng.below(6))));
        attributes.insert("request_id".into(), json!(format!("req_{}", hex(rng, 16))));
        if rng.below(3) != 0 {
            attributes.insert("user_id".into(), json!(1000 + rng.below(90_000)));
        }
        if rng.below(2) == 0 {
            attributes.insert("duration_ms".into(), json!(rng.below(2_500)));
        }
        // About half the lines belong to a request with a correlation id, which 2 to 12
        // consecutive-ish lines share (of 32 requests in flight).
        let mut trace_id = None;
        if rng.below(2) == 0 {
            if self.flows.len() < 32 {
                let id = format!(
                    "{}-{}-{}-{}-{}",
                    hex(rng, 8),
                    hex(rng, 4),
                    hex(rng, 4),
                    hex(rng, 4),
                    hex(rng, 12)
                );
                let trace = (rng.below(2) == 0).then(|| hex(rng, 32));
                let uses = 2 + rng.below(11) as u32;
                self.flows.push((id, trace, uses));
            }
            let k = rng.below(self.flows.len() as u64) as usize;
            let flow = &mut self.flows[k];
            attributes.insert("correlation_id".into(), json!(flow.0.clone()));
            trace_id = flow.1.clone();
            flow.2 -= 1;
            if flow.2 == 0 {
                self.flows.swap_remove(k);
            }
        }
        let environment = if rng.below(20) == 0 {
            "staging"
        } else {
            self.environment
        };
        // Two deploys a day, at 09:00 and 17:00 UTC.
        let release = match ts.rem_euclid(DAY_US) / 3_600_000_000 {
            0..9 => "2026.11.2",
            9..17 => "2026.11.3",
            _ => "2026.11.4",
        };
        NewLine {
            ts,
            received_at: ts + 2_000 + rng.below(40_000) as i64,
            level,
            service: service.to_string(),
            environment: Some(environment.to_string()),
            release: Some(release.to_string()),
            message,
            attributes: Value::Object(attributes).to_string(),
            trace_id,
            issue_id: None,
        }
    }
}

fn hex(rng: &mut XorShift, digits: usize) -> String {
    let mut out = String::with_capacity(digits + 16);
    while out.len() < digits {
        out.push_str(&format!("{:016x}", rng.next_u64()));
    }
    out.truncate(digits);
    out
}

const PATHS: [&str; 10] = [
    "/api/v1/projects",
    "/api/v1/issues",
    "/api/v1/checkout",
    "/api/v1/invoices",
    "/api/v1/search",
    "/api/v1/users/me",
    "/api/v1/orders",
    "/api/v1/webhooks",
    "/login",
    "/healthz",
];
const AGENTS: [&str; 4] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
];
const UPSTREAMS: [&str; 5] = ["billing", "search", "auth", "inventory", "notifications"];
const QUEUES: [&str; 4] = ["emails", "exports", "webhooks", "reindex"];
const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];

/// A level by the day's mix, a service and a message of that level.
fn message(rng: &mut XorShift) -> (Level, &'static str, String) {
    if rng.below(RARE_EVERY) == 0 {
        return (
            Level::Error,
            "billing",
            format!(
                "{RARE_WORD} detected: transaction tx_{} on ledger_entries aborted after {}ms, \
                 waiting for pid {}; retried once",
                hex(rng, 10),
                10 + rng.below(900),
                1000 + rng.below(60_000)
            ),
        );
    }
    match rng.below(100) {
        0..70 => info(rng),
        70..85 => debug(rng),
        85..93 => warn(rng),
        93..98 => error(rng),
        _ => fatal(rng),
    }
}

fn info(rng: &mut XorShift) -> (Level, &'static str, String) {
    let l = Level::Info;
    match rng.below(14) {
        0..=2 => (
            l,
            "api",
            format!(
                "{} {}/{} {} {}B {}ms client=10.0.{}.{} ua=\"{}\"",
                rng.pick(&["GET", "GET", "GET", "POST", "PUT", "DELETE"]),
                rng.pick(&PATHS),
                rng.below(100_000),
                rng.pick(&["200", "200", "200", "201", "204", "304"]),
                200 + rng.below(40_000),
                1 + rng.below(300),
                rng.below(256),
                rng.below(256),
                rng.pick(&AGENTS),
            ),
        ),
        3 => (
            l,
            "billing",
            format!(
                "payment succeeded: charge ch_{} amount={}.{:02} {} customer=cus_{} invoice=in_{} \
                 method=card brand={} last4={:04}",
                hex(rng, 14),
                5 + rng.below(500),
                rng.below(100),
                rng.pick(&CURRENCIES),
                rng.below(1_000_000),
                hex(rng, 10),
                rng.pick(&["visa", "mastercard", "amex"]),
                rng.below(10_000),
            ),
        ),
        4 => (
            l,
            "worker",
            format!(
                "job completed: queue={} id=job_{} attempts=1 duration={}ms enqueued {}s ago on \
                 worker-{}",
                rng.pick(&QUEUES),
                hex(rng, 12),
                10 + rng.below(5_000),
                rng.below(600),
                rng.below(8),
            ),
        ),
        5 => (
            l,
            "auth",
            format!(
                "login succeeded for user {} via {} from 203.0.113.{}; session s_{} created, \
                 expires in 14d",
                1000 + rng.below(90_000),
                rng.pick(&["password", "google", "github", "saml"]),
                rng.below(256),
                hex(rng, 12),
            ),
        ),
        6 => (
            l,
            "gateway",
            format!(
                "upstream {}:{} healthy: {}/{} endpoints ready, p99 {}ms",
                rng.pick(&UPSTREAMS),
                8000 + rng.below(10),
                4 + rng.below(4),
                8,
                5 + rng.below(400),
            ),
        ),
        7 => (
            l,
            "scheduler",
            format!(
                "scheduled run {} started for tenant t_{} (next run in {}s)",
                rng.pick(&[
                    "nightly_rollup",
                    "usage_report",
                    "purge_expired",
                    "sync_crm"
                ]),
                rng.below(5_000),
                60 * (1 + rng.below(60)),
            ),
        ),
        8 => (
            l,
            "notifications",
            format!(
                "email sent to user {} template={} provider=ses message_id=0100{}",
                1000 + rng.below(90_000),
                rng.pick(&["welcome", "digest", "invoice", "password_reset"]),
                hex(rng, 20),
            ),
        ),
        9 => (
            l,
            "search",
            format!(
                "indexed {} documents for project p_{} in {}ms (segment {})",
                1 + rng.below(5_000),
                rng.below(20_000),
                1 + rng.below(2_000),
                rng.below(64),
            ),
        ),
        10 => (
            l,
            "auth",
            format!(
                "token refreshed for user {}, expires_at={}",
                1000 + rng.below(90_000),
                1_790_000_000 + rng.below(10_000_000),
            ),
        ),
        11 => (
            l,
            "worker",
            format!(
                "export ready: export_{}.csv ({} rows, {} KB) uploaded to s3://exports/{}",
                hex(rng, 8),
                rng.below(2_000_000),
                rng.below(90_000),
                hex(rng, 8),
            ),
        ),
        12 => (
            l,
            "api",
            format!(
                "order o_{} created for customer cus_{}: {} items, total {}.{:02} {}",
                hex(rng, 10),
                rng.below(1_000_000),
                1 + rng.below(12),
                5 + rng.below(900),
                rng.below(100),
                rng.pick(&CURRENCIES),
            ),
        ),
        _ => (
            l,
            "api",
            format!(
                "cache warmed: {} keys loaded into {} in {}ms",
                rng.below(200_000),
                rng.pick(&["eu-west-1", "us-east-1", "ap-southeast-2"]),
                1 + rng.below(3_000),
            ),
        ),
    }
}

fn debug(rng: &mut XorShift) -> (Level, &'static str, String) {
    let l = Level::Debug;
    match rng.below(5) {
        0 => (
            l,
            "search",
            format!(
                "search query \"{}\" over {} returned {} hits in {}ms (scanned {} rows)",
                rng.pick(&["service:billing", "level:error", "user_id:42 checkout"]),
                rng.pick(&["15m", "1h", "24h", "7d"]),
                rng.below(20_000),
                1 + rng.below(400),
                rng.below(5_000_000),
            ),
        ),
        1 => (
            l,
            "api",
            format!(
                "cache lookup key=user:{}:permissions hit={} ttl=300s backend=redis latency={}.{}ms",
                1000 + rng.below(90_000),
                rng.pick(&["true", "false"]),
                rng.below(5),
                rng.below(10),
            ),
        ),
        2 => (
            l,
            "gateway",
            format!(
                "http client POST https://api.partner.example{} timeout=5000ms retries=2 \
                 pool=idle:{}",
                rng.pick(&PATHS),
                rng.below(32),
            ),
        ),
        3 => (
            l,
            "worker",
            format!(
                "dequeued job id=job_{} from {} (depth {}, lag {}ms)",
                hex(rng, 12),
                rng.pick(&QUEUES),
                rng.below(5_000),
                rng.below(30_000),
            ),
        ),
        _ => (
            l,
            "api",
            format!(
                "sql: SELECT id, name, plan FROM accounts WHERE id = $1 took {}.{}ms rows=1 \
                 (account_id={})",
                rng.below(20),
                rng.below(10),
                rng.below(100_000),
            ),
        ),
    }
}

fn warn(rng: &mut XorShift) -> (Level, &'static str, String) {
    let l = Level::Warn;
    match rng.below(6) {
        0 => (
            l,
            "billing",
            format!(
                "database query slow ({}ms > 500ms): SELECT id, status, amount FROM invoices \
                 WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50 (account_id={}, pool \
                 wait {}ms)",
                500 + rng.below(4_500),
                rng.below(100_000),
                rng.below(1_500),
            ),
        ),
        1 => (
            l,
            "worker",
            format!(
                "retrying webhook delivery to https://hooks.example.com/{} after HTTP {}: attempt \
                 {} of 5, next in {}s",
                hex(rng, 8),
                rng.pick(&["502", "503", "429"]),
                1 + rng.below(4),
                1 << rng.below(6),
            ),
        ),
        2 => (
            l,
            "gateway",
            format!(
                "upstream timeout from {}:{} after {}ms, retrying on {}-{}",
                rng.pick(&UPSTREAMS),
                8000 + rng.below(10),
                1000 + rng.below(9_000),
                rng.pick(&UPSTREAMS),
                rng.below(6),
            ),
        ),
        3 => (
            l,
            "api",
            format!(
                "rate limit approaching for api key ak_{}: {}/1000 requests in 60s",
                hex(rng, 8),
                800 + rng.below(200),
            ),
        ),
        4 => (
            l,
            "api",
            format!(
                "redis command timeout after {}ms (GET session:{}); serving from the database",
                50 + rng.below(950),
                hex(rng, 16),
            ),
        ),
        _ => (
            l,
            "auth",
            format!(
                "failed login for user{}@example.com from 198.51.100.{}: wrong password (attempt \
                 {})",
                rng.below(90_000),
                rng.below(256),
                1 + rng.below(5),
            ),
        ),
    }
}

fn error(rng: &mut XorShift) -> (Level, &'static str, String) {
    let l = Level::Error;
    match rng.below(7) {
        0 => (
            l,
            "api",
            format!(
                "database query timed out after 5000ms: UPDATE orders SET status = 'paid' WHERE \
                 id = $1 (order_id={}, connection {} of 16)",
                rng.below(10_000_000),
                1 + rng.below(16),
            ),
        ),
        1 => (
            l,
            "billing",
            format!(
                "PaymentProviderError: card_declined (code={}) after {} attempts; order o_{} \
                 rolled back, customer cus_{} notified",
                rng.pick(&["insufficient_funds", "expired_card", "do_not_honor"]),
                1 + rng.below(3),
                hex(rng, 10),
                rng.below(1_000_000),
            ),
        ),
        2 => (
            l,
            "gateway",
            format!(
                "request to {} failed: upstream connect timeout after {}ms (POST /internal{}), \
                 returning 504",
                rng.pick(&UPSTREAMS),
                1000 + rng.below(9_000),
                rng.pick(&PATHS),
            ),
        ),
        3 => (
            l,
            "worker",
            format!(
                "job failed: id=job_{} queue={} error=\"context deadline exceeded: read timeout \
                 after 30s\" attempt {} of 5",
                hex(rng, 12),
                rng.pick(&QUEUES),
                1 + rng.below(5),
            ),
        ),
        4 => (
            l,
            "notifications",
            format!(
                "smtp delivery failed for message 0100{}: 451 4.7.0 temporary server error",
                hex(rng, 20),
            ),
        ),
        5 => (
            l,
            "api",
            format!(
                "unhandled exception in GET /api/v1/projects/{}: KeyError 'owner_id' (request \
                 took {}ms)",
                rng.below(20_000),
                rng.below(2_000),
            ),
        ),
        _ => (
            l,
            "search",
            format!(
                "shard {} query timeout after 2000ms; partial results returned ({}/16 shards)",
                rng.below(16),
                8 + rng.below(8),
            ),
        ),
    }
}

fn fatal(rng: &mut XorShift) -> (Level, &'static str, String) {
    let l = Level::Fatal;
    match rng.below(3) {
        0 => (
            l,
            "worker",
            format!(
                "worker-{} out of memory (rss {} MiB > limit 512 MiB); process exiting",
                rng.below(8),
                512 + rng.below(300),
            ),
        ),
        1 => (
            l,
            "api",
            format!(
                "panic in request handler: index out of bounds: the len is {} but the index is {} \
                 (thread tokio-runtime-worker-{})",
                rng.below(64),
                64 + rng.below(64),
                rng.below(8),
            ),
        ),
        _ => (
            l,
            "gateway",
            format!(
                "cannot reach config store at 10.0.{}.{}:2379 for {}s; shutting down",
                rng.below(256),
                rng.below(256),
                30 + rng.below(90),
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_ordered_and_within_the_day() {
        let n = 100_000;
        let end = 1_800_000_000_000_000;
        let mut last = i64::MIN;
        for i in 0..n {
            let ts = timestamp(i, n, end, (i * 7919) % (1 << 20));
            assert!(ts >= last, "line {i}");
            assert!((end - DAY_US..end).contains(&ts));
            last = ts;
        }
    }

    #[test]
    fn the_mix_has_the_stated_shares() {
        let mut source = Source::new(7, "prod");
        let n = 200_000;
        let mut levels = [0u64; 6];
        let (mut timeout, mut error_timeout, mut rare, mut absent, mut correlated) =
            (0, 0, 0, 0, 0);
        for i in 0..n {
            let line = source.line(i);
            levels[line.level as usize] += 1;
            let has = line.message.contains("timeout");
            timeout += u64::from(has);
            error_timeout += u64::from(has && line.level == Level::Error);
            rare += u64::from(line.message.contains(RARE_WORD));
            absent += u64::from(line.message.contains(ABSENT_WORD));
            correlated += u64::from(line.attributes.contains("correlation_id"));
        }
        let share = |k: u64| k as f64 / n as f64;
        assert!((0.68..0.72).contains(&share(levels[Level::Info as usize])));
        assert!((0.14..0.16).contains(&share(levels[Level::Debug as usize])));
        assert!((0.07..0.09).contains(&share(levels[Level::Warn as usize])));
        assert!((0.045..0.055).contains(&share(levels[Level::Error as usize])));
        assert!((0.015..0.025).contains(&share(levels[Level::Fatal as usize])));
        assert!(
            (0.015..0.03).contains(&share(error_timeout)),
            "{error_timeout}"
        );
        assert!((0.05..0.1).contains(&share(timeout)), "{timeout}");
        assert!((5..=50).contains(&rare), "{rare}");
        assert_eq!(absent, 0);
        assert!((0.4..0.6).contains(&share(correlated)));
    }
}
