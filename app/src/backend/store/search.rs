//! Reading lines: a page of a search (newest first, keyset-paginated), the lines after an id
//! for a live view that reconnects, and (re-exported here) the histogram, environments and
//! health that the log view shows beside them.
//!
//! How a page is found:
//! - PostgreSQL: one statement, planned with its actual values (see `sql::fetch_all`), over
//!   the (app, ts) or (app, level, ts) index. There is no trigram index (its upkeep in the
//!   ingest transaction cost 83 % of ingest), so rare text over a long window reads it all.
//! - SQLite without text conditions: one statement over the (app, ts) or (app, level, ts)
//!   index, newest first, stopping at the page's end.
//! - SQLite with text: first the newest [`BUDGET`] lines of the window (of the level, when the
//!   query fixes one) are read through the index and filtered. That answers when it finds a
//!   full page or when the window holds fewer lines than that. Otherwise the text is rare: the
//!   required words (three characters or more, under the top-level AND) are looked up in
//!   `logs_fts` within the id range of the window's minutes (from `app_metrics`), plus the
//!   lines the background indexer has not reached yet, and only those lines are read and
//!   checked with the full condition.
use sea_orm::{DatabaseConnection, DbErr};

use crate::model::{
    logs::{Cursor, LogPage, LogRow},
    query::Expr,
};

use super::{
    compile::compile,
    rows::{Line, columns},
    shape::{
        INDEXED_ATTRIBUTE_INDEX, looks_up_indexed_attribute, required_level, required_texts,
        searches_text,
    },
    sql::{Engine, Fragment, fetch_all, fetch_one},
};

pub use super::{
    histogram::histogram,
    overview::{environments, health, latest_id},
    rows::live_row,
};

/// Lines per page at most.
pub const MAX_PAGE: u32 = 1_000;
/// Lines [`after`] returns at most.
pub const MAX_AFTER: u32 = 10_000;
/// Lines the first SQLite plan reads before it turns to the full-text index.
pub const BUDGET: u32 = 20_000;
const MINUTE_US: i64 = 60_000_000;

/// What selects lines: an app, a time window `[start_us, end_us)`, optionally an
/// environment (equal, case-insensitively) and a query.
#[derive(Clone, Copy, Debug)]
pub struct LogFilter<'a> {
    pub app_id: i64,
    pub start_us: i64,
    pub end_us: i64,
    pub environment: Option<&'a str>,
    pub query: Option<&'a Expr>,
}

impl LogFilter<'_> {
    /// `app_id = ? AND ts >= ? AND ts < ?`, and strictly older than `before` when given.
    pub(super) fn window(&self, before: Option<Cursor>) -> Fragment {
        let mut sql = Fragment::new("app_id = ");
        sql.int(self.app_id)
            .push(" AND ts >= ")
            .int(self.start_us)
            .push(" AND ts < ")
            .int(self.end_us);
        if let Some(c) = before {
            // `ts <= ?` bounds the index range; the rest drops the cursor's equals.
            sql.push(" AND ts <= ")
                .int(c.ts)
                .push(" AND (ts < ")
                .int(c.ts)
                .push(" OR id < ")
                .int(c.id)
                .push(")");
        }
        sql
    }

    /// The environment and the query as one condition, if there is any.
    pub(super) fn condition(&self, engine: Engine) -> Option<Fragment> {
        let mut parts = Vec::new();
        if let Some(env) = self.environment {
            let mut sql = Fragment::new("lower(environment) = lower(");
            sql.text(env).push(")");
            parts.push(sql);
        }
        if let Some(query) = self.query {
            parts.push(compile(query, engine));
        }
        let mut parts = parts.into_iter();
        let mut all = parts.next()?;
        for part in parts {
            all.push(" AND ").append(&part);
        }
        Some(all)
    }

    /// `logs`, naming the index of an attribute the query looks up on SQLite (whose planner,
    /// without statistics, would walk the time index instead).
    pub(super) fn table(&self, engine: Engine) -> String {
        match self.query {
            Some(query) if engine == Engine::Sqlite && looks_up_indexed_attribute(query) => {
                format!("logs INDEXED BY {INDEXED_ATTRIBUTE_INDEX}")
            }
            _ => "logs".to_string(),
        }
    }

    /// ` AND <condition>`, or nothing.
    pub(super) fn and_condition(&self, engine: Engine) -> Fragment {
        let mut sql = Fragment::default();
        if let Some(condition) = self.condition(engine) {
            sql.push(" AND ").append(&condition);
        }
        sql
    }
}

/// How [`page_with`] looks for lines; [`page`] uses [`Plan::Auto`]. The others exist so that
/// tests and benchmarks can compare the plans on the same data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The plan described in the module documentation.
    Auto,
    /// One statement over the time index.
    Scan,
    /// SQLite: the newest `n` lines first, then the full-text index, then a scan.
    Budget(u32),
    /// SQLite: the full-text index when the query has required text, else a scan.
    FullText,
}

/// Newest first (ts DESC, id DESC), strictly older than `before` when given; `limit` ≤ 1000.
/// `next` is the last line's cursor when more lines may follow.
pub async fn page(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    before: Option<Cursor>,
    limit: u32,
) -> Result<LogPage, DbErr> {
    page_with(db, filter, before, limit, Plan::Auto).await
}

/// [`page`] with a chosen plan.
pub async fn page_with(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    before: Option<Cursor>,
    limit: u32,
    plan: Plan,
) -> Result<LogPage, DbErr> {
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let engine = Engine::of(db);
    let text = filter.query.is_some_and(searches_text);
    let lookup = filter.query.is_some_and(looks_up_indexed_attribute);
    let plan = match (plan, engine) {
        (_, Engine::Postgres) => Plan::Scan,
        (Plan::Auto, _) if text && !lookup => Plan::Budget(BUDGET),
        (Plan::Auto, _) => Plan::Scan,
        (plan, _) => plan,
    };
    let fetch = limit + 1;
    let found = match plan {
        Plan::Budget(budget) => match newest_first(db, filter, before, fetch, budget).await? {
            Some(lines) => Some(lines),
            None => full_text(db, filter, before, fetch).await?,
        },
        Plan::FullText => full_text(db, filter, before, fetch).await?,
        Plan::Auto | Plan::Scan => None,
    };
    let mut lines = match found {
        Some(lines) => lines,
        None => scan(db, filter, before, fetch).await?,
    };
    let next = if lines.len() > limit {
        lines.truncate(limit);
        lines.last().map(LogRow::cursor)
    } else {
        None
    };
    Ok(LogPage { lines, next })
}

fn select(engine: Engine) -> Fragment {
    Fragment::new(&format!("SELECT {} FROM ", columns(engine)))
}

fn newest_first_limit(sql: &mut Fragment, limit: usize) {
    sql.push(" ORDER BY ts DESC, id DESC LIMIT ")
        .int(limit as i64);
}

async fn lines(db: &DatabaseConnection, sql: &Fragment) -> Result<Vec<LogRow>, DbErr> {
    Ok(fetch_all::<Line>(db, sql)
        .await?
        .into_iter()
        .map(|line| line.0)
        .collect())
}

/// One statement: the window through the index, newest first, filtered.
async fn scan(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    before: Option<Cursor>,
    fetch: usize,
) -> Result<Vec<LogRow>, DbErr> {
    let engine = Engine::of(db);
    let mut sql = select(engine);
    sql.push(&filter.table(engine))
        .push(" WHERE ")
        .append(&filter.window(before))
        .append(&filter.and_condition(engine));
    newest_first_limit(&mut sql, fetch);
    lines(db, &sql).await
}

/// The newest `budget` lines of the window (of the required level), filtered. `None` when
/// they held fewer than `fetch` matches while the window holds more lines.
async fn newest_first(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    before: Option<Cursor>,
    fetch: usize,
    budget: u32,
) -> Result<Option<Vec<LogRow>>, DbErr> {
    let engine = Engine::of(db);
    let mut candidates = filter.window(before);
    if let Some(level) = filter.query.and_then(required_level) {
        candidates.push(" AND level = ").int(level.as_i16().into());
    }
    let mut sql = select(engine);
    sql.push("(")
        .append(&select(engine))
        .push("logs WHERE ")
        .append(&candidates);
    newest_first_limit(&mut sql, budget as usize);
    sql.push(") WHERE TRUE")
        .append(&filter.and_condition(engine));
    newest_first_limit(&mut sql, fetch);
    let found = lines(db, &sql).await?;
    if found.len() >= fetch {
        return Ok(Some(found));
    }
    let mut count = Fragment::new("SELECT count(*) FROM (SELECT 1 FROM logs WHERE ");
    count
        .append(&candidates)
        .push(" LIMIT ")
        .int(budget.into())
        .push(")");
    let (read,): (i64,) = fetch_one(db, &count).await?;
    Ok((read < i64::from(budget)).then_some(found))
}

/// The lines whose messages the full-text index has for the required text, checked with the
/// full condition. `None` when the query requires no text the index can find.
async fn full_text(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    before: Option<Cursor>,
    fetch: usize,
) -> Result<Option<Vec<LogRow>>, DbErr> {
    let end = match before {
        Some(c) => filter.end_us.min(c.ts.saturating_add(1)),
        None => filter.end_us,
    };
    let ids = match text_index(db, filter, end).await? {
        TextIndex::Unusable => return Ok(None),
        TextIndex::NoLines => return Ok(Some(Vec::new())),
        TextIndex::Ids(ids) => ids,
    };
    let engine = Engine::of(db);
    let mut sql = select(engine);
    // NOT INDEXED: the rows are found by id (rowid), never by scanning the time index.
    sql.push("logs NOT INDEXED WHERE id IN (")
        .append(&ids)
        .push(") AND ")
        .append(&filter.window(before))
        .append(&filter.and_condition(engine));
    newest_first_limit(&mut sql, fetch);
    Ok(Some(lines(db, &sql).await?))
}

/// What the full-text index can tell about a filter's lines.
pub(super) enum TextIndex {
    /// No index (PostgreSQL) or no required text of three characters or more.
    Unusable,
    /// The app wrote no line in the window's minutes.
    NoLines,
    /// A `SELECT rowid …` of the lines containing every required text, within the id range
    /// of the window's minutes (of every app: the caller still checks app and time).
    Ids(Fragment),
}

/// The full-text lookup for `filter`'s window up to `end_us` (exclusive).
pub(super) async fn text_index(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    end_us: i64,
) -> Result<TextIndex, DbErr> {
    let texts = filter.query.map(required_texts).unwrap_or_default();
    if Engine::of(db) != Engine::Sqlite || texts.is_empty() {
        return Ok(TextIndex::Unusable);
    }
    if end_us <= filter.start_us {
        return Ok(TextIndex::NoLines);
    }
    let mut bounds =
        Fragment::new("SELECT min(min_id), max(max_id) FROM app_metrics WHERE app_id = ");
    bounds
        .int(filter.app_id)
        .push(" AND minute >= ")
        .int(filter.start_us.div_euclid(MINUTE_US))
        .push(" AND minute <= ")
        .int((end_us - 1).div_euclid(MINUTE_US));
    let (Some(low), Some(high)): (Option<i64>, Option<i64>) = fetch_one(db, &bounds).await? else {
        return Ok(TextIndex::NoLines);
    };
    // The index up to its watermark; the newer lines (not indexed yet) are all candidates.
    let indexed = super::text_index::watermark(db).await?;
    let mut ids = Fragment::new("SELECT rowid FROM logs_fts WHERE logs_fts MATCH ");
    ids.text(trigram_query(&texts))
        .push(" AND rowid BETWEEN ")
        .int(low)
        .push(" AND ")
        .int(high.min(indexed));
    if high > indexed {
        ids.push(" UNION ALL SELECT id FROM logs WHERE id > ")
            .int(indexed.max(low - 1))
            .push(" AND id <= ")
            .int(high);
    }
    Ok(TextIndex::Ids(ids))
}

/// Trigrams the index holds for every line containing all of `texts`: an FTS5 query of
/// single trigrams joined by AND (`logs_fts` keeps no positions, so it has no phrases). Each
/// text is covered by trigrams side by side (and its last one), at most [`MAX_TRIGRAMS`] in
/// all: the lines found contain them all, a superset that the LIKE conditions then narrow.
pub(super) fn trigram_query(texts: &[&str]) -> String {
    let mut trigrams: Vec<String> = Vec::new();
    for text in texts {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() < 3 {
            continue;
        }
        let last = chars.len() - 3;
        let starts = (0..=last).step_by(3).chain(std::iter::once(last));
        for start in starts {
            let trigram: String = chars[start..start + 3].iter().collect();
            let quoted = format!("\"{}\"", trigram.replace('"', "\"\""));
            if !trigrams.contains(&quoted) {
                trigrams.push(quoted);
            }
        }
    }
    trigrams.truncate(MAX_TRIGRAMS);
    trigrams.join(" AND ")
}

/// Trigrams one full-text lookup asks for at most.
const MAX_TRIGRAMS: usize = 16;

/// Lines with an id above `after_id`, oldest id first, at most `limit` (≤ 10,000): what a
/// live view missed while it reconnected. The environment and the query apply; the time
/// window does not, since a live view shows what arrives whatever its timestamp (as the
/// live bus does).
pub async fn after(
    db: &DatabaseConnection,
    filter: &LogFilter<'_>,
    after_id: i64,
    limit: u32,
) -> Result<Vec<LogRow>, DbErr> {
    let engine = Engine::of(db);
    let mut sql = select(engine);
    sql.push(match engine {
        // By id (rowid) from `after_id` on, never through the app's whole time index.
        Engine::Sqlite => "logs NOT INDEXED WHERE id > ",
        Engine::Postgres => "logs WHERE id > ",
    })
    .int(after_id)
    .push(" AND app_id = ")
    .int(filter.app_id)
    .append(&filter.and_condition(engine))
    .push(" ORDER BY id LIMIT ")
    .int(limit.clamp(1, MAX_AFTER).into());
    lines(db, &sql).await
}
