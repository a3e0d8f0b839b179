//! The exception, stack trace and thread interfaces of an event.
//!
//! Order is as Sentry sends it and is kept: exceptions oldest first (the cause first, the
//! exception that was raised last), frames oldest first (the outermost caller first, the
//! innermost frame, where the error happened, last).
use serde_json::Value;

use super::Truncation;
use super::lenient::{self, take_text};

/// Exceptions kept per event: the newest ones.
pub const MAX_EXCEPTIONS: usize = 25;
/// Frames kept per stack trace: the innermost ones.
pub const MAX_FRAMES: usize = 250;
/// Source lines kept before and after the context line.
const MAX_CONTEXT_LINES: usize = 10;
const MAX_TYPE: usize = 256;
const MAX_VALUE: usize = 8 << 10;
const MAX_NAME: usize = 512;
const MAX_PATH: usize = 1024;
const MAX_LINE: usize = 512;
const MAX_VARS: usize = 4 << 10;

/// One exception of a chain.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exception {
    /// The exception's `type`, like `ValueError`.
    pub ty: Option<String>,
    /// Its message, like `invalid literal for int() with base 10: 'three'`.
    pub value: Option<String>,
    pub module: Option<String>,
    pub mechanism: Option<Mechanism>,
    pub stacktrace: Option<Stacktrace>,
}

/// How the exception was captured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mechanism {
    /// Like `generic` (captured by hand) or `excepthook`.
    pub ty: Option<String>,
    /// False for a crash nobody caught.
    pub handled: Option<bool>,
    /// The exception type carries no meaning (a signal handler's `Error`), so grouping
    /// ignores it.
    pub synthetic: bool,
}

/// Frames oldest first: `frames.last()` is where the error happened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stacktrace {
    pub frames: Vec<Frame>,
    /// Outermost frames dropped to keep [`MAX_FRAMES`].
    pub frames_omitted: usize,
}

/// One stack frame. Strings are cut to sensible lengths; `vars` over 4 KiB as JSON are
/// dropped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Frame {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub module: Option<String>,
    pub function: Option<String>,
    pub lineno: Option<u32>,
    pub colno: Option<u32>,
    /// Whether the frame is the application's own code (not a library's).
    pub in_app: Option<bool>,
    pub context_line: Option<String>,
    pub pre_context: Vec<String>,
    pub post_context: Vec<String>,
    pub vars: Option<Value>,
    /// Native frames: the address, like `0x7fff5bf3456c`.
    pub instruction_addr: Option<String>,
}

impl Stacktrace {
    /// The innermost frame that is the application's own code, else the innermost frame.
    pub fn top_frame(&self) -> Option<&Frame> {
        self.frames
            .iter()
            .rev()
            .find(|frame| frame.in_app == Some(true))
            .or_else(|| self.frames.last())
    }
}

/// `exception` as `{"values": [...]}`, as a bare list (legacy and sentry-go), or as a single
/// exception object (very old clients). Exceptions with neither type nor value nor frames are
/// dropped, as Sentry does.
pub(super) fn exceptions(value: Value, truncation: &mut Truncation) -> Vec<Exception> {
    let list = match value {
        Value::Object(mut map) => match map.remove("values") {
            Some(Value::Array(values)) => values,
            Some(_) => Vec::new(),
            None if map.contains_key("type") || map.contains_key("value") => {
                vec![Value::Object(map)]
            }
            None => Vec::new(),
        },
        Value::Array(values) => values,
        _ => Vec::new(),
    };
    let mut chain: Vec<Exception> = list
        .into_iter()
        .filter_map(|value| exception(value, truncation))
        .collect();
    if chain.len() > MAX_EXCEPTIONS {
        let dropped = chain.len() - MAX_EXCEPTIONS;
        chain.drain(..dropped);
        truncation.exceptions += dropped;
    }
    chain
}

fn exception(value: Value, truncation: &mut Truncation) -> Option<Exception> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    let exception = Exception {
        ty: take_text(&mut fields, "type", MAX_TYPE, cuts),
        value: take_text(&mut fields, "value", MAX_VALUE, cuts),
        module: take_text(&mut fields, "module", MAX_NAME, cuts),
        mechanism: fields.remove("mechanism").and_then(mechanism),
        stacktrace: fields
            .remove("stacktrace")
            .and_then(|value| stacktrace(value, truncation)),
    };
    let empty =
        exception.ty.is_none() && exception.value.is_none() && exception.stacktrace.is_none();
    (!empty).then_some(exception)
}

fn mechanism(value: Value) -> Option<Mechanism> {
    let mut fields = lenient::object(value)?;
    Some(Mechanism {
        ty: fields.remove("type").and_then(lenient::text),
        handled: fields.get("handled").and_then(lenient::boolean),
        synthetic: fields
            .get("synthetic")
            .and_then(lenient::boolean)
            .unwrap_or(false),
    })
}

/// A stack trace with at least one frame; nothing otherwise.
pub(super) fn stacktrace(value: Value, truncation: &mut Truncation) -> Option<Stacktrace> {
    let mut fields = lenient::object(value)?;
    let Some(Value::Array(mut raw)) = fields.remove("frames") else {
        return None;
    };
    let mut frames_omitted = 0;
    if raw.len() > MAX_FRAMES {
        frames_omitted = raw.len() - MAX_FRAMES;
        raw.drain(..frames_omitted);
        truncation.frames += frames_omitted;
    }
    let frames: Vec<Frame> = raw
        .into_iter()
        .filter_map(|value| frame(value, truncation))
        .collect();
    (!frames.is_empty()).then_some(Stacktrace {
        frames,
        frames_omitted,
    })
}

fn frame(value: Value, truncation: &mut Truncation) -> Option<Frame> {
    let mut fields = lenient::object(value)?;
    let cuts = &mut truncation.strings;
    let line_number = |value: Option<&Value>| {
        value
            .and_then(lenient::integer)
            .and_then(|n| u32::try_from(n).ok())
    };
    let context = |value: Option<Value>, cuts: &mut usize| {
        value.map_or_else(Vec::new, |value| {
            lenient::string_list(value, MAX_CONTEXT_LINES, MAX_LINE, cuts)
        })
    };
    let frame = Frame {
        filename: take_text(&mut fields, "filename", MAX_PATH, cuts),
        abs_path: take_text(&mut fields, "abs_path", MAX_PATH, cuts),
        module: take_text(&mut fields, "module", MAX_NAME, cuts),
        function: take_text(&mut fields, "function", MAX_NAME, cuts),
        lineno: line_number(fields.get("lineno")),
        colno: line_number(fields.get("colno")),
        in_app: fields.get("in_app").and_then(lenient::boolean),
        context_line: take_text(&mut fields, "context_line", MAX_LINE, cuts),
        pre_context: context(fields.remove("pre_context"), cuts),
        post_context: context(fields.remove("post_context"), cuts),
        instruction_addr: take_text(&mut fields, "instruction_addr", MAX_TYPE, cuts),
        vars: fields
            .remove("vars")
            .and_then(|vars| lenient::bounded_json(vars, MAX_VARS, &mut truncation.values)),
    };
    let empty = frame.filename.is_none()
        && frame.abs_path.is_none()
        && frame.module.is_none()
        && frame.function.is_none()
        && frame.instruction_addr.is_none();
    (!empty).then_some(frame)
}

/// The stack trace of the thread that crashed, else of the current thread, else of the first
/// thread that has one (`threads` as `{"values": [...]}` or a bare list).
pub(super) fn thread_stacktrace(value: Value, truncation: &mut Truncation) -> Option<Stacktrace> {
    let threads = match value {
        Value::Object(mut map) => match map.remove("values") {
            Some(Value::Array(values)) => values,
            _ => return None,
        },
        Value::Array(values) => values,
        _ => return None,
    };
    let flag =
        |thread: &Value, name: &str| thread.get(name).and_then(lenient::boolean).unwrap_or(false);
    let has_frames = |thread: &Value| {
        thread
            .get("stacktrace")
            .and_then(|s| s.get("frames"))
            .and_then(Value::as_array)
            .is_some_and(|frames| !frames.is_empty())
    };
    let chosen = threads
        .iter()
        .position(|t| flag(t, "crashed") && has_frames(t))
        .or_else(|| {
            threads
                .iter()
                .position(|t| flag(t, "current") && has_frames(t))
        })
        .or_else(|| threads.iter().position(has_frames))?;
    let mut thread = threads.into_iter().nth(chosen)?;
    stacktrace(thread.get_mut("stacktrace")?.take(), truncation)
}
