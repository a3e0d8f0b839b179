//! Tests of the Sentry protocol layer: golden envelopes captured from (or written after) the
//! official SDKs, malformed envelopes, events, logs and grouping.
mod envelopes;
mod events;
mod golden_events;
mod golden_logs;
mod grouping;
mod log_line;
mod logs;

use serde_json::Value;

use crate::backend::ingest::IngestLimits;
use crate::backend::sentry::*;

/// A fixed "now": 2024-02-21T00:00:00Z in microseconds.
const NOW: i64 = 1_708_473_600_000_000;

/// A file of `app/tests/fixtures/sentry/`.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/sentry/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An RFC 3339 time in UTC microseconds.
fn us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_micros()
}

/// The envelope header and the one event of a fixture.
fn event_of(name: &str) -> (EnvelopeHeader, ErrorEvent) {
    let body = fixture(name);
    let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
    let mut events = envelope.items.iter().filter(|i| i.kind == ItemKind::Event);
    let item = events.next().expect("an event item");
    assert!(events.next().is_none(), "{name}: one event");
    let event = parse_event(item.payload, NOW).unwrap();
    (envelope.header.clone(), event)
}

/// Every log line of a fixture's `log` items.
fn logs_of(name: &str) -> Vec<NewLine> {
    let body = fixture(name);
    let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
    envelope
        .items
        .iter()
        .filter(|item| item.kind == ItemKind::Log)
        .flat_map(|item| parse_log_item(item.payload, NOW, &IngestLimits::default()).unwrap())
        .collect()
}

fn attrs(line: &NewLine) -> Value {
    serde_json::from_str(&line.attributes).unwrap()
}

fn functions(stacktrace: &Stacktrace) -> Vec<&str> {
    stacktrace
        .frames
        .iter()
        .map(|f| f.function.as_deref().unwrap_or("?"))
        .collect()
}
