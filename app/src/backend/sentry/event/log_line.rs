//! The line an error event leaves in the log stream, so that errors show up (and are found)
//! among the app's logs. The event itself, with its stack traces, is stored apart.
use serde_json::{Map, Value};

use super::ErrorEvent;
use super::lenient;
use crate::backend::ingest::IngestLimits;
use crate::backend::ingest::batch::{
    MAX_ENVIRONMENT, MAX_RELEASE, MAX_SERVICE, MAX_TRACE_ID, NewLine, ORIGINAL_LEVEL,
    attributes_text, without_nul,
};

/// Attribute: the event's id (32 hex digits), linking the line to the event.
pub const EVENT_ID: &str = "event_id";
/// Attribute: the raised exception's type.
pub const EXCEPTION_TYPE: &str = "exception_type";
/// Attribute: [`ErrorEvent::culprit`].
pub const CULPRIT: &str = "culprit";
/// Attribute: whether the raised exception was handled (`mechanism.handled`).
pub const HANDLED: &str = "handled";
/// Attribute: `user.id`.
pub const USER_ID: &str = "user_id";
/// Attribute: the SDK as `name/version`.
pub const SDK: &str = "sdk";

impl ErrorEvent {
    /// The service the event belongs to: tag `service`, else `server_name`, else `logger`,
    /// else `default` (the same order [`super::super::parse_log_item`] follows for logs, so
    /// that a process's errors and logs land under one service).
    pub fn service(&self) -> &str {
        self.tag("service")
            .or(self.server_name.as_deref())
            .or(self.logger.as_deref())
            .filter(|service| !service.is_empty())
            .unwrap_or("default")
    }

    /// The log line for this event: its level, [`Self::title`] as the message, the service,
    /// environment, release and trace id as columns (cut to the column sizes), and as
    /// attributes the event's tags plus `event_id`, `exception_type`, `culprit`,
    /// `transaction`, `user_id`, `handled`, `platform`, `logger` and `sdk` (these win over a
    /// tag of the same name). Tags are left out when the attributes would pass
    /// `limits.max_attributes`. `event_id` is the payload's; the caller that generated or
    /// took another id sets it first.
    pub fn to_new_line(&self, limits: &IngestLimits) -> NewLine {
        let mut core = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                core.insert(key.to_string(), value);
            }
        };
        let text = |value: &Option<String>| value.clone().map(Value::String);
        let raised = self.raised();
        put(EVENT_ID, text(&self.event_id));
        put(EXCEPTION_TYPE, raised.and_then(|r| text(&r.ty)));
        put(CULPRIT, self.culprit().map(Value::String));
        put("transaction", text(&self.transaction));
        put(USER_ID, self.user.as_ref().and_then(|u| text(&u.id)));
        put(
            HANDLED,
            raised
                .and_then(|r| r.mechanism.as_ref())
                .and_then(|m| m.handled)
                .map(Value::Bool),
        );
        put("platform", text(&self.platform));
        put("logger", text(&self.logger));
        put(
            SDK,
            self.sdk
                .as_ref()
                .and_then(|sdk| match (&sdk.name, &sdk.version) {
                    (Some(name), Some(version)) => Some(Value::String(format!("{name}/{version}"))),
                    (Some(name), None) => Some(Value::String(name.clone())),
                    _ => None,
                }),
        );
        put(ORIGINAL_LEVEL, text(&self.original_level));

        let mut with_tags: Map<String, Value> = self
            .tags
            .iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect();
        with_tags.extend(core.clone());
        let mut attributes = attributes_text(with_tags);
        if attributes.len() > limits.max_attributes {
            attributes = attributes_text(core);
        }

        let mut message = self.title();
        lenient::cut(&mut message, limits.max_message);
        let column = |value: Option<&str>, max: usize| {
            value
                .filter(|v| !v.is_empty())
                .map(|v| without_nul(v.chars().take(max).collect()))
        };
        NewLine {
            ts: self.timestamp,
            received_at: self.received_at,
            level: self.level,
            service: column(Some(self.service()), MAX_SERVICE)
                .unwrap_or_else(|| "default".to_string()),
            environment: column(self.environment.as_deref(), MAX_ENVIRONMENT),
            release: column(self.release.as_deref(), MAX_RELEASE),
            message: without_nul(message),
            attributes,
            trace_id: column(self.trace_id.as_deref(), MAX_TRACE_ID),
            issue_id: None,
        }
    }
}
