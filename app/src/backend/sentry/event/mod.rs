//! An error event (an `event` item, or the body of the legacy `/store/` endpoint) read into an
//! [`ErrorEvent`]: lenient about what SDKs send (numbers as strings, `null` anywhere, unknown
//! fields, legacy shapes), strict about size. Oversized parts are cut or dropped and counted
//! in [`ErrorEvent::truncation`]; only a payload that is not a JSON object is refused.
mod detail;
mod exception;
mod interfaces;
pub mod log_line;

use serde_json::{Map, Value};

pub use exception::{Exception, Frame, MAX_EXCEPTIONS, MAX_FRAMES, Mechanism, Stacktrace};
pub use interfaces::{Breadcrumb, MAX_BREADCRUMBS, Request, Sdk, User};

use super::envelope::normalise_event_id;
use super::lenient::{self, take_text};
use crate::backend::ingest::batch::{MAX_ENVIRONMENT, timestamp_micros};
use crate::model::Level;

const MAX_SHORT: usize = 128;
const MAX_RELEASE: usize = 200;
const MAX_TRANSACTION: usize = 200;
const MAX_MESSAGE: usize = 8 << 10;
const MAX_TAGS: usize = 100;
const MAX_TAG: usize = 200;
const MAX_FINGERPRINT: usize = 32;
const MAX_FINGERPRINT_PART: usize = 512;
const MAX_CONTEXT: usize = 8 << 10;
const MAX_CONTEXTS: usize = 64 << 10;
const MAX_EXTRA: usize = 32 << 10;
const MAX_TITLE: usize = 256;

/// A normalised error event. Lists keep Sentry's order: exceptions and frames oldest first
/// (see [`Exception`], [`Stacktrace`]), breadcrumbs oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorEvent {
    /// 32 lowercase hex digits when the payload carried a valid id; the caller generates one
    /// otherwise (or takes the envelope header's, which wins per the protocol).
    pub event_id: Option<String>,
    /// When it happened, UTC microseconds (`received_at` when missing or unreadable).
    pub timestamp: i64,
    /// When the server received it, UTC microseconds.
    pub received_at: i64,
    /// `error` when missing or unknown.
    pub level: Level,
    /// A `level` Lodestar does not know, as sent.
    pub original_level: Option<String>,
    pub platform: Option<String>,
    pub logger: Option<String>,
    pub transaction: Option<String>,
    pub server_name: Option<String>,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub dist: Option<String>,
    /// The message as displayed (`logentry.formatted`, else the template with its parameters,
    /// else a plain `message` string).
    pub message: Option<String>,
    /// The message before formatting (`logentry.message`), when it differs from `message`.
    pub message_template: Option<String>,
    pub exceptions: Vec<Exception>,
    /// The crashed (or current) thread's stack trace, kept only when no exception has one.
    pub thread_stacktrace: Option<Stacktrace>,
    pub breadcrumbs: Vec<Breadcrumb>,
    /// From an object (sorted by key) or a list of pairs (in the order sent).
    pub tags: Vec<(String, String)>,
    pub user: Option<User>,
    pub request: Option<Request>,
    /// Kept as JSON; an entry over 8 KiB is dropped.
    pub contexts: Map<String, Value>,
    /// `contexts.trace.trace_id`.
    pub trace_id: Option<String>,
    /// Kept as JSON; an entry over 8 KiB is dropped.
    pub extra: Map<String, Value>,
    /// The SDK's grouping override (see `grouping`).
    pub fingerprint: Vec<String>,
    pub sdk: Option<Sdk>,
    pub truncation: Truncation,
}

/// What was cut or dropped to keep an event within its limits, and the fields ignored because
/// their value was unusable. Nothing here rejects the event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Truncation {
    /// Strings cut to their limit (or list entries beyond a limit).
    pub strings: usize,
    /// Oldest frames dropped across stack traces.
    pub frames: usize,
    /// Oldest breadcrumbs dropped.
    pub breadcrumbs: usize,
    /// Oldest exceptions of the chain dropped.
    pub exceptions: usize,
    /// JSON values (vars, data, contexts, extra entries) dropped for size.
    pub values: usize,
    /// Fields ignored because their value was unusable, like `event_id` or `timestamp`.
    pub invalid: Vec<&'static str>,
}

impl Truncation {
    pub fn is_empty(&self) -> bool {
        *self == Truncation::default()
    }
}

/// Why an event payload was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the event is not JSON: {0}")]
    InvalidJson(String),
    #[error("the event must be a JSON object")]
    NotAnObject,
}

impl EventError {
    /// A stable code for the JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            EventError::InvalidJson(_) => "invalid_event_json",
            EventError::NotAnObject => "invalid_event",
        }
    }
}

/// Reads an `event` item payload or a legacy `/store/` body.
pub fn parse_event(payload: &[u8], received_at_us: i64) -> Result<ErrorEvent, EventError> {
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| EventError::InvalidJson(e.to_string()))?;
    let Value::Object(mut fields) = value else {
        return Err(EventError::NotAnObject);
    };
    let mut truncation = Truncation::default();
    let t = &mut truncation;

    let event_id = match fields.remove("event_id").and_then(lenient::text) {
        None => None,
        Some(id) => {
            let normal = normalise_event_id(&id);
            if normal.is_none() {
                t.invalid.push("event_id");
            }
            normal
        }
    };
    let timestamp = match fields.remove("timestamp") {
        None | Some(Value::Null) => received_at_us,
        Some(value) => timestamp_micros(&value).unwrap_or_else(|| {
            t.invalid.push("timestamp");
            received_at_us
        }),
    };
    let (level, original_level) = match fields.remove("level").and_then(lenient::text) {
        None => (Level::Error, None),
        Some(name) => match Level::parse(&name) {
            Some(level) => (level, None),
            None => (Level::Error, Some(name)),
        },
    };
    let (message, message_template) = message(&mut fields, &mut t.strings);
    let exceptions = fields
        .remove("exception")
        .map_or_else(Vec::new, |value| exception::exceptions(value, t));
    let has_frames = exceptions.iter().any(|e| e.stacktrace.is_some());
    let thread_stacktrace = match fields.remove("threads") {
        Some(threads) if !has_frames => exception::thread_stacktrace(threads, t),
        _ => None,
    };
    let contexts = fields
        .remove("contexts")
        .and_then(lenient::object)
        .map_or_else(Map::new, |map| {
            lenient::bounded_object(map, MAX_CONTEXT, MAX_CONTEXTS, &mut t.values)
        });
    let trace_id = contexts
        .get("trace")
        .and_then(|trace| trace.get("trace_id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.len() <= 64)
        .map(str::to_ascii_lowercase);
    let cuts = &mut t.strings;
    let event = ErrorEvent {
        event_id,
        timestamp,
        received_at: received_at_us,
        level,
        original_level,
        platform: take_text(&mut fields, "platform", 64, cuts),
        logger: take_text(&mut fields, "logger", MAX_SHORT, cuts),
        transaction: take_text(&mut fields, "transaction", MAX_TRANSACTION, cuts),
        server_name: take_text(&mut fields, "server_name", MAX_SHORT, cuts),
        environment: take_text(&mut fields, "environment", MAX_ENVIRONMENT, cuts),
        release: take_text(&mut fields, "release", MAX_RELEASE, cuts),
        dist: take_text(&mut fields, "dist", 64, cuts),
        message,
        message_template,
        exceptions,
        thread_stacktrace,
        tags: fields.remove("tags").map_or_else(Vec::new, |tags| {
            lenient::pairs(tags, MAX_TAGS, MAX_TAG, cuts)
        }),
        fingerprint: fields.remove("fingerprint").map_or_else(Vec::new, |list| {
            lenient::string_list(list, MAX_FINGERPRINT, MAX_FINGERPRINT_PART, cuts)
        }),
        breadcrumbs: fields
            .remove("breadcrumbs")
            .map_or_else(Vec::new, |value| interfaces::breadcrumbs(value, t)),
        user: fields
            .remove("user")
            .and_then(|value| interfaces::user(value, t)),
        request: fields
            .remove("request")
            .and_then(|value| interfaces::request(value, t)),
        sdk: fields
            .remove("sdk")
            .and_then(|value| interfaces::sdk(value, t)),
        extra: fields
            .remove("extra")
            .and_then(lenient::object)
            .map_or_else(Map::new, |map| {
                lenient::bounded_object(map, MAX_CONTEXT, MAX_EXTRA, &mut t.values)
            }),
        contexts,
        trace_id,
        truncation: std::mem::take(t),
    };
    Ok(event)
}

/// The displayed message and its template, from `logentry` (or `message` as an object)
/// `{formatted, message, params}`, or from a plain `message` string.
fn message(fields: &mut Map<String, Value>, cuts: &mut usize) -> (Option<String>, Option<String>) {
    let logentry = fields.remove("logentry");
    let plain = fields.remove("message");
    let (mut formatted, mut template) = (None, None);
    for entry in [logentry, plain].into_iter().flatten() {
        match entry {
            Value::Object(mut entry) => {
                let params = entry.remove("params");
                let entry_template = entry.remove("message").and_then(lenient::text);
                let entry_formatted = entry.remove("formatted").and_then(lenient::text);
                let shown = entry_formatted.or_else(|| {
                    let template = entry_template.as_deref()?;
                    Some(match &params {
                        Some(Value::Array(params)) if !params.is_empty() => {
                            format_params(template, params)
                        }
                        _ => template.to_string(),
                    })
                });
                if formatted.is_none() {
                    formatted = shown;
                }
                if template.is_none() {
                    template = entry_template;
                }
            }
            other => {
                if formatted.is_none() {
                    formatted = lenient::text(other);
                }
            }
        }
    }
    if template == formatted {
        template = None;
    }
    for text in [&mut formatted, &mut template].into_iter().flatten() {
        if lenient::cut(text, MAX_MESSAGE) {
            *cuts += 1;
        }
    }
    (formatted, template)
}

/// `printf`-style `%s` (and `%d`, `%i`, `%f`, `%r`) replaced by the parameters in order;
/// `%%` is a percent sign.
fn format_params(template: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * params.len());
    let mut params = params.iter();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('%') => {
                chars.next();
                out.push('%');
            }
            Some('s' | 'd' | 'i' | 'f' | 'r') => {
                let spec = chars.next().unwrap_or('s');
                match params.next() {
                    Some(Value::String(text)) => out.push_str(text),
                    Some(other) => out.push_str(&other.to_string()),
                    None => {
                        out.push('%');
                        out.push(spec);
                    }
                }
            }
            _ => out.push('%'),
        }
    }
    out
}

impl ErrorEvent {
    /// The exception that was raised: the last of the chain.
    pub fn raised(&self) -> Option<&Exception> {
        self.exceptions.last()
    }

    /// The stack trace that explains the event: the raised exception's, else the newest
    /// exception's that has one, else the crashed thread's.
    pub fn stacktrace(&self) -> Option<&Stacktrace> {
        self.exceptions
            .iter()
            .rev()
            .find_map(|exception| exception.stacktrace.as_ref())
            .or(self.thread_stacktrace.as_ref())
    }

    /// The innermost in-app frame of [`Self::stacktrace`], else its innermost frame.
    pub fn top_frame(&self) -> Option<&Frame> {
        self.stacktrace()?.top_frame()
    }

    /// A one-line title: `Type: first line of the value` for the raised exception (or
    /// whichever of the two it has), else the first line of the message, else
    /// `<unlabeled event>`; "first line" is the first that is not blank, and the title is at
    /// most 256 bytes, ending in `…` when cut.
    pub fn title(&self) -> String {
        let first_line = |text: &str| {
            let line = text.lines().map(str::trim).find(|line| !line.is_empty());
            line.unwrap_or("").to_string()
        };
        let title = self
            .raised()
            .and_then(
                |raised| match (&raised.ty, raised.value.as_deref().map(first_line)) {
                    (Some(ty), Some(value)) if !value.is_empty() => Some(format!("{ty}: {value}")),
                    (Some(ty), _) => Some(ty.clone()),
                    (None, Some(value)) if !value.is_empty() => Some(value),
                    _ => None,
                },
            )
            .or_else(|| self.message.as_deref().map(first_line))
            .filter(|title| !title.is_empty())
            .unwrap_or_else(|| "<unlabeled event>".to_string());
        ellipsis(title, MAX_TITLE)
    }

    /// Where it happened: `module in function` of [`Self::top_frame`] (the file when the frame
    /// has no module), else the transaction; nothing when neither is known.
    pub fn culprit(&self) -> Option<String> {
        let from_frame = self.top_frame().and_then(|frame| {
            let place = frame.module.as_ref().or(frame.filename.as_ref());
            match (place, &frame.function) {
                (Some(place), Some(function)) => Some(format!("{place} in {function}")),
                (Some(place), None) => Some(place.clone()),
                (None, Some(function)) => Some(function.clone()),
                (None, None) => None,
            }
        });
        from_frame
            .or_else(|| self.transaction.clone())
            .map(|culprit| ellipsis(culprit, MAX_TITLE))
    }

    /// The value of tag `name`, when set.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// `text` cut to `max` bytes with a trailing `…` when it was longer.
fn ellipsis(mut text: String, max: usize) -> String {
    if text.len() > max {
        lenient::cut(&mut text, max - '…'.len_utf8());
        text.push('…');
    }
    text
}
