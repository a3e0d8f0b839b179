//! What the issue pages show: issues (error events grouped by docs/grouping.md), their
//! events with stack traces and breadcrumbs, and the issue list's filter language.
use serde::{Deserialize, Serialize};

use super::Level;

/// Where an issue stands. A resolved issue that gets a new event becomes unresolved again and
/// is marked as a regression; an ignored one stays ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueStatus {
    Unresolved,
    Resolved,
    Ignored,
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 3] = [
        IssueStatus::Unresolved,
        IssueStatus::Resolved,
        IssueStatus::Ignored,
    ];

    /// As stored and as written after `is:`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "unresolved",
            IssueStatus::Resolved => "resolved",
            IssueStatus::Ignored => "ignored",
        }
    }

    pub fn parse(text: &str) -> Option<IssueStatus> {
        IssueStatus::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(text))
    }
}

/// What the list's bulk actions and the issue page's buttons do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueAction {
    Resolve,
    Ignore,
    /// Back to unresolved (from resolved or ignored).
    Reopen,
    /// The issue and its events go; its log lines stay, unlinked.
    Delete,
}

impl IssueAction {
    pub fn parse(text: &str) -> Option<IssueAction> {
        match text {
            "resolve" => Some(IssueAction::Resolve),
            "ignore" => Some(IssueAction::Ignore),
            "reopen" => Some(IssueAction::Reopen),
            "delete" => Some(IssueAction::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IssueAction::Resolve => "resolve",
            IssueAction::Ignore => "ignore",
            IssueAction::Reopen => "reopen",
            IssueAction::Delete => "delete",
        }
    }
}

/// The issue list's filter: `is:unresolved|resolved|ignored|all`, `level:error`,
/// `environment:production` (or `env:`), `release:1.2.0`, and free words that must all appear
/// in the title or the culprit (case-insensitive). Quoted values may hold spaces.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IssueFilter {
    /// `None`: every status (`is:all`).
    pub status: Option<IssueStatus>,
    pub level: Option<Level>,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub words: Vec<String>,
}

/// The filter the list opens with.
pub const DEFAULT_ISSUE_QUERY: &str = "is:unresolved";

/// Why a filter was refused, with the character where the problem starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFilterError {
    pub message: String,
    pub position: usize,
}

impl IssueFilter {
    /// Reads `query`. A query without `is:` lists unresolved issues, as the list does by
    /// default; `is:all` lists every status.
    pub fn parse(query: &str) -> Result<IssueFilter, IssueFilterError> {
        let mut filter = IssueFilter {
            status: Some(IssueStatus::Unresolved),
            ..IssueFilter::default()
        };
        for (position, token) in tokens(query) {
            let fail = |message: String| IssueFilterError { message, position };
            let Some((key, value)) = token
                .split_once(':')
                .filter(|(key, value)| is_key(key) && !value.starts_with('/'))
            else {
                filter.words.push(token);
                continue;
            };
            if value.is_empty() {
                return Err(fail(format!("{key}: needs a value")));
            }
            match key.to_ascii_lowercase().as_str() {
                "is" if value.eq_ignore_ascii_case("all") => filter.status = None,
                "is" => {
                    filter.status = Some(IssueStatus::parse(value).ok_or_else(|| {
                        fail(format!(
                            "is:{value} is not a status: use is:unresolved, is:resolved, is:ignored or is:all"
                        ))
                    })?)
                }
                "level" => {
                    filter.level = Some(Level::parse(value).ok_or_else(|| {
                        fail(format!(
                            "level:{value} is not a level: use trace, debug, info, warn, error or fatal"
                        ))
                    })?)
                }
                "environment" | "env" => filter.environment = Some(value.to_string()),
                "release" => filter.release = Some(value.to_string()),
                _ => {
                    return Err(fail(format!(
                        "{key}: is not an issue filter: use is:, level:, environment:, release: or plain words"
                    )));
                }
            }
        }
        Ok(filter)
    }
}

fn is_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic())
}

/// Whitespace-separated tokens with their character positions; `"…"` keeps spaces (the quotes
/// are dropped, also after `key:`).
fn tokens(query: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut chars = query.chars().enumerate().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut token = String::new();
        let mut quoted = false;
        while let Some(&(_, c)) = chars.peek() {
            if c == '"' {
                quoted = !quoted;
            } else if c.is_whitespace() && !quoted {
                break;
            } else {
                token.push(c);
            }
            chars.next();
        }
        if !token.is_empty() {
            out.push((start, token));
        }
    }
    out
}

/// Hourly buckets in an issue's sparkline: the last 24 hours.
pub const SPARKLINE_HOURS: usize = 24;

/// An issue as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueSummary {
    pub id: i64,
    pub title: String,
    /// Where it happened (`module in function`), empty when unknown.
    pub culprit: String,
    /// The newest event's level.
    pub level: Level,
    pub status: IssueStatus,
    /// Reopened by a new event after it was resolved (cleared when resolved again).
    pub regressed: bool,
    pub events: i64,
    /// Distinct users (id, else email, username or IP address) among its events.
    pub users: i64,
    /// UTC µs.
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    /// Events per hour over the last 24 hours, oldest first ([`SPARKLINE_HOURS`] values).
    pub sparkline: Vec<i64>,
}

/// One page of the issue list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueList {
    pub issues: Vec<IssueSummary>,
    /// Another page follows (`page + 1`).
    pub has_more: bool,
    /// When the list was read, UTC µs (relative times are computed from it).
    pub as_of_us: i64,
}

/// Issues per page of the list.
pub const ISSUES_PER_PAGE: usize = 50;

/// Which of an issue's events the issue page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventChoice {
    Newest,
    Oldest,
    /// An event's row id (as in [`EventNav`]).
    Id(i64),
}

impl EventChoice {
    /// From the page's `event` query parameter: `newest` (or nothing), `oldest`, or an id.
    pub fn parse(text: Option<&str>) -> Option<EventChoice> {
        match text.map(str::trim) {
            None | Some("") | Some("newest") | Some("latest") => Some(EventChoice::Newest),
            Some("oldest") => Some(EventChoice::Oldest),
            Some(id) => id.parse().ok().map(EventChoice::Id),
        }
    }
}

/// The issue page: the issue, one of its events, the way to its neighbours, and its tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueView {
    pub issue: IssueSummary,
    /// Which rule grouped its events (`fingerprint`, `exception`, `message`) and what was hashed.
    pub grouping: Vec<String>,
    pub event: Option<EventView>,
    pub nav: EventNav,
    /// Tag keys with their most frequent values, over all of the issue's events.
    pub tags: Vec<TagCounts>,
    pub as_of_us: i64,
}

/// Row ids of the events around the one shown (newest first order: `previous` is older).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventNav {
    pub newest: Option<i64>,
    pub oldest: Option<i64>,
    /// The next older event.
    pub older: Option<i64>,
    /// The next newer event.
    pub newer: Option<i64>,
    /// The shown event's place, 1 = newest.
    pub position: i64,
}

/// One tag key: its values with their event counts, most frequent first (at most ten).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCounts {
    pub key: String,
    /// Events that carried the key.
    pub total: i64,
    /// Distinct values, counting those not listed.
    pub distinct: i64,
    pub values: Vec<(String, i64)>,
}

/// One event as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// The row id (for links and [`EventNav`]).
    pub id: i64,
    /// The SDK's event id, 32 hex digits.
    pub event_id: String,
    /// UTC µs.
    pub ts: i64,
    pub received_at: i64,
    pub level: Level,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// The line the event left in the log stream.
    pub log_id: Option<i64>,
    pub detail: EventDetail,
}

/// What an event carried, as the issue page shows it. JSON values (contexts, extra, request
/// data, breadcrumb data, frame variables) are kept as pretty-printed JSON text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub title: String,
    pub culprit: String,
    pub message: Option<String>,
    /// The exception chain, the cause first and the raised exception last (Sentry's order).
    pub exceptions: Vec<ExceptionView>,
    /// The crashed thread's frames when no exception carried a stack trace.
    pub thread_frames: Vec<FrameView>,
    /// Oldest first.
    pub breadcrumbs: Vec<BreadcrumbView>,
    pub tags: Vec<(String, String)>,
    pub user: Option<UserView>,
    pub request: Option<RequestView>,
    /// Context name → JSON text.
    pub contexts: Vec<(String, String)>,
    /// JSON text of `extra`, when there was any.
    pub extra: Option<String>,
    pub platform: Option<String>,
    pub logger: Option<String>,
    pub transaction: Option<String>,
    pub server_name: Option<String>,
    pub trace_id: Option<String>,
    /// `name/version`.
    pub sdk: Option<String>,
    pub fingerprint: Vec<String>,
    /// What was cut to keep the event within its limits, in words ("3 frames dropped").
    pub truncated: Vec<String>,
}

/// One exception of a chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionView {
    pub ty: Option<String>,
    pub value: Option<String>,
    pub module: Option<String>,
    /// `mechanism.type`, like `excepthook` or `onunhandledrejection`.
    pub mechanism: Option<String>,
    pub handled: Option<bool>,
    /// Oldest (outermost) first, the innermost frame last.
    pub frames: Vec<FrameView>,
    pub frames_omitted: usize,
}

/// One stack frame.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameView {
    pub filename: Option<String>,
    pub abs_path: Option<String>,
    pub module: Option<String>,
    pub function: Option<String>,
    pub lineno: Option<u32>,
    pub colno: Option<u32>,
    pub in_app: bool,
    pub context_line: Option<String>,
    pub pre_context: Vec<String>,
    pub post_context: Vec<String>,
    /// JSON text of the frame's local variables.
    pub vars: Option<String>,
}

impl FrameView {
    /// `file:line` or `module`, for the frame's heading.
    pub fn location(&self) -> String {
        let file = self
            .filename
            .as_deref()
            .or(self.abs_path.as_deref())
            .or(self.module.as_deref())
            .unwrap_or("<unknown>");
        match (self.lineno, self.colno) {
            (Some(line), Some(col)) => format!("{file}:{line}:{col}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file.to_string(),
        }
    }
}

/// One breadcrumb.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreadcrumbView {
    /// UTC µs, when known.
    pub ts: Option<i64>,
    pub ty: Option<String>,
    pub category: Option<String>,
    pub level: Option<Level>,
    pub message: Option<String>,
    /// JSON text.
    pub data: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: Option<String>,
    pub email: Option<String>,
    pub username: Option<String>,
    pub ip_address: Option<String>,
}

impl UserView {
    /// What identifies the user for "users affected": the id, else email, username, IP.
    pub fn key(&self) -> Option<&str> {
        [&self.id, &self.email, &self.username, &self.ip_address]
            .into_iter()
            .find_map(|value| value.as_deref().filter(|v| !v.is_empty()))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub url: Option<String>,
    pub method: Option<String>,
    pub headers: Vec<(String, String)>,
    pub query_string: Option<String>,
    /// JSON text of the body, when the SDK sent one.
    pub data: Option<String>,
}

// What the issue pages need to show and link: labels, links, the sparkline and tag shares.

impl IssueStatus {
    /// For badges and buttons.
    pub fn label(self) -> &'static str {
        match self {
            IssueStatus::Unresolved => "Unresolved",
            IssueStatus::Resolved => "Resolved",
            IssueStatus::Ignored => "Ignored",
        }
    }
}

impl IssueAction {
    pub fn label(self) -> &'static str {
        match self {
            IssueAction::Resolve => "Resolve",
            IssueAction::Ignore => "Ignore",
            IssueAction::Reopen => "Reopen",
            IssueAction::Delete => "Delete",
        }
    }

    /// Whether the action changes an issue that stands at `status` (the issue page offers
    /// only those).
    pub fn applies_to(self, status: IssueStatus) -> bool {
        match self {
            IssueAction::Resolve => status != IssueStatus::Resolved,
            IssueAction::Ignore => status != IssueStatus::Ignored,
            IssueAction::Reopen => status != IssueStatus::Unresolved,
            IssueAction::Delete => true,
        }
    }
}

/// The terms of `query` as typed (quotes kept), split on whitespace outside quotes.
fn raw_terms(query: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in query.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        match (start, c.is_whitespace() && !quoted) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                out.push(&query[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&query[s..]);
    }
    out
}

/// `query` with its `is:` terms replaced by one for `status` (`None`: `is:all`), first; the
/// other terms stay as typed. For the list's status toggles.
pub fn with_status(query: &str, status: Option<IssueStatus>) -> String {
    let is = format!("is:{}", status.map_or("all", IssueStatus::as_str));
    let rest = raw_terms(query).into_iter().filter(|term| {
        !term
            .split_once(':')
            .is_some_and(|(key, _)| key.eq_ignore_ascii_case("is"))
    });
    std::iter::once(is.as_str())
        .chain(rest)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The list's address for `query` and `page` (0-based); the default query and the first page
/// are left out, so the plain `/apps/{id}/issues` is the default view.
pub fn issue_list_href(app_id: i64, query: &str, page: u32) -> String {
    let query = query.trim();
    let mut params = Vec::new();
    if !query.is_empty() && query != DEFAULT_ISSUE_QUERY {
        params.push(format!(
            "query={}",
            super::account::encode_query_value(query)
        ));
    }
    if page > 0 {
        params.push(format!("page={page}"));
    }
    let base = format!("/apps/{app_id}/issues");
    if params.is_empty() {
        base
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// An issue's page showing the event with row id `event` (`None`: the newest).
pub fn issue_href(app_id: i64, issue_id: i64, event: Option<i64>) -> String {
    match event {
        Some(event) => format!("/apps/{app_id}/issues/{issue_id}?event={event}"),
        None => format!("/apps/{app_id}/issues/{issue_id}"),
    }
}

/// Three lines that send an app's errors (and logs) with the official Python SDK.
pub fn sentry_snippet(dsn: &str) -> String {
    format!(
        "import sentry_sdk\n\
         sentry_sdk.init(dsn=\"{dsn}\", enable_logs=True)\n\
         1 / 0  # an uncaught exception: it shows up here as an issue"
    )
}

impl IssueSummary {
    /// Events over the sparkline's 24 hours.
    pub fn events_24h(&self) -> i64 {
        self.sparkline.iter().sum()
    }
}

/// Bar heights for a sparkline `height` tall: scaled to the busiest hour, an hour with any
/// event at least one unit tall so that it shows; an empty hour is 0.
pub fn sparkline_heights(counts: &[i64], height: f64) -> Vec<f64> {
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    counts
        .iter()
        .map(|&n| {
            if n <= 0 {
                0.0
            } else {
                (n as f64 / max * height).max(1.0)
            }
        })
        .collect()
}

impl TagCounts {
    /// `count`'s share of the events that carried the key, in whole percent.
    pub fn percent(&self, count: i64) -> u32 {
        if self.total <= 0 {
            return 0;
        }
        ((count.max(0) * 100 + self.total / 2) / self.total).min(100) as u32
    }
}

impl ExceptionView {
    /// `TypeError: message`, or whichever of the two is known.
    pub fn heading(&self) -> String {
        match (self.ty.as_deref(), self.value.as_deref()) {
            (Some(ty), Some(value)) if !value.is_empty() => format!("{ty}: {value}"),
            (Some(ty), _) => ty.to_string(),
            (None, Some(value)) => value.to_string(),
            (None, None) => "Exception".into(),
        }
    }
}

/// One source line around a frame: its number (when the frame's line is known), its text,
/// and whether it is the frame's own line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    pub number: Option<u32>,
    pub text: String,
    pub current: bool,
}

impl FrameView {
    /// `pre_context`, `context_line`, `post_context` with their line numbers.
    pub fn source(&self) -> Vec<SourceLine> {
        let Some(context) = &self.context_line else {
            return Vec::new();
        };
        let first = self
            .lineno
            .map(|line| i64::from(line) - self.pre_context.len() as i64);
        let lines = self
            .pre_context
            .iter()
            .chain(std::iter::once(context))
            .chain(&self.post_context);
        lines
            .enumerate()
            .map(|(i, text)| SourceLine {
                number: first
                    .map(|first| first + i as i64)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0),
                text: text.clone(),
                current: i == self.pre_context.len(),
            })
            .collect()
    }

    /// The function's name, for the frame's heading ([`FrameView::location`] says where).
    pub fn function_name(&self) -> &str {
        self.function
            .as_deref()
            .filter(|f| !f.is_empty())
            .unwrap_or("<anonymous>")
    }
}

/// One hashed part of a grouping: its name, when the rule gives one, and its value.
pub type GroupingPart<'a> = (Option<&'static str>, &'a str);

/// [`IssueView::grouping`] as the page explains it: the rule, then each hashed part with its
/// name where the rule gives one (the parts repeat the rule's name first; it is left out).
pub fn grouping_parts(grouping: &[String]) -> Option<(&str, Vec<GroupingPart<'_>>)> {
    let (rule, rest) = grouping.split_first()?;
    let parts = match rest.split_first() {
        Some((first, after)) if first == rule => after,
        _ => rest,
    };
    let names: &[&'static str] = match rule.as_str() {
        "exception" => &["type", "value", "function"],
        "message" => &["message"],
        _ => &[],
    };
    let parts = parts
        .iter()
        .enumerate()
        .map(|(i, part)| (names.get(i).copied(), part.as_str()))
        .collect();
    Some((rule.as_str(), parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_parts_name_what_was_hashed() {
        let grouping: Vec<String> = ["exception", "exception", "ValueError", "bad <int>", "parse"]
            .map(String::from)
            .into();
        let (rule, parts) = grouping_parts(&grouping).unwrap();
        assert_eq!(rule, "exception");
        assert_eq!(
            parts,
            [
                (Some("type"), "ValueError"),
                (Some("value"), "bad <int>"),
                (Some("function"), "parse")
            ]
        );
        let custom: Vec<String> = ["fingerprint", "fingerprint", "db-down"]
            .map(String::from)
            .into();
        assert_eq!(grouping_parts(&custom).unwrap().1, [(None, "db-down")]);
        assert!(grouping_parts(&[]).is_none());
    }

    #[test]
    fn actions_apply_to_the_statuses_they_change() {
        use IssueAction::*;
        use IssueStatus::*;
        assert!(Resolve.applies_to(Unresolved) && Resolve.applies_to(Ignored));
        assert!(!Resolve.applies_to(Resolved));
        assert!(!Ignore.applies_to(Ignored));
        assert!(!Reopen.applies_to(Unresolved) && Reopen.applies_to(Resolved));
        assert!(IssueStatus::ALL.into_iter().all(|s| Delete.applies_to(s)));
        for action in [Resolve, Ignore, Reopen, Delete] {
            assert_eq!(IssueAction::parse(action.as_str()), Some(action));
        }
    }

    #[test]
    fn status_toggles_replace_only_the_is_terms() {
        assert_eq!(with_status("", Some(IssueStatus::Resolved)), "is:resolved");
        assert_eq!(
            with_status(
                r#"is:unresolved level:error release:"1.2 beta" IS:ignored db"#,
                None
            ),
            r#"is:all level:error release:"1.2 beta" db"#
        );
        assert_eq!(
            with_status("  timeout   env:prod ", Some(IssueStatus::Ignored)),
            "is:ignored timeout env:prod"
        );
        let toggled = with_status(r#""a b" is:all"#, Some(IssueStatus::Unresolved));
        let filter = IssueFilter::parse(&toggled).unwrap();
        assert_eq!(filter.status, Some(IssueStatus::Unresolved));
        assert_eq!(filter.words, ["a b"]);
    }

    #[test]
    fn list_links_leave_out_the_defaults() {
        assert_eq!(issue_list_href(3, DEFAULT_ISSUE_QUERY, 0), "/apps/3/issues");
        assert_eq!(issue_list_href(3, "  ", 0), "/apps/3/issues");
        assert_eq!(
            issue_list_href(3, "is:all db error", 2),
            "/apps/3/issues?query=is%3Aall%20db%20error&page=2"
        );
        assert_eq!(
            issue_list_href(3, "is:unresolved", 1),
            "/apps/3/issues?page=1"
        );
        assert_eq!(issue_href(3, 9, None), "/apps/3/issues/9");
        assert_eq!(issue_href(3, 9, Some(41)), "/apps/3/issues/9?event=41");
    }

    #[test]
    fn the_snippet_is_three_lines_with_the_dsn() {
        let snippet = sentry_snippet("http://pk@127.0.0.1:3000/1");
        assert_eq!(snippet.lines().count(), 3);
        assert!(
            snippet
                .contains(r#"sentry_sdk.init(dsn="http://pk@127.0.0.1:3000/1", enable_logs=True)"#)
        );
    }

    #[test]
    fn sparkline_bars_scale_to_the_busiest_hour() {
        assert_eq!(sparkline_heights(&[0, 5, 10], 20.0), [0.0, 10.0, 20.0]);
        assert_eq!(
            sparkline_heights(&[1, 1000], 20.0),
            [1.0, 20.0],
            "a lone event still shows"
        );
        assert_eq!(sparkline_heights(&[0, 0], 20.0), [0.0, 0.0]);
        assert!(sparkline_heights(&[], 20.0).is_empty());
    }

    #[test]
    fn tag_shares_round_and_survive_no_events() {
        let tags = TagCounts {
            key: "browser".into(),
            total: 3,
            distinct: 2,
            values: vec![("Firefox".into(), 2), ("Chrome".into(), 1)],
        };
        assert_eq!(tags.percent(2), 67);
        assert_eq!(tags.percent(1), 33);
        assert_eq!(tags.percent(3), 100);
        assert_eq!(TagCounts { total: 0, ..tags }.percent(1), 0);
    }

    #[test]
    fn exception_headings_use_what_is_known() {
        let both = ExceptionView {
            ty: Some("ValueError".into()),
            value: Some("bad input".into()),
            ..ExceptionView::default()
        };
        assert_eq!(both.heading(), "ValueError: bad input");
        let ty = ExceptionView {
            value: None,
            ..both.clone()
        };
        assert_eq!(ty.heading(), "ValueError");
        assert_eq!(ExceptionView::default().heading(), "Exception");
    }

    #[test]
    fn source_lines_are_numbered_around_the_frame_line() {
        let frame = FrameView {
            lineno: Some(10),
            pre_context: vec!["a".into(), "b".into()],
            context_line: Some("c".into()),
            post_context: vec!["d".into()],
            ..FrameView::default()
        };
        let lines = frame.source();
        let numbers: Vec<_> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [Some(8), Some(9), Some(10), Some(11)]);
        assert_eq!(lines.iter().position(|l| l.current), Some(2));
        assert_eq!(lines[2].text, "c");
        let unnumbered = FrameView {
            lineno: None,
            ..frame.clone()
        };
        assert!(unnumbered.source().iter().all(|l| l.number.is_none()));
        let no_context = FrameView {
            context_line: None,
            ..frame
        };
        assert!(no_context.source().is_empty());
    }

    #[test]
    fn filters_read_status_level_environment_release_and_words() {
        let filter =
            IssueFilter::parse(r#"is:resolved level:error env:prod release:"1.2 beta" Timeout db"#)
                .unwrap();
        assert_eq!(filter.status, Some(IssueStatus::Resolved));
        assert_eq!(filter.level, Some(Level::Error));
        assert_eq!(filter.environment.as_deref(), Some("prod"));
        assert_eq!(filter.release.as_deref(), Some("1.2 beta"));
        assert_eq!(filter.words, ["Timeout", "db"]);
    }

    #[test]
    fn no_status_means_unresolved_and_all_means_any() {
        assert_eq!(
            IssueFilter::parse("").unwrap().status,
            Some(IssueStatus::Unresolved)
        );
        assert_eq!(IssueFilter::parse("is:all").unwrap().status, None);
    }

    #[test]
    fn bad_filters_name_the_position() {
        let error = IssueFilter::parse("db is:done").unwrap_err();
        assert_eq!(error.position, 3);
        assert!(error.message.contains("is:done"), "{}", error.message);
        assert!(IssueFilter::parse("level:loud").is_err());
        assert!(IssueFilter::parse("colour:red").is_err());
        assert!(IssueFilter::parse("release:").is_err());
    }

    #[test]
    fn words_with_colons_that_are_not_keys_stay_words() {
        let filter = IssueFilter::parse("http://x 12:30").unwrap();
        assert_eq!(filter.words, ["http://x", "12:30"]);
    }

    #[test]
    fn event_choice_reads_the_query_parameter() {
        assert_eq!(EventChoice::parse(None), Some(EventChoice::Newest));
        assert_eq!(
            EventChoice::parse(Some("oldest")),
            Some(EventChoice::Oldest)
        );
        assert_eq!(EventChoice::parse(Some("42")), Some(EventChoice::Id(42)));
        assert_eq!(EventChoice::parse(Some("x")), None);
    }

    #[test]
    fn the_user_key_prefers_the_id() {
        let user = UserView {
            email: Some("a@b.c".into()),
            ip_address: Some("1.2.3.4".into()),
            ..UserView::default()
        };
        assert_eq!(user.key(), Some("a@b.c"));
    }
}
