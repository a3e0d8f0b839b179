//! The two ways the server is loaded: closed loop at rising concurrency (each connection sends
//! its next batch as soon as the last is answered, which finds the peak), then an open-loop
//! schedule at half the peak (batches are due at fixed times whether or not the server keeps
//! up, so latency counts the wait a slow answer causes the batches behind it). A target sends
//! `POST /ingest` batches or Sentry envelopes (one error event each).
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use reqwest::{
    StatusCode,
    header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, USER_AGENT},
};
use tokio::time::Instant;

use crate::{bodies::LINES_PER_BODY, envelopes::Envelopes};

/// The SDK the envelope target says it is (`User-Agent`, `sentry_client`).
const SENTRY_CLIENT: &str = "sentry.python/2.19.2";

/// Concurrency steps of the closed-loop phase.
pub const CONNECTIONS: [usize; 6] = [1, 2, 4, 8, 16, 32];
/// Each step runs this long before its measurement starts, so new connections are open and
/// the server has settled at the new load.
const WARM_UP: Duration = Duration::from_secs(1);
/// The longest a client waits on a `Retry-After`: enough to back off as an SDK would, short
/// enough that one long hint does not idle a connection for the rest of the step.
const MAX_BACK_OFF: Duration = Duration::from_secs(1);

/// Where and what to send.
pub struct Target {
    client: reqwest::Client,
    url: String,
    payload: Payload,
    /// 200 answers so far, inside a measured window or not: what the database must hold once
    /// the run is over.
    accepted: AtomicU64,
}

/// What a target sends.
enum Payload {
    /// Own-JSON batches for `POST /ingest` with `Authorization: Bearer <key>`, stamped when
    /// sent. Leaked once per run so that every request borrows its body instead of copying
    /// 45 KB.
    Batches {
        bearer: String,
        bodies: &'static [Vec<u8>],
    },
    /// Sentry envelopes for `POST /api/<app id>/envelope/` with `X-Sentry-Auth`, each a new
    /// event.
    Envelopes {
        auth: String,
        envelopes: Arc<Envelopes>,
    },
}

impl Target {
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_key: &str,
        bodies: Vec<Vec<u8>>,
    ) -> Self {
        Target {
            client,
            url: format!("{base_url}/ingest"),
            payload: Payload::Batches {
                bearer: format!("Bearer {api_key}"),
                bodies: Vec::leak(bodies),
            },
            accepted: AtomicU64::new(0),
        }
    }

    /// Envelopes to the app `app_id`, authenticated as the Python SDK does with the DSN's
    /// public key.
    pub fn envelopes(
        client: reqwest::Client,
        base_url: &str,
        app_id: i64,
        public_key: &str,
        envelopes: Arc<Envelopes>,
    ) -> Self {
        Target {
            client,
            url: format!("{base_url}/api/{app_id}/envelope/"),
            payload: Payload::Envelopes {
                auth: format!(
                    "Sentry sentry_key={public_key}, sentry_version=7, \
                     sentry_client={SENTRY_CLIENT}"
                ),
                envelopes,
            },
            accepted: AtomicU64::new(0),
        }
    }

    /// Lines (ingest) or events (envelopes) one request carries.
    fn per_request(&self) -> usize {
        match self.payload {
            Payload::Batches { .. } => LINES_PER_BODY,
            Payload::Envelopes { .. } => 1,
        }
    }

    /// 200 answers since the target was made.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Sends request `pick` (the index of a body; envelopes come in their own order); returns
    /// the answer and the bytes sent. Never fails: a transport error is an answer to count,
    /// not a reason to stop the run.
    async fn send(&self, pick: usize) -> (Reply, usize) {
        let (request, body) = match &self.payload {
            Payload::Batches { bearer, bodies } => {
                let body = bodies[pick % bodies.len()].as_slice();
                let body = crate::bodies::stamp(body, crate::bodies::now());
                let request = self
                    .client
                    .post(&self.url)
                    .header(AUTHORIZATION, bearer)
                    .header(CONTENT_TYPE, "application/json");
                (request, body)
            }
            Payload::Envelopes { auth, envelopes } => {
                let request = self
                    .client
                    .post(&self.url)
                    .header("x-sentry-auth", auth)
                    .header(CONTENT_TYPE, "application/x-sentry-envelope")
                    .header(CONTENT_ENCODING, "gzip")
                    .header(USER_AGENT, SENTRY_CLIENT);
                (request, envelopes.next())
            }
        };
        let len = body.len();
        (self.answer(request.body(body).send().await).await, len)
    }

    async fn answer(&self, sent: reqwest::Result<reqwest::Response>) -> Reply {
        let response = match sent {
            Ok(response) => response,
            Err(_) => return Reply::failed(),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // Reading the body to its end is what returns the connection to the pool.
        let Ok(answer) = response.bytes().await else {
            return Reply::failed();
        };
        let outcome = if status == StatusCode::OK {
            self.accepted.fetch_add(1, Ordering::Relaxed);
            // An envelope answer is `{"id": …}`: one event.
            let accepted = serde_json::from_slice::<serde_json::Value>(&answer)
                .ok()
                .and_then(|v| v["accepted"].as_u64())
                .unwrap_or(self.per_request() as u64);
            Outcome::Accepted(accepted)
        } else {
            Outcome::Refused(status.as_u16().to_string())
        };
        Reply {
            outcome,
            retry_after,
        }
    }
}

struct Reply {
    outcome: Outcome,
    retry_after: Option<Duration>,
}

enum Outcome {
    /// 200, with the number of lines the server says it committed.
    Accepted(u64),
    /// Any other status, or `error` when no HTTP answer came.
    Refused(String),
}

impl Reply {
    fn failed() -> Self {
        Reply {
            outcome: Outcome::Refused("error".into()),
            retry_after: None,
        }
    }
}

/// What a phase counted. Latencies are those of accepted batches: a fast refusal says nothing
/// about how long ingest takes.
#[derive(Default)]
struct Tally {
    lines: u64,
    bytes: u64,
    latencies: Vec<Duration>,
    refused: BTreeMap<String, u64>,
}

impl Tally {
    fn record(&mut self, reply: &Reply, body_len: usize, latency: Duration) {
        match &reply.outcome {
            Outcome::Accepted(lines) => {
                self.lines += lines;
                self.bytes += body_len as u64;
                self.latencies.push(latency);
            }
            Outcome::Refused(what) => *self.refused.entry(what.clone()).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.latencies.extend(other.latencies);
        for (what, n) in other.refused {
            *self.refused.entry(what).or_default() += n;
        }
    }

    fn percentile_ms(&mut self, p: f64) -> Option<f64> {
        if self.latencies.is_empty() {
            return None;
        }
        self.latencies.sort_unstable();
        let rank =
            ((p * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        Some(self.latencies[rank - 1].as_secs_f64() * 1000.0)
    }
}

/// One phase's result.
pub struct Measured {
    /// Concurrent connections (closed loop) or sending tasks (paced).
    pub connections: usize,
    /// Lines/s committed; for envelopes, events/s (one per envelope).
    pub lines_per_s: f64,
    pub mb_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Non-200 answers by status (`error`: no answer at all).
    pub refused: BTreeMap<String, u64>,
}

impl Measured {
    fn from_tally(connections: usize, mut tally: Tally, seconds: f64) -> Self {
        Measured {
            connections,
            lines_per_s: tally.lines as f64 / seconds,
            mb_per_s: tally.bytes as f64 / seconds / 1e6,
            p50_ms: tally.percentile_ms(0.50),
            p99_ms: tally.percentile_ms(0.99),
            refused: tally.refused,
        }
    }
}

/// Closed loop at each step of [`CONNECTIONS`], `measure` long after [`WARM_UP`]. Stops early
/// once two steps in a row fall more than 20 % below the best: past that point more
/// connections only measure contention. `progress` sees each step as it ends.
pub async fn rising(
    target: &Arc<Target>,
    measure: Duration,
    mut progress: impl FnMut(&Measured),
) -> Vec<Measured> {
    let mut steps: Vec<Measured> = Vec::new();
    let mut best = 0.0_f64;
    let mut below_best = 0;
    for connections in CONNECTIONS {
        let step = closed_loop(target, connections, measure).await;
        progress(&step);
        if step.lines_per_s < 0.8 * best {
            below_best += 1;
        } else {
            below_best = 0;
        }
        best = best.max(step.lines_per_s);
        steps.push(step);
        if below_best >= 2 {
            break;
        }
    }
    steps
}

async fn closed_loop(target: &Arc<Target>, connections: usize, measure: Duration) -> Measured {
    let from = Instant::now() + WARM_UP;
    let until = from + measure;
    let tasks: Vec<_> = (0..connections)
        .map(|index| tokio::spawn(connection(target.clone(), index, from, until)))
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        if let Ok(tally) = task.await {
            total.merge(tally);
        }
    }
    Measured::from_tally(connections, total, measure.as_secs_f64())
}

/// One keep-alive connection's loop. Counts the answers that arrive inside the measured
/// window, whenever their request was sent: in steady state that is exactly the throughput.
async fn connection(target: Arc<Target>, index: usize, from: Instant, until: Instant) -> Tally {
    let mut tally = Tally::default();
    // Each connection walks the bodies from its own offset, so concurrent batches differ.
    let mut next = index * 7;
    loop {
        let began = Instant::now();
        if began >= until {
            break;
        }
        let (reply, sent) = target.send(next).await;
        next += 1;
        let done = Instant::now();
        if (from..=until).contains(&done) {
            tally.record(&reply, sent, done - began);
        }
        if let Some(wait) = reply.retry_after {
            let wait = wait.min(MAX_BACK_OFF);
            tokio::time::sleep_until((done + wait).min(until)).await;
        }
    }
    tally
}

/// Offers `lines_per_s` on a fixed schedule for `duration`: batch k is due at t0 + k/rate and
/// its latency runs from then, so a stalled server shows up as latency instead of silently
/// lowering the offered load. `tasks` must exceed the batches in flight at the target p99.
pub async fn paced(
    target: &Arc<Target>,
    lines_per_s: f64,
    tasks: usize,
    duration: Duration,
) -> Measured {
    let batches_per_s = lines_per_s / target.per_request() as f64;
    let batches = (duration.as_secs_f64() * batches_per_s).floor() as u64;
    let next = Arc::new(AtomicU64::new(0));
    let t0 = Instant::now() + Duration::from_millis(50);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (target, next) = (target.clone(), next.clone());
            tokio::spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= batches {
                        break;
                    }
                    let due = t0 + Duration::from_secs_f64(k as f64 / batches_per_s);
                    tokio::time::sleep_until(due).await;
                    let (reply, sent) = target.send(k as usize).await;
                    tally.record(&reply, sent, due.elapsed());
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        if let Ok(tally) = handle.await {
            total.merge(tally);
        }
    }
    // A server that falls behind finishes late: divide by the time it really took.
    let elapsed = t0.elapsed().max(duration).as_secs_f64();
    Measured::from_tally(tasks, total, elapsed)
}
