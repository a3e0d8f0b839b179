//! Reading an ingest request body into normalised lines, or the first reason it cannot be
//! stored. Strict about limits, lenient about what real SDKs send (DESIGN.md §4).
use serde_json::{Map, Value};

use super::IngestLimits;
use crate::model::Level;

/// Column sizes of the `logs` table (PostgreSQL enforces them; SQLite would not).
pub(crate) const MAX_SERVICE: usize = 128;
pub(crate) const MAX_ENVIRONMENT: usize = 64;
pub(crate) const MAX_RELEASE: usize = 128;
pub(crate) const MAX_TRACE_ID: usize = 64;

/// The attribute that keeps a level name Lodestar does not know (the line is stored as info).
pub const ORIGINAL_LEVEL: &str = "original_level";
/// Set to the message's original length in bytes when the message was cut to the limit.
pub const MESSAGE_TRUNCATED: &str = "message_truncated";

/// A line ready to be written: every field validated and normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct NewLine {
    /// When the line happened, UTC microseconds.
    pub ts: i64,
    /// When the server received it, UTC microseconds.
    pub received_at: i64,
    pub level: Level,
    pub service: String,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub message: String,
    /// A JSON object, as text.
    pub attributes: String,
    pub trace_id: Option<String>,
    /// The issue of an error event's line: set by the writer once the event is grouped.
    pub issue_id: Option<i64>,
}

/// A body as read: the key it carried, if any, and its lines.
#[derive(Debug)]
pub struct Batch {
    pub api_key: Option<String>,
    pub lines: Vec<NewLine>,
}

/// Why a body was refused. `index` names the first bad line (0-based) when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    pub code: &'static str,
    pub message: String,
    pub index: Option<usize>,
}

impl BatchError {
    fn body(code: &'static str, message: impl Into<String>) -> Self {
        BatchError {
            code,
            message: message.into(),
            index: None,
        }
    }

    fn line(index: usize, code: &'static str, message: impl Into<String>) -> Self {
        BatchError {
            code,
            message: format!("logs[{index}]: {}", message.into()),
            index: Some(index),
        }
    }
}

/// Reads `{"api_key": "sk_…", "logs": [{…}, …]}`.
pub fn parse_json(
    body: &[u8],
    received_at: i64,
    limits: &IngestLimits,
) -> Result<Batch, BatchError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| BatchError::body("invalid_json", format!("the body is not JSON: {e}")))?;
    let Value::Object(mut top) = value else {
        return Err(BatchError::body(
            "invalid_body",
            "the body must be an object like {\"api_key\": \"sk_…\", \"logs\": [...]}",
        ));
    };
    let api_key = match top.remove("api_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key),
        Some(_) => return Err(BatchError::body("invalid_body", "api_key must be a string")),
    };
    let entries = match top.remove("logs") {
        Some(Value::Array(entries)) => entries,
        Some(_) => return Err(BatchError::body("invalid_body", "logs must be an array")),
        None => {
            return Err(BatchError::body(
                "invalid_body",
                "the body has no logs array",
            ));
        }
    };
    check_count(entries.len(), limits)?;
    let lines = entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| normalise(index, entry, received_at, limits))
        .collect::<Result<_, _>>()?;
    Ok(Batch { api_key, lines })
}

/// Reads one JSON object per line; blank lines are skipped and do not count as indexes.
pub fn parse_ndjson(
    body: &[u8],
    received_at: i64,
    limits: &IngestLimits,
) -> Result<Batch, BatchError> {
    let mut lines = Vec::new();
    let rows = body
        .split(|&b| b == b'\n')
        .filter(|row| !row.iter().all(u8::is_ascii_whitespace));
    for (index, row) in rows.enumerate() {
        check_count(index + 1, limits)?;
        let entry: Value = serde_json::from_slice(row)
            .map_err(|e| BatchError::line(index, "invalid_json", format!("not JSON: {e}")))?;
        lines.push(normalise(index, entry, received_at, limits)?);
    }
    Ok(Batch {
        api_key: None,
        lines,
    })
}

fn check_count(count: usize, limits: &IngestLimits) -> Result<(), BatchError> {
    if count > limits.max_lines {
        return Err(BatchError::body(
            "too_many_lines",
            format!(
                "a batch holds at most {} lines: split it into smaller requests",
                limits.max_lines
            ),
        ));
    }
    Ok(())
}

/// One SDK line into a [`NewLine`]: known fields become columns, `extra` and every other field
/// become attributes.
pub(crate) fn normalise(
    index: usize,
    entry: Value,
    received_at: i64,
    limits: &IngestLimits,
) -> Result<NewLine, BatchError> {
    let fail = |code, message: String| BatchError::line(index, code, message);
    let Value::Object(mut fields) = entry else {
        return Err(fail(
            "invalid_line",
            "each line must be a JSON object".into(),
        ));
    };
    let mut message = match fields.remove("message") {
        Some(Value::String(text)) => text,
        Some(value @ (Value::Number(_) | Value::Bool(_))) => value.to_string(),
        Some(Value::Null) | None => {
            return Err(fail("missing_message", "message is required".into()));
        }
        Some(_) => return Err(fail("invalid_message", "message must be a string".into())),
    };
    let ts = match fields.remove("timestamp") {
        None | Some(Value::Null) => received_at,
        Some(value) => timestamp_micros(&value).ok_or_else(|| {
            fail(
                "invalid_timestamp",
                format!(
                    "timestamp {value} is not epoch seconds, epoch milliseconds or RFC 3339 \
                     (like 2024-02-21T00:00:00.123Z)"
                ),
            )
        })?,
    };
    let (level, original_level) = match fields.remove("level") {
        None | Some(Value::Null) => (Level::Info, None),
        Some(Value::String(name)) => match Level::parse(&name) {
            Some(level) => (level, None),
            None => (Level::Info, Some(Value::String(name))),
        },
        Some(other) => (Level::Info, Some(other)),
    };
    let service = text_field(&mut fields, "service", MAX_SERVICE)
        .map_err(|m| fail("invalid_service", m))?
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string());
    let environment = text_field(&mut fields, "environment", MAX_ENVIRONMENT)
        .map_err(|m| fail("invalid_environment", m))?;
    let release =
        text_field(&mut fields, "release", MAX_RELEASE).map_err(|m| fail("invalid_release", m))?;
    let trace_id = text_field(&mut fields, "trace_id", MAX_TRACE_ID)
        .map_err(|m| fail("invalid_trace_id", m))?;

    // Unknown top-level fields first, then `extra`, whose keys win.
    let mut attributes = Map::new();
    let extra = fields.remove("extra");
    attributes.append(&mut fields);
    match extra {
        None | Some(Value::Null) => {}
        Some(Value::Object(mut extra)) => attributes.append(&mut extra),
        Some(other) => {
            attributes.insert("extra".into(), other);
        }
    }
    if let Some(original) = original_level {
        attributes.insert(ORIGINAL_LEVEL.into(), original);
    }
    if message.len() > limits.max_message {
        attributes.insert(MESSAGE_TRUNCATED.into(), message.len().into());
        let mut cut = limits.max_message;
        while !message.is_char_boundary(cut) {
            cut -= 1;
        }
        message.truncate(cut);
    }
    let attributes = attributes_text(attributes);
    if attributes.len() > limits.max_attributes {
        return Err(fail(
            "attributes_too_large",
            format!(
                "the line's attributes take {} bytes as JSON; at most {} are kept",
                attributes.len(),
                limits.max_attributes
            ),
        ));
    }
    Ok(NewLine {
        ts,
        received_at,
        level,
        service: without_nul(service),
        environment: environment.map(without_nul),
        release: release.map(without_nul),
        message: without_nul(message),
        attributes,
        trace_id: trace_id.map(without_nul),
        issue_id: None,
    })
}

/// An optional short text column: a string (or a number, written out) of at most `max`
/// characters.
fn text_field(
    fields: &mut Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<String>, String> {
    let text = match fields.remove(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text,
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(format!("{name} must be a string")),
    };
    if text.chars().count() > max {
        return Err(format!("{name} is longer than {max} characters"));
    }
    Ok(Some(text))
}

/// Microseconds since the epoch from epoch seconds (float), milliseconds, microseconds or
/// nanoseconds (told apart by magnitude), an RFC 3339 string, or a number in a string.
pub fn timestamp_micros(value: &Value) -> Option<i64> {
    let epoch = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(text) => {
            if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text.trim()) {
                return in_range(time.timestamp_micros());
            }
            text.trim().parse::<f64>().ok()?
        }
        _ => return None,
    };
    if !epoch.is_finite() || epoch < 0.0 {
        return None;
    }
    let micros = if epoch >= 1e17 {
        epoch / 1e3
    } else if epoch >= 1e14 {
        epoch
    } else if epoch >= 1e11 {
        epoch * 1e3
    } else {
        epoch * 1e6
    };
    in_range(micros.round() as i64)
}

/// Times from 1970 to the end of year 9999 (what RFC 3339 can write).
fn in_range(micros: i64) -> Option<i64> {
    const END_OF_9999: i64 = 253_402_300_799_999_999;
    (0..=END_OF_9999).contains(&micros).then_some(micros)
}

/// The attributes as JSON text. PostgreSQL refuses U+0000 in text and jsonb, so it becomes
/// U+FFFD everywhere (keys too), on both engines alike.
pub(crate) fn attributes_text(attributes: Map<String, Value>) -> String {
    let text = Value::Object(attributes).to_string();
    if !text.contains("\\u0000") {
        return text;
    }
    let value: Value = serde_json::from_str(&text).unwrap_or_default();
    scrub_nul(value).to_string()
}

fn scrub_nul(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(without_nul(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(scrub_nul).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (without_nul(k), scrub_nul(v)))
                .collect(),
        ),
        other => other,
    }
}

pub(crate) fn without_nul(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
