//! Alert rules, their state and their history, as the browser and the server both see them
//! (docs/alerts.md). The rules' checks that need no database live here too, so that the form
//! and the server agree on them.
use serde::{Deserialize, Serialize};

use super::logs::{LogSearch, Range};

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// The number of lines matching a search over a window, above or below a count.
    Threshold,
    /// Errors (error and fatal) as a share of all lines over a window, above a percentage.
    ErrorRate,
    /// An error event that starts a new issue.
    NewIssue,
    /// A resolved issue that a new event reopened.
    Regression,
}

impl RuleKind {
    pub const ALL: [RuleKind; 4] = [
        RuleKind::Threshold,
        RuleKind::ErrorRate,
        RuleKind::NewIssue,
        RuleKind::Regression,
    ];

    /// As stored and as sent by the form.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Threshold => "threshold",
            RuleKind::ErrorRate => "error_rate",
            RuleKind::NewIssue => "new_issue",
            RuleKind::Regression => "regression",
        }
    }

    pub fn parse(text: &str) -> Option<RuleKind> {
        RuleKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleKind::Threshold => "Lines matching a search",
            RuleKind::ErrorRate => "Error rate",
            RuleKind::NewIssue => "New issue",
            RuleKind::Regression => "Regression",
        }
    }

    /// Rules measured over a time window (evaluated by the background task), as opposed to
    /// rules on issues (evaluated as events arrive).
    pub fn has_window(self) -> bool {
        matches!(self, RuleKind::Threshold | RuleKind::ErrorRate)
    }
}

/// Which side of the threshold fires a threshold rule (error-rate rules fire above).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Above,
    Below,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Above => "above",
            Comparison::Below => "below",
        }
    }

    pub fn parse(text: &str) -> Option<Comparison> {
        match text {
            "above" => Some(Comparison::Above),
            "below" => Some(Comparison::Below),
            _ => None,
        }
    }

    /// Whether `value` is past `threshold` on this side (strictly).
    pub fn breached(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Above => value > threshold,
            Comparison::Below => value < threshold,
        }
    }
}

/// Where a rule stands: never fired (or not since it was saved), firing, or back to normal
/// after firing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleState {
    Ok,
    Firing,
    Resolved,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Ok => "ok",
            RuleState::Firing => "firing",
            RuleState::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<RuleState> {
        match text {
            "ok" => Some(RuleState::Ok),
            "firing" => Some(RuleState::Firing),
            "resolved" => Some(RuleState::Resolved),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleState::Ok => "OK",
            RuleState::Firing => "Firing",
            RuleState::Resolved => "Resolved",
        }
    }
}

/// Where a rule's notifications go. A webhook's secret signs its body (HMAC-SHA256).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    Webhook {
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        secret: Option<String>,
    },
    Slack {
        url: String,
    },
    Email {
        to: Vec<String>,
    },
}

impl Channel {
    /// What the UI shows: never the secret.
    pub fn view(&self) -> ChannelView {
        match self {
            Channel::Webhook { url, secret } => ChannelView {
                kind: "webhook".into(),
                target: url.clone(),
                signed: secret.is_some(),
            },
            Channel::Slack { url } => ChannelView {
                kind: "slack".into(),
                target: url.clone(),
                signed: false,
            },
            Channel::Email { to } => ChannelView {
                kind: "email".into(),
                target: to.join(", "),
                signed: false,
            },
        }
    }
}

/// A channel as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelView {
    /// `webhook`, `slack` or `email`.
    pub kind: String,
    /// The URL, or the addresses.
    pub target: String,
    /// A webhook whose bodies are signed.
    pub signed: bool,
}

impl ChannelView {
    pub fn label(&self) -> &'static str {
        match self.kind.as_str() {
            "webhook" => "Webhook",
            "slack" => "Slack",
            _ => "Email",
        }
    }
}

/// A rule as the rules list and its form show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub kind: RuleKind,
    /// The search a threshold rule counts (empty: every line).
    pub query: String,
    pub environment: Option<String>,
    pub window_minutes: u32,
    pub comparison: Comparison,
    /// A count (threshold) or a percentage (error rate).
    pub threshold: f64,
    pub cooldown_minutes: u32,
    pub enabled: bool,
    pub channels: Vec<ChannelView>,
    pub state: RuleState,
    /// Since when the rule is in its state (UTC µs).
    pub state_since_us: Option<i64>,
    /// The value measured last (window rules).
    pub last_value: Option<f64>,
    pub last_evaluated_us: Option<i64>,
    /// Deliveries of this rule that failed for good or are waiting for a retry.
    pub failing_deliveries: u32,
}

impl RuleView {
    /// One line saying what fires the rule: "more than 10 lines matching level:error in 5 min".
    pub fn condition(&self) -> String {
        describe(
            self.kind,
            &self.query,
            self.comparison,
            self.threshold,
            self.window_minutes,
        )
    }

    /// The measured value as the condition counts it ("12 lines", "4.2 %").
    pub fn value_label(&self, value: f64) -> String {
        value_label(self.kind, value)
    }

    /// The log view of what the rule watches, over its window ending now.
    pub fn search(&self) -> LogSearch {
        LogSearch {
            q: self.watched_query(),
            range: Range::default(),
            environment: self.environment.clone(),
        }
    }

    /// The search a window rule counts; error rates count errors.
    pub fn watched_query(&self) -> String {
        watched_query(self.kind, &self.query)
    }
}

/// The search whose lines a rule of `kind` counts (error rates: the errors).
pub fn watched_query(kind: RuleKind, query: &str) -> String {
    match kind {
        RuleKind::ErrorRate => "level:>=error".into(),
        _ => query.trim().to_string(),
    }
}

/// What fires a rule, in words.
pub fn describe(
    kind: RuleKind,
    query: &str,
    comparison: Comparison,
    threshold: f64,
    window_minutes: u32,
) -> String {
    let window = format!("{window_minutes} min");
    match kind {
        RuleKind::Threshold => {
            let side = match comparison {
                Comparison::Above => "More than",
                Comparison::Below => "Fewer than",
            };
            let lines = if threshold == 1.0 { "line" } else { "lines" };
            let matching = if query.trim().is_empty() {
                String::new()
            } else {
                format!(" matching {}", query.trim())
            };
            format!("{side} {} {lines}{matching} in {window}", number(threshold))
        }
        RuleKind::ErrorRate => format!(
            "Errors above {} % of all lines in {window}",
            number(threshold)
        ),
        RuleKind::NewIssue => "An error starts a new issue".into(),
        RuleKind::Regression => "A resolved issue gets a new event".into(),
    }
}

/// A measured value with its unit.
pub fn value_label(kind: RuleKind, value: f64) -> String {
    match kind {
        RuleKind::ErrorRate => format!("{} %", number(value)),
        RuleKind::Threshold => {
            format!(
                "{} line{}",
                number(value),
                if value == 1.0 { "" } else { "s" }
            )
        }
        RuleKind::NewIssue | RuleKind::Regression => number(value),
    }
}

/// A number without a needless fraction: `12`, `4.2`.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{:.1}", value)
    }
}

/// What a history entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Fired,
    Resolved,
    /// A "Send test" from the rule's page.
    Test,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Fired => "fired",
            EntryKind::Resolved => "resolved",
            EntryKind::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        match text {
            "fired" => Some(EntryKind::Fired),
            "resolved" => Some(EntryKind::Resolved),
            "test" => Some(EntryKind::Test),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Fired => "Fired",
            EntryKind::Resolved => "Resolved",
            EntryKind::Test => "Test",
        }
    }
}

/// Where one notification to one channel stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt or for a retry.
    Pending,
    Sent,
    /// Every attempt failed.
    Failed,
    /// Not sent: the rule had notified within its cooldown.
    Suppressed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        match text {
            "pending" => Some(DeliveryStatus::Pending),
            "sent" => Some(DeliveryStatus::Sent),
            "failed" => Some(DeliveryStatus::Failed),
            "suppressed" => Some(DeliveryStatus::Suppressed),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Sent => "Sent",
            DeliveryStatus::Failed => "Failed",
            DeliveryStatus::Suppressed => "Held by cooldown",
        }
    }
}

/// One notification to one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub channel: ChannelView,
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub delivered_us: Option<i64>,
    /// When a pending delivery is tried next.
    pub next_attempt_us: Option<i64>,
}

/// One entry of a rule's history: it fired, resolved, or a test was sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub rule_id: i64,
    pub rule_name: String,
    pub kind: EntryKind,
    pub at_us: i64,
    /// What was measured (window rules).
    pub value: Option<f64>,
    /// "12 lines matching level:error in 5 min (more than 10)", or the issue's title.
    pub summary: String,
    /// The lines (or the issue) that caused it.
    pub link: String,
    pub deliveries: Vec<DeliveryView>,
}

/// The app's alerts page: its rules and their latest history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertsOverview {
    pub rules: Vec<RuleView>,
    pub history: Vec<HistoryEntry>,
    /// Email channels can be used (the server has SMTP settings).
    pub email_enabled: bool,
}

/// One rule with its own history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleDetail {
    pub rule: RuleView,
    pub history: Vec<HistoryEntry>,
    pub email_enabled: bool,
}

/// What a "Send test" did on one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestOutcome {
    pub channel: ChannelView,
    pub ok: bool,
    /// "200 OK", or why it failed.
    pub message: String,
}

/// The rule form's fields as typed (the server checks them): a rule page posts them as
/// `rule[name]`, `rule[kind]`… `enabled` is present when the box is ticked; an empty
/// `webhook_secret` keeps the secret the rule has for the same webhook URL; `email_to` holds
/// addresses separated by commas, semicolons or spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleFields {
    pub name: String,
    pub kind: String,
    pub query: String,
    pub environment: String,
    pub window_minutes: String,
    pub comparison: String,
    pub threshold: String,
    pub cooldown_minutes: String,
    pub enabled: Option<String>,
    pub webhook_url: String,
    pub webhook_secret: String,
    pub slack_url: String,
    pub email_to: String,
}

/// The rules' limits, shared by the form and the server.
pub const MAX_NAME_LEN: usize = 100;
pub const MIN_WINDOW_MINUTES: u32 = 1;
pub const MAX_WINDOW_MINUTES: u32 = 60;
pub const MAX_COOLDOWN_MINUTES: u32 = 7 * 24 * 60;
pub const MAX_URL_LEN: usize = 2_000;
pub const MAX_EMAILS: usize = 10;
pub const MAX_SECRET_LEN: usize = 200;

/// The alerts page of app `app_id`.
pub fn alerts_href(app_id: i64) -> String {
    format!("/apps/{app_id}/alerts")
}

/// The form for a new rule, pre-filled with the log view's search.
pub fn new_rule_href(app_id: i64, search: &LogSearch) -> String {
    let mut params = Vec::new();
    if !search.q.trim().is_empty() {
        params.push(format!(
            "q={}",
            super::account::encode_query_value(search.q.trim())
        ));
    }
    if let Some(environment) = &search.environment {
        params.push(format!(
            "environment={}",
            super::account::encode_query_value(environment)
        ));
    }
    let base = format!("/apps/{app_id}/alerts/new");
    if params.is_empty() {
        base
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// A rule's page (its form, "Send test" and its history).
pub fn rule_href(app_id: i64, rule_id: i64) -> String {
    format!("/apps/{app_id}/alerts/{rule_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_read_as_sentences() {
        assert_eq!(
            describe(
                RuleKind::Threshold,
                " level:error ",
                Comparison::Above,
                10.0,
                5
            ),
            "More than 10 lines matching level:error in 5 min"
        );
        assert_eq!(
            describe(RuleKind::Threshold, "", Comparison::Below, 1.0, 60),
            "Fewer than 1 line in 60 min"
        );
        assert_eq!(
            describe(RuleKind::ErrorRate, "ignored", Comparison::Above, 2.5, 10),
            "Errors above 2.5 % of all lines in 10 min"
        );
        assert_eq!(value_label(RuleKind::Threshold, 1.0), "1 line");
        assert_eq!(value_label(RuleKind::ErrorRate, 12.345), "12.3 %");
    }

    #[test]
    fn comparisons_are_strict() {
        assert!(Comparison::Above.breached(11.0, 10.0));
        assert!(!Comparison::Above.breached(10.0, 10.0));
        assert!(Comparison::Below.breached(0.0, 1.0));
        assert!(!Comparison::Below.breached(1.0, 1.0));
    }

    #[test]
    fn names_round_trip() {
        for kind in RuleKind::ALL {
            assert_eq!(RuleKind::parse(kind.as_str()), Some(kind));
        }
        for state in [RuleState::Ok, RuleState::Firing, RuleState::Resolved] {
            assert_eq!(RuleState::parse(state.as_str()), Some(state));
        }
        assert_eq!(RuleKind::parse("Threshold"), None);
    }

    #[test]
    fn the_new_rule_form_carries_the_search() {
        let search = LogSearch {
            q: "level:error timeout".into(),
            range: Range::default(),
            environment: Some("prod".into()),
        };
        assert_eq!(
            new_rule_href(7, &search),
            "/apps/7/alerts/new?q=level%3Aerror%20timeout&environment=prod"
        );
        assert_eq!(
            new_rule_href(7, &LogSearch::default()),
            "/apps/7/alerts/new"
        );
    }

    #[test]
    fn a_channel_view_never_shows_the_secret() {
        let channel = Channel::Webhook {
            url: "https://example.com/hook".into(),
            secret: Some("s3cret".into()),
        };
        let view = channel.view();
        assert!(view.signed);
        assert!(!format!("{view:?}").contains("s3cret"));
        let json = serde_json::to_string(&channel).unwrap();
        assert_eq!(serde_json::from_str::<Channel>(&json).unwrap(), channel);
    }
}
