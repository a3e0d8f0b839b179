//! What the patterns view and the summary card show: each app's messages clustered into
//! templates (docs/patterns.md), and the facts of a time range computed from them.
use serde::{Deserialize, Serialize};

use super::logs::{LogSearch, Range};

/// Bars in a pattern's trend.
pub const SPARKLINE_BARS: usize = 24;
/// Patterns the view lists at most.
pub const MAX_PATTERNS: u32 = 100;

/// One pattern over the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternView {
    pub id: i64,
    /// The template: literal words, masks like `<num>`, `<*>` where lines differ.
    pub template: String,
    /// Lines in the range.
    pub count: i64,
    /// Its share of the range's mined lines, 0 to 1.
    pub share: f64,
    /// Lines per level in the range: trace, debug, info, warn, error, fatal.
    pub levels: [i64; 6],
    /// Lines per bar, oldest first, over the range.
    pub trend: Vec<i64>,
    pub first_seen_us: i64,
    pub last_seen_us: i64,
    /// First seen within the range.
    pub new: bool,
    /// The log view's search for its lines (empty: the template is all masks).
    pub search: String,
}

impl PatternView {
    /// Lines of level error or fatal.
    pub fn errors(&self) -> i64 {
        self.levels[4] + self.levels[5]
    }
}

/// The patterns of one app and range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternList {
    pub start_us: i64,
    pub end_us: i64,
    /// Mined lines in the range, in all patterns.
    pub total: i64,
    pub patterns: Vec<PatternView>,
    /// Lines committed but not mined yet (the miner runs behind ingest).
    pub pending_lines: i64,
}

/// A pattern named in the summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternBrief {
    pub id: i64,
    pub template: String,
    pub count: i64,
    /// Lines in the period before, as long as the range.
    pub before: i64,
    pub search: String,
}

/// The facts of a range, computed from the data, and the prose digest when an LLM is set up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub start_us: i64,
    pub end_us: i64,
    /// Lines and errors (error and fatal) in the range and in the period before it.
    pub lines: i64,
    pub lines_before: i64,
    pub errors: i64,
    pub errors_before: i64,
    /// Patterns first seen in the range, the most lines first.
    pub new_patterns: Vec<PatternBrief>,
    /// The patterns with the most error lines.
    pub top_errors: Vec<PatternBrief>,
    /// Patterns with at least three times their lines of the period before (and ten more).
    pub spikes: Vec<PatternBrief>,
    /// The LLM's digest, when one is configured and has written it.
    pub digest: Option<String>,
    /// Why there is no digest (not configured, still being written, failed).
    pub digest_note: Option<String>,
}

/// `+12 %`, `−40 %`, `new` (nothing before), `±0 %`.
pub fn change_label(now: i64, before: i64) -> String {
    if before == 0 {
        return if now == 0 {
            "±0 %".into()
        } else {
            "new".into()
        };
    }
    let change = (now - before) as f64 * 100.0 / before as f64;
    if change.abs() < 0.5 {
        "±0 %".into()
    } else if change > 0.0 {
        format!("+{change:.0} %")
    } else {
        format!("−{:.0} %", -change)
    }
}

/// The patterns page of app `app_id` for `range`.
pub fn patterns_href(app_id: i64, range: Range) -> String {
    let search = LogSearch {
        range,
        ..LogSearch::default()
    };
    format!("/apps/{app_id}/patterns{}", search.query_string())
}

/// The log view of a pattern's lines over `range`.
pub fn pattern_lines_href(app_id: i64, search: &str, range: Range) -> String {
    let search = LogSearch {
        q: search.to_string(),
        range,
        environment: None,
    };
    format!("/apps/{app_id}{}", search.query_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::Period;

    #[test]
    fn changes_read_as_percentages() {
        assert_eq!(change_label(112, 100), "+12 %");
        assert_eq!(change_label(60, 100), "−40 %");
        assert_eq!(change_label(5, 0), "new");
        assert_eq!(change_label(0, 0), "±0 %");
        assert_eq!(change_label(100, 100), "±0 %");
    }

    #[test]
    fn links_carry_the_range() {
        assert_eq!(patterns_href(3, Range::default()), "/apps/3/patterns");
        assert_eq!(
            patterns_href(3, Range::Last(Period::H1)),
            "/apps/3/patterns?statsPeriod=1h"
        );
        assert_eq!(
            pattern_lines_href(3, "message:\"GET /cart\"", Range::Last(Period::H1)),
            "/apps/3?q=message%3A%22GET%20/cart%22&statsPeriod=1h"
        );
    }
}
