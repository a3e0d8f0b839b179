//! `log` items (`application/vnd.sentry.items.log+json`): `{"items": [{timestamp, trace_id,
//! level, body, severity_number?, span_id?, attributes: {key: {value, type}}}, …]}` read into
//! the same [`NewLine`]s as `/ingest` batches, through the same normalisation (so the same
//! limits: message cut at `max_message` and flagged `message_truncated`, attributes at most
//! `max_attributes`, column sizes, a bad entry refusing the item with its index).
//!
//! Mapping:
//! - `body` → message; `timestamp` (epoch seconds) → ts (missing: received); `trace_id` →
//!   trace id.
//! - `level` → level; when it is missing or unknown, `severity_number` decides (OpenTelemetry
//!   ranges: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal) and an
//!   unknown name is kept as `original_level`.
//! - Attributes keep their type: `integer` → JSON integer (a string holding one is parsed),
//!   `double` → JSON number, `boolean` → JSON boolean, `string` → string; arrays and unknown
//!   types keep the value as sent; `unit` is dropped.
//! - Columns from attributes (removed from the attributes): `sentry.environment` →
//!   environment, `sentry.release` → release, and the service from `service.name`, else
//!   `service`, else `server.address` (the host, which Sentry's server SDKs always send and
//!   which is also where an error event's service falls back to, its `server_name`), else
//!   `default`.
//! - `span_id` and any other top-level field become attributes too.
use serde_json::{Map, Value};

use super::lenient;
use crate::backend::ingest::IngestLimits;
use crate::backend::ingest::batch::{self, NewLine, ORIGINAL_LEVEL};
use crate::model::Level;

/// Why a log item was refused. Nothing of it is to be stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogItemError {
    #[error("the log item is not JSON: {0}")]
    InvalidJson(String),
    #[error("the log item must be an object like {{\"items\": [...]}}")]
    NotAContainer,
    #[error("the log item holds {count} logs; at most {limit} are accepted")]
    TooManyLogs { count: usize, limit: usize },
    #[error("items[{index}]: {reason}")]
    Log {
        index: usize,
        code: &'static str,
        reason: String,
    },
}

impl LogItemError {
    /// A stable code for the JSON error body (a bad log gives the `/ingest` line's code).
    pub fn code(&self) -> &'static str {
        match self {
            LogItemError::InvalidJson(_) => "invalid_log_json",
            LogItemError::NotAContainer => "invalid_log_item",
            LogItemError::TooManyLogs { .. } => "too_many_lines",
            LogItemError::Log { code, .. } => code,
        }
    }

    /// Whether a size limit was broken (413) rather than the item being malformed (400).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            LogItemError::TooManyLogs { .. }
                | LogItemError::Log {
                    code: "attributes_too_large",
                    ..
                }
        )
    }
}

/// Reads a `log` item payload into lines.
pub fn parse_log_item(
    payload: &[u8],
    received_at_us: i64,
    limits: &IngestLimits,
) -> Result<Vec<NewLine>, LogItemError> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| LogItemError::InvalidJson(e.to_string()))?;
    let Some(Value::Array(logs)) = lenient::object(value).and_then(|mut c| c.remove("items"))
    else {
        return Err(LogItemError::NotAContainer);
    };
    if logs.len() > limits.max_lines {
        return Err(LogItemError::TooManyLogs {
            count: logs.len(),
            limit: limits.max_lines,
        });
    }
    logs.into_iter()
        .enumerate()
        .map(|(index, log)| {
            let entry = ingest_entry(log).ok_or_else(|| LogItemError::Log {
                index,
                code: "invalid_line",
                reason: "each log must be a JSON object".into(),
            })?;
            batch::normalise(index, entry, received_at_us, limits).map_err(|error| {
                let prefix = format!("logs[{index}]: ");
                LogItemError::Log {
                    index,
                    code: error.code,
                    reason: error
                        .message
                        .strip_prefix(&prefix)
                        .unwrap_or(&error.message)
                        .to_string(),
                }
            })
        })
        .collect()
}

/// One Sentry log as the `/ingest` line the batch normaliser reads: `message`, `timestamp`,
/// `level`, `service`, `environment`, `release`, `trace_id`, and everything else in `extra`.
fn ingest_entry(log: Value) -> Option<Value> {
    let mut log = lenient::object(log)?;
    let mut attributes: Map<String, Value> = match log.remove("attributes") {
        Some(Value::Object(attributes)) => attributes
            .into_iter()
            .map(|(key, attribute)| (key, typed(attribute)))
            .filter(|(_, value)| !value.is_null())
            .collect(),
        _ => Map::new(),
    };
    let mut entry = Map::new();
    let mut column = |name: &str, value: Option<Value>| {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            entry.insert(name.to_string(), value);
        }
    };
    column("message", log.remove("body"));
    column("timestamp", log.remove("timestamp"));
    column("trace_id", log.remove("trace_id"));
    let severity = log.remove("severity_number");
    let (level, original) = level(log.remove("level"), severity.as_ref());
    column("level", level);
    column("environment", attributes.remove("sentry.environment"));
    column("release", attributes.remove("sentry.release"));
    let service = ["service.name", "service", "server.address"]
        .into_iter()
        .find_map(|key| attributes.remove(key).filter(|v| !v.is_null()));
    column("service", service);

    // Other top-level fields (`span_id`, …) first: an attribute of the same name wins.
    let mut extra: Map<String, Value> = log.into_iter().filter(|(_, v)| !v.is_null()).collect();
    extra.append(&mut attributes);
    if let Some(original) = original {
        extra.insert(ORIGINAL_LEVEL.into(), original);
    }
    entry.insert("extra".into(), Value::Object(extra));
    Some(Value::Object(entry))
}

/// The level to hand on, and the original name when `severity_number` overrode an unknown
/// one. A name neither known nor rescued goes on as it is (it is then stored as info with
/// `original_level`).
fn level(level: Option<Value>, severity: Option<&Value>) -> (Option<Value>, Option<Value>) {
    let known = |value: &Value| value.as_str().and_then(Level::parse).is_some();
    match level {
        Some(value) if known(&value) => (Some(value), None),
        level => match severity.and_then(lenient::integer).and_then(severity_level) {
            Some(from_number) => (
                Some(Value::String(from_number.name().into())),
                level.filter(|v| !v.is_null()),
            ),
            None => (level, None),
        },
    }
}

/// OpenTelemetry severity numbers to levels.
fn severity_level(number: i64) -> Option<Level> {
    Some(match number {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        9..=12 => Level::Info,
        13..=16 => Level::Warn,
        17..=20 => Level::Error,
        21..=24 => Level::Fatal,
        _ => return None,
    })
}

/// A `{value, type}` attribute as a plain JSON value of its declared type; anything else as
/// it was sent.
fn typed(attribute: Value) -> Value {
    let Value::Object(mut attribute) = attribute else {
        return attribute;
    };
    let Some(value) = attribute.remove("value") else {
        return Value::Object(attribute);
    };
    let ty = attribute.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "string" => match value {
            Value::Number(_) | Value::Bool(_) => Value::String(value.to_string()),
            other => other,
        },
        "integer" => lenient::integer(&value).map_or(value, Value::from),
        "double" => match &value {
            Value::String(text) => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(value, Value::Number),
            _ => value,
        },
        "boolean" => lenient::boolean(&value).map_or(value, Value::Bool),
        _ => value,
    }
}
