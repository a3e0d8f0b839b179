//! What the app's log view exchanges with the server: the view's state (query, range,
//! environment, as the URL holds it), lines, pages, the histogram and health.
use serde::{Deserialize, Serialize};

use super::Level;

/// A relative time range, as `statsPeriod` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    M15,
    H1,
    H24,
    D7,
    D14,
    D30,
    D90,
}

impl Period {
    pub const ALL: [Period; 7] = [
        Period::M15,
        Period::H1,
        Period::H24,
        Period::D7,
        Period::D14,
        Period::D30,
        Period::D90,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Period::M15 => "15m",
            Period::H1 => "1h",
            Period::H24 => "24h",
            Period::D7 => "7d",
            Period::D14 => "14d",
            Period::D30 => "30d",
            Period::D90 => "90d",
        }
    }

    pub fn parse(text: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.as_str() == text)
    }

    pub fn micros(self) -> i64 {
        const MIN: i64 = 60_000_000;
        match self {
            Period::M15 => 15 * MIN,
            Period::H1 => 60 * MIN,
            Period::H24 => 24 * 60 * MIN,
            Period::D7 => 7 * 24 * 60 * MIN,
            Period::D14 => 14 * 24 * 60 * MIN,
            Period::D30 => 30 * 24 * 60 * MIN,
            Period::D90 => 90 * 24 * 60 * MIN,
        }
    }
}

/// The time range of a view: a period ending now, or fixed instants (UTC µs, end exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Range {
    Last(Period),
    Between { start_us: i64, end_us: i64 },
}

impl Default for Range {
    fn default() -> Self {
        Range::Last(Period::H24)
    }
}

impl Range {
    /// The instants `[start, end)` at `now_us`.
    pub fn bounds(self, now_us: i64) -> (i64, i64) {
        match self {
            Range::Last(period) => (now_us - period.micros(), now_us),
            Range::Between { start_us, end_us } => (start_us, end_us),
        }
    }
}

/// Everything that selects lines in the log view; the URL holds it (`q`, `statsPeriod` or
/// `start`/`end`, `environment`), so a view can be shared and the back button works.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LogSearch {
    /// The query as typed; the server parses it again.
    pub q: String,
    pub range: Range,
    pub environment: Option<String>,
}

/// Where a page of lines ends: the last line's (ts, id). The next page holds older lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    pub ts: i64,
    pub id: i64,
}

impl LogSearch {
    /// Reads the view's state from URL parameters; what is missing or unreadable takes its
    /// default (the last 24 hours, every environment, no query).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> LogSearch {
        let time = |name: &str| get(name).and_then(|t| super::query::parse_rfc3339(&t));
        let range = match (time("start"), time("end")) {
            (Some(start_us), Some(end_us)) if start_us < end_us => {
                Range::Between { start_us, end_us }
            }
            _ => get("statsPeriod")
                .and_then(|p| Period::parse(&p))
                .map(Range::Last)
                .unwrap_or_default(),
        };
        LogSearch {
            q: get("q").unwrap_or_default(),
            range,
            environment: get("environment").filter(|e| !e.is_empty()),
        }
    }

    /// The URL parameters that hold this state (`q=…&statsPeriod=…`), defaults left out.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if !self.q.trim().is_empty() {
            params.push(("q", self.q.clone()));
        }
        match self.range {
            Range::Last(Period::H24) => {}
            Range::Last(period) => params.push(("statsPeriod", period.as_str().to_string())),
            Range::Between { start_us, end_us } => {
                params.push(("start", super::query::format_rfc3339(start_us)));
                params.push(("end", super::query::format_rfc3339(end_us)));
            }
        }
        if let Some(env) = &self.environment {
            params.push(("environment", env.clone()));
        }
        params
    }

    /// `?q=…&…` (empty when every value is the default), values percent-encoded.
    pub fn query_string(&self) -> String {
        let params = self.to_params();
        if params.is_empty() {
            return String::new();
        }
        let pairs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", super::account::encode_query_value(v)))
            .collect();
        format!("?{}", pairs.join("&"))
    }
}

impl Cursor {
    /// `ts.id`, as it travels in URLs.
    pub fn encode(self) -> String {
        format!("{}.{}", self.ts, self.id)
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        let (ts, id) = text.split_once('.')?;
        Some(Cursor {
            ts: ts.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One stored line as the view shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRow {
    pub id: i64,
    /// UTC µs.
    pub ts: i64,
    pub level: Level,
    pub service: String,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub message: String,
    /// The attributes as stored: a JSON object's text (exports keep it whole; the view
    /// lists it with [`LogRow::attribute_pairs`]).
    pub attributes: String,
    pub trace_id: Option<String>,
    pub issue_id: Option<i64>,
}

impl LogRow {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            ts: self.ts,
            id: self.id,
        }
    }

    /// Attributes in key order, values as text (strings bare, anything else as JSON).
    pub fn attribute_pairs(&self) -> Vec<(String, String)> {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.attributes).unwrap_or_default();
        map.into_iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(text) => (key, text),
                other => (key, other.to_string()),
            })
            .collect()
    }
}

/// A page of lines, newest first; `next` reads the older ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub lines: Vec<LogRow>,
    pub next: Option<Cursor>,
}

/// Line counts per level in equal buckets from `start_us`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram {
    pub start_us: i64,
    pub bucket_us: i64,
    /// One entry per bucket, counts indexed by `Level as usize`.
    pub counts: Vec<[u64; 6]>,
}

impl Histogram {
    pub fn end_us(&self) -> i64 {
        self.start_us + self.bucket_us * self.counts.len() as i64
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    /// Lines of level error or fatal.
    pub fn errors(&self) -> u64 {
        self.counts.iter().map(|c| c[4] + c[5]).sum()
    }
}

/// The bucket width for a range: the first of a fixed ladder of widths that gives at most
/// `max_buckets` buckets.
pub fn bucket_width(span_us: i64, max_buckets: i64) -> i64 {
    const S: i64 = 1_000_000;
    const LADDER: [i64; 14] = [
        S,
        5 * S,
        10 * S,
        30 * S,
        60 * S,
        2 * 60 * S,
        5 * 60 * S,
        10 * 60 * S,
        30 * 60 * S,
        3_600 * S,
        3 * 3_600 * S,
        6 * 3_600 * S,
        12 * 3_600 * S,
        86_400 * S,
    ];
    LADDER
        .into_iter()
        .find(|w| ceil_div(span_us.max(1), *w) <= max_buckets)
        .unwrap_or_else(|| ceil_div(span_us.max(1), max_buckets.max(1)).max(1))
}

/// `a / b` rounded up, for positive `a` and `b` (`i64::div_ceil` is not stable).
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// The app's health from the share of errors (error and fatal) in the last five minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HealthState {
    /// No lines in the last five minutes.
    Quiet,
    /// Errors are at most 1 % of lines.
    Good,
    /// Errors are above 1 % and at most 10 %.
    Degraded,
    /// Errors are above 10 % of lines.
    Critical,
}

impl HealthState {
    pub fn from_counts(lines: i64, errors: i64) -> HealthState {
        if lines <= 0 {
            HealthState::Quiet
        } else if errors * 100 <= lines {
            HealthState::Good
        } else if errors * 10 <= lines {
            HealthState::Degraded
        } else {
            HealthState::Critical
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HealthState::Quiet => "No recent lines",
            HealthState::Good => "Good",
            HealthState::Degraded => "Degraded",
            HealthState::Critical => "Critical",
        }
    }
}

/// The health strip above the log table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub state: HealthState,
    /// Lines and errors in the last five minutes.
    pub lines_5m: i64,
    pub errors_5m: i64,
    pub errors_24h: i64,
    /// Lines per minute, averaged over the last five minutes.
    pub per_minute: f64,
}

/// Local wall-clock text for a UTC µs instant, `offset_min` east of UTC (the browser's
/// zone; 0 on the server, whose first render then shows UTC until the page hydrates).
pub fn local_time(ts_us: i64, offset_min: i32, with_date: bool) -> String {
    let text = super::query::format_rfc3339(ts_us + i64::from(offset_min) * 60_000_000);
    // `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`
    let date = text.get(5..10).unwrap_or_default();
    let clock = text.get(11..19).unwrap_or_default();
    let millis = text
        .get(19..text.len().saturating_sub(1))
        .filter(|f| f.len() > 1)
        .map(|f| format!("{:0<3}", &f[1..f.len().min(4)]))
        .unwrap_or_else(|| "000".into());
    if with_date {
        format!("{date} {clock}.{millis}")
    } else {
        format!("{clock}.{millis}")
    }
}

/// `UTC`, `UTC+01:00`, `UTC-05:30`.
pub fn zone_label(offset_min: i32) -> String {
    if offset_min == 0 {
        return "UTC".into();
    }
    let sign = if offset_min > 0 { '+' } else { '-' };
    let m = offset_min.abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Everything the app's log view shows on load, read in one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogView {
    pub app: super::apps::AppView,
    pub health: Health,
    pub histogram: Histogram,
    pub page: LogPage,
    /// Environments seen among the app's newest lines, for the selector.
    pub environments: Vec<String>,
    /// The app's newest line id when the view was read (0: the app has no line yet); the
    /// live stream continues after it.
    pub latest_id: i64,
    /// The instants the range resolved to, UTC µs.
    pub start_us: i64,
    pub end_us: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            ts: 1_700_000_000_000_123,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("12"), None);
        assert_eq!(Cursor::decode("a.b"), None);
    }

    #[test]
    fn bucket_widths_keep_bars_readable() {
        const MIN: i64 = 60_000_000;
        assert_eq!(bucket_width(Period::M15.micros(), 60), 30_000_000);
        assert_eq!(bucket_width(Period::H24.micros(), 60), 30 * MIN);
        assert_eq!(
            bucket_width(Period::D90.micros(), 60),
            90 * 24 * 60 * MIN / 60
        );
    }

    #[test]
    fn searches_round_trip_through_url_parameters() {
        let search = LogSearch {
            q: "level:error \"a b\" & c".into(),
            range: Range::Between {
                start_us: 1_700_000_000_000_000,
                end_us: 1_700_000_600_000_000,
            },
            environment: Some("prod".into()),
        };
        let params = search.to_params();
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(LogSearch::from_params(get), search);
        assert_eq!(LogSearch::from_params(|_| None), LogSearch::default());
        assert_eq!(LogSearch::default().query_string(), "");
        let bad = |name: &str| (name == "statsPeriod").then(|| "5y".to_string());
        assert_eq!(LogSearch::from_params(bad).range, Range::Last(Period::H24));
    }

    #[test]
    fn local_times_shift_by_the_zone() {
        let ts = crate::model::query::parse_rfc3339("2026-11-23T10:15:30.25Z").unwrap();
        assert_eq!(local_time(ts, 0, false), "10:15:30.250");
        assert_eq!(local_time(ts, 60, true), "11-23 11:15:30.250");
        assert_eq!(local_time(ts - 250_000, -330, false), "04:45:30.000");
        assert_eq!(zone_label(-330), "UTC-05:30");
    }

    #[test]
    fn health_thresholds() {
        assert_eq!(HealthState::from_counts(0, 0), HealthState::Quiet);
        assert_eq!(HealthState::from_counts(100, 1), HealthState::Good);
        assert_eq!(HealthState::from_counts(100, 2), HealthState::Degraded);
        assert_eq!(HealthState::from_counts(100, 10), HealthState::Degraded);
        assert_eq!(HealthState::from_counts(100, 11), HealthState::Critical);
    }
}
