//! Which committed lines a live view shows: the same conditions as its SQL (query,
//! environment, range), evaluated in memory on lines from the live bus.
use crate::{
    backend::{ingest::LiveLine, services::logs::Selection, store::search},
    model::{
        logs::{LogRow, Range},
        query::{Expr, LineView},
    },
};

#[derive(Clone, Debug)]
pub struct LiveFilter {
    pub query: Option<Expr>,
    pub environment: Option<String>,
    pub start_us: i64,
    /// A fixed range ends; a period ending now does not (lines keep arriving).
    pub end_us: Option<i64>,
}

impl LiveFilter {
    pub fn new(selection: &Selection, range: Range) -> LiveFilter {
        LiveFilter {
            query: selection.query.clone(),
            environment: selection.environment.clone(),
            start_us: selection.start_us,
            end_us: matches!(range, Range::Between { .. }).then_some(selection.end_us),
        }
    }

    /// The line as the view shows it, if the view's conditions hold for it.
    pub fn row(&self, live: &LiveLine) -> Option<LogRow> {
        let line = &live.line;
        if line.ts < self.start_us || self.end_us.is_some_and(|end| line.ts >= end) {
            return None;
        }
        // As in SQL: the environment equal, case-insensitively.
        if let Some(env) = &self.environment
            && !line
                .environment
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(env))
        {
            return None;
        }
        if let Some(query) = &self.query {
            let attributes: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&line.attributes).unwrap_or_default();
            let view = LineView {
                ts: line.ts,
                level: line.level,
                service: &line.service,
                environment: line.environment.as_deref(),
                release: line.release.as_deref(),
                message: &line.message,
                attributes: &attributes,
                trace_id: line.trace_id.as_deref(),
                issue_id: None,
            };
            if !query.matches(&view) {
                return None;
            }
        }
        Some(search::live_row(live))
    }
}
