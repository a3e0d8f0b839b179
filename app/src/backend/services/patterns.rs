//! An app's patterns over a range, and the summary of the range: computed from the mined
//! patterns and the per-minute metrics, the same every time for the same data. The caller
//! has checked that the signed-in user owns the app.
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::{
    backend::{
        ServiceError,
        entities::apps,
        patterns::{self, PatternRow, digest::Digests},
        store::{self, LogFilter},
    },
    model::{
        logs::{LogSearch, Range},
        patterns::{MAX_PATTERNS, PatternBrief, PatternList, PatternView, SPARKLINE_BARS, Summary},
    },
};

/// Patterns each list of the summary names.
const SUMMARY_ITEMS: usize = 5;
/// A spike: at least this many times the lines of the period before…
const SPIKE_FACTOR: i64 = 3;
/// …and at least this many lines more.
const SPIKE_MIN_LINES: i64 = 10;

/// The range the log view's URL parameters name (the last 24 hours by default).
pub fn range_of(stats_period: Option<String>, start: Option<String>, end: Option<String>) -> Range {
    LogSearch::from_params(|name| match name {
        "statsPeriod" => stats_period.clone(),
        "start" => start.clone(),
        "end" => end.clone(),
        _ => None,
    })
    .range
}

fn bounds(range: Range, now: DateTime<Utc>) -> (i64, i64) {
    range.bounds(now.timestamp_micros())
}

/// The app's patterns with lines in `range`, the most lines first.
pub async fn list(
    db: &DatabaseConnection,
    app_id: i64,
    range: Range,
    now: DateTime<Utc>,
) -> Result<PatternList, ServiceError> {
    let (start_us, end_us) = bounds(range, now);
    let rows = patterns::pattern_rows(db, app_id, start_us, end_us, MAX_PATTERNS).await?;
    let total: i64 = patterns::pattern_total(db, app_id, start_us, end_us).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let buckets = patterns::pattern_buckets(db, app_id, &ids, start_us, end_us).await?;
    let span = (end_us - start_us).max(1);
    let bar_of = |bucket: i64| {
        let offset = (bucket.max(start_us) - start_us) as i128 * SPARKLINE_BARS as i128;
        ((offset / span as i128) as usize).min(SPARKLINE_BARS - 1)
    };
    let views = rows
        .into_iter()
        .map(|row| {
            let mut trend = vec![0; SPARKLINE_BARS];
            for (_, bucket, lines) in buckets.iter().filter(|(id, _, _)| *id == row.id) {
                trend[bar_of(*bucket)] += lines;
            }
            view(row, total, trend, start_us)
        })
        .collect();
    let pending_lines = pending(db, app_id).await?;
    Ok(PatternList {
        start_us,
        end_us,
        total,
        patterns: views,
        pending_lines,
    })
}

fn view(row: PatternRow, total: i64, trend: Vec<i64>, start_us: i64) -> PatternView {
    let count = row.total();
    PatternView {
        id: row.id,
        search: patterns::search_for(&row.template),
        share: if total > 0 {
            count as f64 / total as f64
        } else {
            0.0
        },
        levels: row.levels(),
        trend,
        first_seen_us: row.first_seen,
        last_seen_us: row.last_seen,
        new: row.first_seen >= start_us,
        template: row.template,
        count,
    }
}

/// The app's lines committed after the miner's watermark.
async fn pending(db: &DatabaseConnection, app_id: i64) -> Result<i64, ServiceError> {
    let watermark = patterns::watermark(db).await?;
    Ok(patterns::lines_after(db, app_id, watermark).await?)
}

/// The facts of `range` for the summary card, with the digest when one is configured.
pub async fn summary(
    db: &DatabaseConnection,
    digests: &Digests,
    app: &apps::Model,
    range: Range,
    now: DateTime<Utc>,
) -> Result<Summary, ServiceError> {
    let mut summary = facts(db, app.id, range, now).await?;
    let (digest, note) = digests.digest_for(db, app, &summary).await;
    summary.digest = digest;
    summary.digest_note = note;
    Ok(summary)
}

/// The summary's facts, without the digest.
pub async fn facts(
    db: &DatabaseConnection,
    app_id: i64,
    range: Range,
    now: DateTime<Utc>,
) -> Result<Summary, ServiceError> {
    let (start_us, end_us) = bounds(range, now);
    let before_start = start_us - (end_us - start_us);
    let (lines, errors) = volume(db, app_id, start_us, end_us).await?;
    let (lines_before, errors_before) = volume(db, app_id, before_start, start_us).await?;
    let rows = patterns::pattern_rows(db, app_id, start_us, end_us, MAX_PATTERNS).await?;
    let before =
        patterns::pattern_rows(db, app_id, before_start, start_us, MAX_PATTERNS * 10).await?;
    let before_of = |id: i64| {
        before
            .iter()
            .find(|r| r.id == id)
            .map_or(0, PatternRow::total)
    };
    let brief = |row: &PatternRow, count: i64| PatternBrief {
        id: row.id,
        template: row.template.clone(),
        count,
        before: before_of(row.id),
        search: patterns::search_for(&row.template),
    };
    let new_patterns = rows
        .iter()
        .filter(|row| row.first_seen >= start_us)
        .take(SUMMARY_ITEMS)
        .map(|row| brief(row, row.total()))
        .collect();
    let mut by_errors: Vec<&PatternRow> = rows.iter().filter(|r| r.error + r.fatal > 0).collect();
    by_errors.sort_by_key(|r| std::cmp::Reverse(r.error + r.fatal));
    let top_errors = by_errors
        .into_iter()
        .take(SUMMARY_ITEMS)
        .map(|row| brief(row, row.error + row.fatal))
        .collect();
    let mut spikes: Vec<PatternBrief> = rows
        .iter()
        .filter(|row| row.first_seen < start_us)
        .map(|row| brief(row, row.total()))
        .filter(|b| {
            b.before > 0
                && b.count >= SPIKE_FACTOR * b.before
                && b.count - b.before >= SPIKE_MIN_LINES
        })
        .collect();
    spikes.sort_by(|a, b| {
        let ratio = |p: &PatternBrief| p.count as f64 / p.before as f64;
        ratio(b).total_cmp(&ratio(a))
    });
    spikes.truncate(SUMMARY_ITEMS);
    Ok(Summary {
        start_us,
        end_us,
        lines,
        lines_before,
        errors,
        errors_before,
        new_patterns,
        top_errors,
        spikes,
        digest: None,
        digest_note: None,
    })
}

/// Lines and errors (error and fatal) of the app in `[start_us, end_us)`.
async fn volume(
    db: &DatabaseConnection,
    app_id: i64,
    start_us: i64,
    end_us: i64,
) -> Result<(i64, i64), ServiceError> {
    let filter = LogFilter {
        app_id,
        start_us,
        end_us,
        environment: None,
        query: None,
    };
    let histogram = store::histogram(db, &filter, 1).await?;
    Ok((histogram.total() as i64, histogram.errors() as i64))
}
