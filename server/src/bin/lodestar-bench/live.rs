//! Ingest → open dashboard (DESIGN.md §7: p95 < 1 s): a signed-in browser's live stream
//! (`GET /apps/{id}/logs/live`, Server-Sent Events) is open while lines are posted to
//! `POST /ingest` at a steady rate, each with a sequence number in its message; a reader
//! records when each number arrives on the stream. Latency runs from the moment the line's
//! POST started to its arrival.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::{
    StatusCode,
    header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE},
};
use serde_json::json;
use tokio::time::Instant;

use crate::{
    load::{self, Measured, Target},
    lodestar::{BENCH_EMAIL, BENCH_PASSWORD},
    queries::percentile,
};

/// The probe: this many requests per second…
pub const REQUESTS_PER_S: u64 = 20;
/// …of this many lines each…
pub const LINES_PER_REQUEST: u64 = 10;
/// …for this long.
pub const PROBE: Duration = Duration::from_secs(10);
/// How long after the last POST answered a line may still arrive before it counts as lost.
const GRACE: Duration = Duration::from_secs(5);

/// One probe's result.
pub struct LiveRun {
    /// `None`: nothing else loaded the server. Otherwise the background load's offered rate
    /// and what it achieved.
    pub background: Option<(f64, Measured)>,
    /// Lines in POSTs the server accepted.
    pub sent: u64,
    pub received: u64,
    /// Accepted lines that never arrived on the stream.
    pub lost: u64,
    /// POSTs not answered 200.
    pub refused: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// Signs the bench user in through the sign-in form's server function; returns the session
/// token (`lodestar_session`).
pub async fn sign_in(base_url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let response = client
        .post(format!("{base_url}/app/auth/sign_in"))
        .form(&[
            ("email", BENCH_EMAIL),
            ("password", BENCH_PASSWORD),
            ("next", "/dashboard"),
        ])
        .send()
        .await
        .map_err(|e| format!("POST /app/auth/sign_in: {e}"))?;
    let status = response.status();
    let token = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let token = v.strip_prefix("lodestar_session=")?.split(';').next()?;
            (!token.is_empty()).then(|| token.to_string())
        });
    token
        .ok_or_else(|| format!("POST /app/auth/sign_in answered {status} without a session cookie"))
}

/// The open stream's arrivals: sequence number → when it arrived.
type Arrivals = Arc<Mutex<HashMap<u64, Instant>>>;

/// Opens the live stream of `app_id` as the signed-in browser does and starts reading it.
/// Returns once the server has answered (it subscribes before it answers), so no line sent
/// afterwards can be missed.
async fn open_stream(base_url: &str, session: &str, app_id: i64) -> Result<Stream, String> {
    // No overall timeout: the stream stays open for the whole probe.
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let url = format!("{base_url}/apps/{app_id}/logs/live");
    let mut response = client
        .get(&url)
        .header(COOKIE, format!("lodestar_session={session}"))
        .header(ACCEPT, "text/event-stream")
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if response.status() != StatusCode::OK {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(format!("GET {url} answered {status}: {body}"));
    }
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut buffer: Vec<u8> = Vec::new();
        loop {
            let chunk = tokio::select! {
                chunk = response.chunk() => chunk,
                _ = &mut stopped => break,
            };
            let Ok(Some(chunk)) = chunk else { break };
            let at = Instant::now();
            buffer.extend_from_slice(&chunk);
            while let Some(end) = find(&buffer, b"\n\n") {
                let event: Vec<u8> = buffer.drain(..end + 2).collect();
                let numbers = sequence_numbers(&String::from_utf8_lossy(&event));
                let mut seen = seen.lock().expect("not poisoned");
                for n in numbers {
                    seen.entry(n).or_insert(at);
                }
            }
        }
        // Dropping the response closes the connection: the server's stream ends at its next
        // write, and a stream left open would hold up the server's graceful shutdown.
        drop(response);
    });
    Ok(Stream {
        arrivals,
        stop,
        reader,
    })
}

/// An open live stream being read.
struct Stream {
    arrivals: Arrivals,
    stop: tokio::sync::oneshot::Sender<()>,
    reader: tokio::task::JoinHandle<()>,
}

impl Stream {
    /// Stops reading and closes the connection.
    async fn close(self) {
        let _ = self.stop.send(());
        let _ = self.reader.await;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The sequence numbers in one SSE event's `lines` data (nothing for comments, gaps…).
fn sequence_numbers(event: &str) -> Vec<u64> {
    let mut name = "message";
    let mut data = String::new();
    for line in event.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = value.trim();
        } else if let Some(value) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    if name != "lines" {
        return Vec::new();
    }
    let Ok(serde_json::Value::Array(lines)) = serde_json::from_str(&data) else {
        return Vec::new();
    };
    lines
        .iter()
        .filter_map(|l| l["message"].as_str())
        .filter_map(|m| m.split("seq=").nth(1)?.split(' ').next()?.parse().ok())
        .collect()
}

/// The probe lines of request `k`: sequence numbers `k·10 …`, stamped now.
fn probe_body(k: u64) -> Vec<u8> {
    let now = crate::bodies::now();
    let logs: Vec<_> = (0..LINES_PER_REQUEST)
        .map(|j| {
            let seq = k * LINES_PER_REQUEST + j;
            json!({
                "timestamp": now,
                "level": "info",
                "service": "checkout",
                "message": format!(
                    "live probe seq={seq} POST /api/v1/orders 201 {}ms order o_{k:08x}{j:02x}",
                    10 + (seq * 37) % 400
                ),
                "extra": {"request_id": format!("req_{seq:016x}"), "probe": true},
            })
        })
        .collect();
    serde_json::to_vec(&json!({ "logs": logs })).expect("a JSON value always serialises")
}

/// One probe on app `app_id` (key `api_key`), with `background` (a target on another app,
/// the lines/s to offer and the tasks to offer them from) running meanwhile if given.
pub async fn probe(
    base_url: &str,
    session: &str,
    app_id: i64,
    api_key: &str,
    background: Option<(Arc<Target>, f64, usize)>,
) -> Result<LiveRun, String> {
    let stream = open_stream(base_url, session, app_id).await?;
    let arrivals = stream.arrivals.clone();
    let client = reqwest::Client::builder()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let lead = if background.is_some() {
        Duration::from_secs(2)
    } else {
        Duration::ZERO
    };
    let background_task = background.map(|(target, rate, tasks)| {
        let duration = lead + PROBE + Duration::from_secs(2);
        tokio::spawn(async move { (rate, load::paced(&target, rate, tasks, duration).await) })
    });
    tokio::time::sleep(lead).await;

    let requests = REQUESTS_PER_S * PROBE.as_secs();
    let interval = Duration::from_secs(1) / REQUESTS_PER_S as u32;
    let t0 = Instant::now();
    let url = format!("{base_url}/ingest");
    let bearer = format!("Bearer {api_key}");
    let mut posts = Vec::new();
    for k in 0..requests {
        tokio::time::sleep_until(t0 + interval * k as u32).await;
        let body = probe_body(k);
        let request = client
            .post(&url)
            .header(AUTHORIZATION, &bearer)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        posts.push(tokio::spawn(async move {
            let started = Instant::now();
            let answer = request.send().await;
            let ok = match answer {
                Ok(response) => {
                    let ok = response.status() == StatusCode::OK;
                    response.bytes().await.is_ok() && ok
                }
                Err(_) => false,
            };
            (k, started, ok)
        }));
    }
    let mut started = HashMap::new();
    let mut refused = 0;
    for post in posts {
        let (k, at, ok) = post
            .await
            .map_err(|e| format!("a probe POST panicked: {e}"))?;
        if ok {
            started.insert(k, at);
        } else {
            refused += 1;
        }
    }
    let sent = started.len() as u64 * LINES_PER_REQUEST;
    // Every accepted line should be on the stream already; wait a little for stragglers.
    let deadline = Instant::now() + GRACE;
    loop {
        let received = {
            let seen = arrivals.lock().expect("not poisoned");
            started
                .keys()
                .flat_map(|k| (0..LINES_PER_REQUEST).map(move |j| k * LINES_PER_REQUEST + j))
                .filter(|n| seen.contains_key(n))
                .count() as u64
        };
        if received == sent || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stream.close().await;
    let background = match background_task {
        Some(task) => Some(
            task.await
                .map_err(|e| format!("the background load panicked: {e}"))?,
        ),
        None => None,
    };

    let seen = arrivals.lock().expect("not poisoned").clone();
    let mut latencies: Vec<f64> = Vec::new();
    for (k, at) in &started {
        for j in 0..LINES_PER_REQUEST {
            if let Some(arrived) = seen.get(&(k * LINES_PER_REQUEST + j)) {
                latencies.push(arrived.saturating_duration_since(*at).as_secs_f64() * 1e3);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let received = latencies.len() as u64;
    Ok(LiveRun {
        background,
        sent,
        received,
        lost: sent - received,
        refused,
        p50_ms: percentile(&latencies, 0.50),
        p95_ms: percentile(&latencies, 0.95),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequence_numbers_come_from_lines_events_only() {
        let event = "event: lines\nid: 42\ndata: [{\"id\":41,\"message\":\"live probe seq=7 POST\"},\
                     {\"id\":42,\"message\":\"live probe seq=8 POST\"}]\n\n";
        assert_eq!(sequence_numbers(event), vec![7, 8]);
        assert!(sequence_numbers(": keep-alive\n\n").is_empty());
        assert!(sequence_numbers("event: gap\ndata: {\"missed\": 3}\n\n").is_empty());
    }

    #[test]
    fn probe_bodies_number_their_lines() {
        let body: serde_json::Value = serde_json::from_slice(&probe_body(3)).unwrap();
        let logs = body["logs"].as_array().unwrap();
        assert_eq!(logs.len(), LINES_PER_REQUEST as usize);
        let event = format!(
            "event: lines\ndata: {}\n\n",
            serde_json::to_string(logs).unwrap()
        );
        assert_eq!(sequence_numbers(&event), (30..40).collect::<Vec<_>>());
    }
}
