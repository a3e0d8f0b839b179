//! What a notification says, whatever the channel: kept with the history entry (JSON), so
//! that a delivery retried an hour later sends what was true when the rule fired.
use serde::{Deserialize, Serialize};

use crate::model::{
    alerts::{EntryKind, RuleKind},
    logs::LogRow,
    query::format_rfc3339,
};

/// Characters of a sample line's message kept in a notification.
const SAMPLE_MESSAGE_CHARS: usize = 500;

/// The webhook's JSON body as it is; the other channels render it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// `fired`, `resolved` or `test`.
    pub event: EntryKind,
    pub rule: RuleRef,
    pub app: AppRef,
    /// One line: what happened.
    pub summary: String,
    /// What was measured (window rules), with its unit in `value_label`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<IssueRef>,
    /// Up to five of the lines that caused it, newest first.
    pub samples: Vec<SampleLine>,
    /// The matching search (or the issue) in Lodestar.
    pub link: String,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleRef {
    pub id: i64,
    pub name: String,
    pub kind: RuleKind,
    /// "More than 10 lines matching level:error in 5 min".
    pub condition: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRef {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: String,
    pub end: String,
    pub minutes: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRef {
    pub id: i64,
    pub title: String,
    pub culprit: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleLine {
    pub timestamp: String,
    pub level: String,
    pub service: String,
    pub message: String,
}

impl SampleLine {
    pub fn from_row(row: &LogRow) -> SampleLine {
        let message = match row.message.char_indices().nth(SAMPLE_MESSAGE_CHARS) {
            Some((cut, _)) => format!("{}…", &row.message[..cut]),
            None => row.message.clone(),
        };
        SampleLine {
            timestamp: format_rfc3339(row.ts),
            level: row.level.name().to_string(),
            service: row.service.clone(),
            message,
        }
    }
}

impl Notification {
    /// "[Lodestar] Firing: Too many errors (shop)".
    pub fn subject(&self) -> String {
        let what = match self.event {
            EntryKind::Fired => "Firing",
            EntryKind::Resolved => "Resolved",
            EntryKind::Test => "Test",
        };
        format!("[Lodestar] {what}: {} ({})", self.rule.name, self.app.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Level;

    #[test]
    fn long_sample_messages_are_cut_on_a_character() {
        let row = LogRow {
            id: 1,
            ts: 0,
            level: Level::Error,
            service: "api".into(),
            environment: None,
            release: None,
            message: "é".repeat(600),
            attributes: "{}".into(),
            trace_id: None,
            issue_id: None,
        };
        let sample = SampleLine::from_row(&row);
        assert_eq!(sample.message.chars().count(), SAMPLE_MESSAGE_CHARS + 1);
        assert_eq!(sample.level, "error");
        assert_eq!(sample.timestamp, "1970-01-01T00:00:00Z");
    }
}
