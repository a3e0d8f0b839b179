//! The envelope framing (develop.sentry.dev "Envelopes"): a JSON header line, then items, each
//! an item-header line and a payload of `length` bytes, or up to the next `\n` when the header
//! gives no `length`.
//!
//! Strict about limits, lenient about framing details real SDKs differ on:
//! - a UTF-8 byte order mark before the header, and `\r` before a header line's `\n`, are
//!   accepted (JSON treats `\r` as white space);
//! - blank lines where an item header is expected (between items, or trailing) are skipped;
//! - a length-prefixed payload may be followed by `\n`, `\r\n` or the end of the body; anything
//!   else is malformed (an item whose `length` is wrong);
//! - an implicit-length payload keeps a `\r` before its `\n` (as the specification says);
//! - an item header on the last line, with no payload after it, has an empty payload;
//! - an invalid `event_id` in the envelope header is ignored (the caller generates one), and
//!   an unreadable `sent_at` is ignored.
//!
//! Payloads are borrowed from the body: nothing is copied until an item is parsed.
mod error;

use serde_json::{Map, Value};

pub use error::EnvelopeError;

/// What one envelope may carry. The body is the decompressed request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeLimits {
    /// The whole envelope, bytes.
    pub max_envelope: usize,
    /// One item's payload, bytes (events, logs, sessions, every type but attachments).
    pub max_item: usize,
    /// One attachment's payload, bytes. Attachments are skipped today, so they are bounded by
    /// the envelope only: a screenshot must not cost the event sent with it.
    pub max_attachment: usize,
    /// Items in one envelope.
    pub max_items: usize,
}

impl Default for EnvelopeLimits {
    fn default() -> Self {
        EnvelopeLimits {
            max_envelope: 20 << 20,
            max_item: 1 << 20,
            max_attachment: 20 << 20,
            max_items: 1_000,
        }
    }
}

/// A parsed envelope: its header and its items in the order sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope<'a> {
    pub header: EnvelopeHeader,
    pub items: Vec<Item<'a>>,
}

/// The envelope header line. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnvelopeHeader {
    /// The event id, as 32 lowercase hex digits (a dashed UUID is accepted and normalised).
    pub event_id: Option<String>,
    /// The full DSN, for envelopes that authenticate themselves (see [`super::parse_dsn`]).
    pub dsn: Option<String>,
    /// When the SDK sent the envelope, UTC microseconds.
    pub sent_at: Option<i64>,
    /// `sdk.name`, like `sentry.python`.
    pub sdk_name: Option<String>,
    /// `sdk.version`.
    pub sdk_version: Option<String>,
    /// The header as sent, every field included (`trace`, unknown ones).
    pub fields: Map<String, Value>,
}

/// One item: what it is, its header and its payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<'a> {
    pub kind: ItemKind,
    pub header: ItemHeader,
    /// The payload bytes, borrowed from the body.
    pub payload: &'a [u8],
}

/// An item header line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemHeader {
    /// `length` when the item gave one.
    pub length: Option<usize>,
    pub content_type: Option<String>,
    /// `item_count` (log containers).
    pub item_count: Option<u64>,
    /// `filename` (attachments).
    pub filename: Option<String>,
    /// The header as sent, `type` and unknown fields included.
    pub fields: Map<String, Value>,
}

/// The item types Lodestar tells apart. Unknown types are kept as `Other` with their name:
/// the caller skips and counts them, it never rejects them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    Event,
    Log,
    Transaction,
    Session,
    Sessions,
    ClientReport,
    Attachment,
    CheckIn,
    Other(String),
}

impl ItemKind {
    /// The kind named by an item header's `type`.
    pub fn from_type(name: &str) -> ItemKind {
        match name {
            "event" => ItemKind::Event,
            "log" => ItemKind::Log,
            "transaction" => ItemKind::Transaction,
            "session" => ItemKind::Session,
            "sessions" => ItemKind::Sessions,
            "client_report" => ItemKind::ClientReport,
            "attachment" => ItemKind::Attachment,
            "check_in" => ItemKind::CheckIn,
            other => ItemKind::Other(other.to_string()),
        }
    }

    /// The `type` as written in an item header.
    pub fn as_str(&self) -> &str {
        match self {
            ItemKind::Event => "event",
            ItemKind::Log => "log",
            ItemKind::Transaction => "transaction",
            ItemKind::Session => "session",
            ItemKind::Sessions => "sessions",
            ItemKind::ClientReport => "client_report",
            ItemKind::Attachment => "attachment",
            ItemKind::CheckIn => "check_in",
            ItemKind::Other(name) => name,
        }
    }
}

/// Splits an envelope body into its header and items. Item payloads are not parsed here.
pub fn parse_envelope<'a>(
    body: &'a [u8],
    limits: &EnvelopeLimits,
) -> Result<Envelope<'a>, EnvelopeError> {
    if body.len() > limits.max_envelope {
        return Err(EnvelopeError::EnvelopeTooLarge {
            size: body.len(),
            limit: limits.max_envelope,
        });
    }
    let start = if body.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let (header_line, mut pos) = line_at(body, start);
    if header_line.iter().all(u8::is_ascii_whitespace) && pos >= body.len() {
        return Err(EnvelopeError::Empty);
    }
    let header = envelope_header(
        json_object(header_line).map_err(|reason| EnvelopeError::InvalidHeader { reason })?,
    );

    let mut items = Vec::new();
    while pos < body.len() {
        let (line, next) = line_at(body, pos);
        if line.iter().all(u8::is_ascii_whitespace) {
            pos = next;
            continue;
        }
        let index = items.len();
        if index == limits.max_items {
            return Err(EnvelopeError::TooManyItems {
                limit: limits.max_items,
            });
        }
        let offset = pos;
        let fields = json_object(line).map_err(|reason| EnvelopeError::InvalidItemHeader {
            index,
            offset,
            reason,
        })?;
        let (kind, header) = item_header(fields).map_err(|reason| match reason {
            None => EnvelopeError::MissingItemType { index, offset },
            Some(reason) => EnvelopeError::InvalidItemHeader {
                index,
                offset,
                reason,
            },
        })?;
        let limit = if kind == ItemKind::Attachment {
            limits.max_attachment
        } else {
            limits.max_item
        };
        let too_large = |size| EnvelopeError::ItemTooLarge {
            index,
            offset: next,
            kind: kind.as_str().to_string(),
            size,
            limit,
        };
        let payload;
        match header.length {
            Some(length) => {
                if length > limit {
                    return Err(too_large(length));
                }
                let available = body.len() - next.min(body.len());
                if length > available {
                    return Err(EnvelopeError::LengthPastEnd {
                        index,
                        offset: next,
                        length,
                        available,
                    });
                }
                payload = &body[next..next + length];
                let end = next + length;
                pos = match &body[end..] {
                    [] => end,
                    [b'\n', ..] => end + 1,
                    [b'\r', b'\n', ..] => end + 2,
                    _ => {
                        return Err(EnvelopeError::MissingNewline {
                            index,
                            offset: end,
                            length,
                        });
                    }
                };
            }
            None => {
                let (line, after) = line_at(body, next.min(body.len()));
                if line.len() > limit {
                    return Err(too_large(line.len()));
                }
                payload = line;
                pos = after;
            }
        }
        items.push(Item {
            kind,
            header,
            payload,
        });
    }
    Ok(Envelope { header, items })
}

/// The line starting at `start` (without its `\n`) and where the next one starts.
fn line_at(body: &[u8], start: usize) -> (&[u8], usize) {
    let rest = &body[start..];
    match rest.iter().position(|&b| b == b'\n') {
        Some(end) => (&rest[..end], start + end + 1),
        None => (rest, body.len()),
    }
}

fn json_object(line: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(line) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("found {}", json_kind(&other))),
        Err(e) => Err(e.to_string()),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn envelope_header(fields: Map<String, Value>) -> EnvelopeHeader {
    let string = |name: &str| match fields.get(name) {
        Some(Value::String(text)) if !text.is_empty() => Some(text.clone()),
        _ => None,
    };
    let sdk = fields.get("sdk").and_then(Value::as_object);
    let sdk_field = |name: &str| {
        sdk.and_then(|sdk| sdk.get(name))
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_string)
    };
    EnvelopeHeader {
        event_id: fields
            .get("event_id")
            .and_then(Value::as_str)
            .and_then(normalise_event_id),
        dsn: string("dsn"),
        sent_at: fields
            .get("sent_at")
            .and_then(Value::as_str)
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text.trim()).ok())
            .map(|time| time.timestamp_micros()),
        sdk_name: sdk_field("name"),
        sdk_version: sdk_field("version"),
        fields,
    }
}

/// The item's kind and header; `Err(None)` when it has no usable `type`, `Err(Some(reason))`
/// when a known field has an unusable value.
fn item_header(fields: Map<String, Value>) -> Result<(ItemKind, ItemHeader), Option<String>> {
    let kind = match fields.get("type") {
        Some(Value::String(name)) if !name.trim().is_empty() => ItemKind::from_type(name.trim()),
        _ => return Err(None),
    };
    let length = match fields.get("length") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            super::lenient::integer(value)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| format!("length {value} is not a byte count"))?,
        ),
    };
    let string = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_string);
    let header = ItemHeader {
        length,
        content_type: string("content_type"),
        item_count: fields
            .get("item_count")
            .and_then(super::lenient::integer)
            .and_then(|n| u64::try_from(n).ok()),
        filename: string("filename"),
        fields,
    };
    Ok((kind, header))
}

/// An event id as 32 lowercase hex digits, from that form or a dashed UUID (any case).
pub fn normalise_event_id(id: &str) -> Option<String> {
    let id = id.trim();
    let bytes = id.as_bytes();
    let hex: String = match bytes.len() {
        32 => id.to_string(),
        36 if [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-') => {
            id.chars().filter(|&c| c != '-').collect()
        }
        _ => return None,
    };
    if hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Some(hex.to_ascii_lowercase())
    } else {
        None
    }
}
