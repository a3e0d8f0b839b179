//! The request bodies the load generator sends: realistic log batches in the own-JSON format of
//! `POST /ingest`, built once before any timing starts so that the client measures the server,
//! not its own JSON encoder.
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Distinct bodies: enough that the server never sees the same batch twice in a row, few
/// enough (about 3 MB) to stay in the client's cache.
pub const BODIES: usize = 64;
/// Lines per batch, the size DESIGN.md §7 states its target for.
pub const LINES_PER_BODY: usize = 100;

/// A tiny xorshift64 generator: deterministic, so every run sends the same text and two runs
/// compare like with like; no `rand` needed for a load generator.
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Zero is xorshift's one fixed point.
        XorShift(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            out.push_str(&format!("{:016x}", self.next_u64()));
        }
        out.truncate(digits);
        out
    }
}

/// Where a line's timestamp goes: as wide as `1763870000.123`, so that [`stamp`] writes the
/// send time in place without moving a byte.
const TIMESTAMP_SLOT: &[u8; 14] = b"\"@@@@@@@@@@@@\"";

/// The `api_key` a batch carries and the `Authorization: Bearer` header repeats. Timestamps
/// are slots that [`stamp`] fills when the batch is sent.
pub fn build(api_key: &str) -> Vec<Vec<u8>> {
    let mut rng = XorShift::new(0x10de_57a2_2024_0221);
    let slot = std::str::from_utf8(&TIMESTAMP_SLOT[1..13]).expect("ASCII");
    (0..BODIES)
        .map(|_| {
            let logs: Vec<Value> = (0..LINES_PER_BODY).map(|_| line(&mut rng, slot)).collect();
            serde_json::to_vec(&json!({"api_key": api_key, "logs": logs}))
                .expect("a JSON value always serialises")
        })
        .collect()
}

/// `body` with its lines stamped at `now` (epoch seconds), a millisecond apart and oldest first,
/// as a service logging right now would send them. Sending the same fixed times over and over
/// would instead insert into a hundred places of the time index at once, which no real
/// workload does (and which measured three times slower).
pub fn stamp(body: &[u8], now: f64) -> Vec<u8> {
    let mut out = body.to_vec();
    let mut at = 0;
    let mut line = 0;
    while let Some(found) = out[at..]
        .windows(TIMESTAMP_SLOT.len())
        .position(|w| w == TIMESTAMP_SLOT)
    {
        let start = at + found;
        let time = now - (LINES_PER_BODY - line) as f64 * 0.001;
        let text = format!("{time:014.3}");
        if text.len() == TIMESTAMP_SLOT.len() {
            out[start..start + text.len()].copy_from_slice(text.as_bytes());
        }
        at = start + TIMESTAMP_SLOT.len();
        line += 1;
    }
    out
}

/// Seconds since the epoch, now.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// One log line: mostly info, some debug and warn, about 3 % errors, each level with the kind
/// of message a real service writes at that level.
fn line(rng: &mut XorShift, timestamp: &str) -> Value {
    let roll = rng.below(1000);
    let (level, service, message) = if roll < 30 {
        error_message(rng)
    } else if roll < 150 {
        warn_message(rng)
    } else if roll < 300 {
        debug_message(rng)
    } else {
        info_message(rng)
    };
    let mut extra = json!({
        "request_id": format!("req_{}", rng.hex(16)),
        "user_id": 1000 + rng.below(90_000),
        "duration_ms": rng.below(2_500),
        "path": rng.pick(&PATHS),
    });
    if rng.below(4) == 0 {
        extra["correlation_id"] = json!(format!("{}-{}-{}", rng.hex(8), rng.hex(4), rng.hex(12)));
    }
    if rng.below(3) == 0 {
        extra["trace_id"] = json!(rng.hex(32));
    }
    json!({
        // Epoch seconds with milliseconds, as SDKs send them, filled in by `stamp`.
        "timestamp": timestamp,
        "level": level,
        "message": message,
        "service": service,
        "extra": extra,
    })
}

const PATHS: [&str; 8] = [
    "/api/v1/projects",
    "/api/v1/issues",
    "/api/v1/checkout",
    "/api/v1/invoices",
    "/api/v1/search",
    "/api/v1/users/me",
    "/login",
    "/webhooks/stripe",
];

const AGENTS: [&str; 4] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15",
    "python-requests/2.31.0",
    "okhttp/4.12.0",
];

fn info_message(rng: &mut XorShift) -> (&'static str, &'static str, String) {
    match rng.below(5) {
        0 | 1 => (
            "INFO",
            "api",
            format!(
                "{} {}/{}?page={}&per_page=50 200 {}B {}ms client=10.0.{}.{} ua=\"{}\"",
                rng.pick(&["GET", "GET", "POST", "PUT"]),
                rng.pick(&PATHS),
                rng.below(100_000),
                1 + rng.below(20),
                200 + rng.below(40_000),
                1 + rng.below(300),
                rng.below(256),
                rng.below(256),
                rng.pick(&AGENTS),
            ),
        ),
        2 => (
            "INFO",
            "billing",
            format!(
                "payment succeeded: charge ch_{} amount={}.{:02} {} customer=cus_{} invoice=in_{} \
                 method=card brand={} last4={:04} attempt=1",
                rng.hex(14),
                5 + rng.below(500),
                rng.below(100),
                rng.pick(&["EUR", "USD", "GBP"]),
                rng.below(1_000_000),
                rng.hex(10),
                rng.pick(&["visa", "mastercard", "amex"]),
                rng.below(10_000),
            ),
        ),
        3 => (
            "INFO",
            "worker",
            format!(
                "job completed: queue={} job={} id=job_{} attempts=1 duration={}ms recipients={} \
                 enqueued {}s ago by scheduler on worker-{}",
                rng.pick(&["emails", "exports", "webhooks"]),
                rng.pick(&[
                    "send_digest",
                    "export_csv",
                    "deliver_webhook",
                    "rebuild_index"
                ]),
                rng.hex(12),
                10 + rng.below(5_000),
                rng.below(200),
                rng.below(600),
                rng.below(8),
            ),
        ),
        _ => (
            "INFO",
            "auth",
            format!(
                "login succeeded for user {} via {} from 203.0.113.{}; session s_{} created, \
                 expires in 14d, mfa={}",
                1000 + rng.below(90_000),
                rng.pick(&["password", "google", "github"]),
                rng.below(256),
                rng.hex(12),
                rng.pick(&["totp", "none", "webauthn"]),
            ),
        ),
    }
}

fn debug_message(rng: &mut XorShift) -> (&'static str, &'static str, String) {
    if rng.below(2) == 0 {
        (
            "DEBUG",
            "search",
            format!(
                "search query \"{}\" over {} returned {} hits in {}ms (scanned {} rows, {} \
                 segments, cache={})",
                rng.pick(&[
                    "timeout service:billing",
                    "level:error",
                    "user_id:42 checkout"
                ]),
                rng.pick(&["15m", "1h", "24h", "7d"]),
                rng.below(20_000),
                1 + rng.below(400),
                rng.below(5_000_000),
                1 + rng.below(12),
                rng.pick(&["hit", "miss"]),
            ),
        )
    } else {
        (
            "DEBUG",
            "api",
            format!(
                "cache lookup key=user:{}:permissions hit=false ttl=300s backend=redis \
                 latency={}.{}ms; falling back to the database and repopulating {} entries",
                1000 + rng.below(90_000),
                rng.below(5),
                rng.below(10),
                rng.below(80),
            ),
        )
    }
}

fn warn_message(rng: &mut XorShift) -> (&'static str, &'static str, String) {
    if rng.below(2) == 0 {
        (
            "WARN",
            "billing",
            format!(
                "database query slow ({}ms > 500ms): SELECT id, status, amount FROM invoices \
                 WHERE account_id = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 50 \
                 (account_id={}, pool wait {}ms)",
                500 + rng.below(4_500),
                rng.below(100_000),
                rng.below(1_500),
            ),
        )
    } else {
        (
            "WARN",
            "worker",
            format!(
                "retrying webhook delivery to https://hooks.example.com/{} after HTTP {}: \
                 attempt {} of 5, next in {}s, job id=job_{}",
                rng.hex(8),
                rng.pick(&["502", "503", "504", "429"]),
                1 + rng.below(4),
                1 << rng.below(6),
                rng.hex(12),
            ),
        )
    }
}

fn error_message(rng: &mut XorShift) -> (&'static str, &'static str, String) {
    if rng.below(2) == 0 {
        (
            "ERROR",
            "api",
            format!(
                "database query timed out after 5000ms: UPDATE orders SET status = 'paid' \
                 WHERE id = $1 (order_id={}, connection {} of 16, lock held by pid {})",
                rng.below(10_000_000),
                1 + rng.below(16),
                1000 + rng.below(60_000),
            ),
        )
    } else {
        (
            "ERROR",
            "billing",
            format!(
                "unhandled error in POST /api/v1/checkout: PaymentProviderError: card_declined \
                 (code={}) after {} attempts; order o_{} rolled back, customer cus_{} notified",
                rng.pick(&["insufficient_funds", "expired_card", "do_not_honor"]),
                1 + rng.below(3),
                rng.hex(10),
                rng.below(1_000_000),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_distinct_batches_of_the_stated_size() {
        let bodies = build("sk_test");
        assert_eq!(bodies.len(), BODIES);
        assert_ne!(bodies[0], bodies[1]);
        let first: Value = serde_json::from_slice(&stamp(&bodies[0], 1_763_870_000.5)).unwrap();
        assert_eq!(
            first["logs"][99]["timestamp"].as_f64(),
            Some(1_763_870_000.499)
        );
        assert_eq!(
            first["logs"][0]["timestamp"].as_f64(),
            Some(1_763_870_000.4)
        );
        assert_eq!(first["api_key"], "sk_test");
        let logs = first["logs"].as_array().unwrap();
        assert_eq!(logs.len(), LINES_PER_BODY);
        let average = logs
            .iter()
            .map(|l| l["message"].as_str().unwrap().len())
            .sum::<usize>()
            / logs.len();
        assert!(
            (120..=260).contains(&average),
            "average message {average} B"
        );
    }

    #[test]
    fn about_three_percent_are_errors() {
        let bodies = build("sk_test");
        let (mut errors, mut total) = (0, 0);
        for body in &bodies {
            let batch: Value = serde_json::from_slice(body).unwrap();
            for line in batch["logs"].as_array().unwrap() {
                total += 1;
                errors += usize::from(line["level"] == "ERROR");
            }
        }
        let share = errors as f64 / total as f64;
        assert!((0.02..0.04).contains(&share), "error share {share}");
    }
}
