//! Which issue an error event belongs to: events with the same [`Grouping::hash`] are one
//! issue. The rules (docs/grouping.md is the user's version):
//!
//! 1. **Fingerprint.** When the SDK sent a `fingerprint`, its entries are the grouping, with
//!    `{{ default }}` standing for the default components of rules 2–3 and a few other
//!    variables (`{{ transaction }}`, `{{ type }}`, `{{ value }}`, `{{ function }}`,
//!    `{{ module }}`, `{{ message }}`, `{{ level }}`, `{{ tags.NAME }}`). A fingerprint of
//!    `{{ default }}` alone is the default grouping.
//! 2. **Exception.** The raised exception — the *last* of `exception.values`, since Sentry
//!    lists a chain cause first — gives its type (left out when its mechanism says it is
//!    synthetic), its value with the variable parts replaced by placeholders
//!    ([`normalise`]), and the function of the top frame: the innermost in-app frame of
//!    [`ErrorEvent::stacktrace`], else its innermost frame.
//! 3. **Message.** Otherwise the message template (`logentry.message`), else the message,
//!    normalised the same way.
//!
//! The hash is the first 128 bits of a SHA-256 over the components (each length-prefixed, so
//! that no two lists of components collide by concatenation), as 32 hex digits.
mod placeholders;

use sha2::{Digest, Sha256};

pub use placeholders::normalise;

use super::event::ErrorEvent;

/// An event's issue key and the labels an issue shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// 32 lowercase hex digits.
    pub hash: String,
    /// [`ErrorEvent::title`].
    pub title: String,
    /// [`ErrorEvent::culprit`], empty when unknown.
    pub culprit: String,
    pub source: GroupingSource,
    /// What was hashed, first the rule's name: for showing why events were grouped.
    pub components: Vec<String>,
}

/// Which rule decided the grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupingSource {
    Fingerprint,
    Exception,
    Message,
}

impl GroupingSource {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupingSource::Fingerprint => "fingerprint",
            GroupingSource::Exception => "exception",
            GroupingSource::Message => "message",
        }
    }
}

/// The grouping of `event`.
pub fn fingerprint(event: &ErrorEvent) -> Grouping {
    let (default_source, defaults) = default_components(event);
    let (source, components) = match custom_components(event, &defaults) {
        Some(components) => (GroupingSource::Fingerprint, components),
        None => (default_source, defaults),
    };
    Grouping {
        hash: hash(&components),
        title: event.title(),
        culprit: event.culprit().unwrap_or_default(),
        source,
        components,
    }
}

fn default_components(event: &ErrorEvent) -> (GroupingSource, Vec<String>) {
    if let Some(raised) = event.raised() {
        let synthetic = raised.mechanism.as_ref().is_some_and(|m| m.synthetic);
        let ty = if synthetic { None } else { raised.ty.clone() };
        let function = event.top_frame().and_then(|frame| frame.function.clone());
        let components = vec![
            "exception".to_string(),
            ty.unwrap_or_default(),
            raised.value.as_deref().map(normalise).unwrap_or_default(),
            function.unwrap_or_default(),
        ];
        return (GroupingSource::Exception, components);
    }
    let message = event
        .message_template
        .as_deref()
        .or(event.message.as_deref())
        .map(normalise)
        .unwrap_or_default();
    (
        GroupingSource::Message,
        vec!["message".to_string(), message],
    )
}

/// The components from the SDK's fingerprint; nothing when there is none or it only asks for
/// the default.
fn custom_components(event: &ErrorEvent, defaults: &[String]) -> Option<Vec<String>> {
    if event.fingerprint.iter().all(|entry| is_default(entry)) {
        return None;
    }
    let mut components = vec!["fingerprint".to_string()];
    for entry in &event.fingerprint {
        match variable(entry) {
            Some(name) if name.eq_ignore_ascii_case("default") => {
                components.extend(defaults.iter().cloned());
            }
            Some(name) => components.push(expand(event, name, entry)),
            None => components.push(entry.clone()),
        }
    }
    Some(components)
}

/// The name inside `{{ … }}`, white space around it allowed.
fn variable(entry: &str) -> Option<&str> {
    let inner = entry.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    Some(inner.trim())
}

fn is_default(entry: &str) -> bool {
    variable(entry).is_some_and(|name| name.eq_ignore_ascii_case("default"))
}

/// A fingerprint variable's value for `event`; an unknown variable is kept as written.
fn expand(event: &ErrorEvent, name: &str, entry: &str) -> String {
    let raised = event.raised();
    let frame = event.top_frame();
    let or_none =
        |value: Option<String>, what: &str| value.unwrap_or_else(|| format!("<no-{what}>"));
    if let Some(tag) = name.strip_prefix("tags.") {
        return or_none(event.tag(tag).map(str::to_string), &format!("tag-{tag}"));
    }
    match name.to_ascii_lowercase().as_str() {
        "transaction" => or_none(event.transaction.clone(), "transaction"),
        "type" | "error.type" => or_none(raised.and_then(|r| r.ty.clone()), "type"),
        "value" | "error.value" => or_none(
            raised.and_then(|r| r.value.as_deref()).map(normalise),
            "value",
        ),
        "function" => or_none(frame.and_then(|f| f.function.clone()), "function"),
        "module" => or_none(frame.and_then(|f| f.module.clone()), "module"),
        "message" => or_none(event.message.as_deref().map(normalise), "message"),
        "level" => event.level.name().to_string(),
        _ => entry.to_string(),
    }
}

fn hash(components: &[String]) -> String {
    let mut hasher = Sha256::new();
    for component in components {
        hasher.update((component.len() as u64).to_le_bytes());
        hasher.update(component.as_bytes());
    }
    hex::encode(&hasher.finalize()[..16])
}
