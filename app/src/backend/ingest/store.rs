//! Writing lines and their per-minute counts in one transaction. This is the hot path, so it
//! talks to sqlx directly: prepared multi-row inserts on SQLite, and on PostgreSQL the method
//! `make bench` measured fastest (multi-row INSERT, INSERT … SELECT FROM UNNEST, or COPY).
//!
//! Error events ride in the same transaction (`super::events`): their issues are upserted
//! first, so that each event's line is written with its `issue_id`.
//!
//! SQLite's full-text index (`logs_fts`) is filled beside the writer, not in its commits
//! (`store::text_index`). On both engines the per-minute row keeps the smallest and largest
//! id written for that minute, which bounds full-text lookups to a time window
//! (`backend::store`).
use std::{
    collections::BTreeMap,
    sync::{Arc, OnceLock},
};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    sqlx::{
        self, AssertSqlSafe, Connection, Database, Encode, PgConnection, Postgres, Sqlite,
        SqliteConnection, Type, pool::PoolConnection,
    },
};

use super::{
    NewLine,
    events::{self, IssueTouch, NewEvent},
};
use crate::backend::store::horizon;

/// Rows per multi-row INSERT on SQLite (11 values each, far below its 32,766 variables).
const SQLITE_ROWS: usize = 100;
/// Rows per multi-row INSERT on PostgreSQL (12 values each, below its 65,535 parameters).
const PG_ROWS: usize = 500;
/// Rows per metrics upsert.
const METRIC_ROWS: usize = 100;

const LOG_COLUMNS: &str = "app_id, ts, received_at, level, service, environment, release, \
                           message, attributes, trace_id, issue_id";

/// How lines reach PostgreSQL. SQLite always uses [`InsertMethod::MultiRow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertMethod {
    MultiRow,
    Unnest,
    Copy,
}

impl InsertMethod {
    /// What the writer uses on `backend` (PostgreSQL: the fastest in BENCHMARKS.md).
    pub fn for_backend(backend: DbBackend) -> InsertMethod {
        match backend {
            DbBackend::Postgres => InsertMethod::Unnest,
            _ => InsertMethod::MultiRow,
        }
    }

    /// The methods `backend` supports, for the benchmark.
    pub fn all_for(backend: DbBackend) -> &'static [InsertMethod] {
        match backend {
            DbBackend::Postgres => &[
                InsertMethod::MultiRow,
                InsertMethod::Unnest,
                InsertMethod::Copy,
            ],
            _ => &[InsertMethod::MultiRow],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InsertMethod::MultiRow => "multi-row INSERT",
            InsertMethod::Unnest => "INSERT … SELECT FROM UNNEST",
            InsertMethod::Copy => "COPY FROM STDIN",
        }
    }
}

/// The lines of one request, for one app, and the error events among them.
pub struct Group<'a> {
    pub app_id: i64,
    pub lines: &'a [NewLine],
    pub events: &'a [NewEvent],
}

impl<'a> Group<'a> {
    /// Lines without events.
    pub fn lines(app_id: i64, lines: &'a [NewLine]) -> Self {
        Group {
            app_id,
            lines,
            events: &[],
        }
    }
}

/// What one commit wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// The lines' ids, in order.
    pub ids: Vec<i64>,
    /// Per group, the issue of each line (empty for a group without events).
    pub issues: Vec<Vec<Option<i64>>>,
    /// The issues the commit's events went to.
    pub touched: Vec<IssueTouch>,
}

/// Writes lines over one database connection it keeps: SQLite empties a connection's page
/// cache whenever another connection has written, so taking any pooled connection for each
/// commit made every commit read its pages again.
pub struct LogWriter {
    db: DatabaseConnection,
    method: InsertMethod,
    held: Option<Held>,
}

enum Held {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl LogWriter {
    pub fn new(db: DatabaseConnection, method: InsertMethod) -> Self {
        LogWriter {
            db,
            method,
            held: None,
        }
    }

    /// Writes every group's lines, events and metrics in one transaction. On error nothing
    /// was written, and the next call starts on a fresh connection.
    pub async fn write(&mut self, groups: &[Group<'_>]) -> Result<Written, DbErr> {
        let written = self.write_held(groups).await;
        if written.is_err() {
            self.held = None;
        }
        written.map_err(|e| DbErr::Custom(format!("writing log lines: {e}")))
    }

    async fn write_held(&mut self, groups: &[Group<'_>]) -> Result<Written, sqlx::Error> {
        let held = match self.held.take() {
            Some(held) => held,
            None => match self.db.get_database_backend() {
                DbBackend::Postgres => {
                    Held::Postgres(self.db.get_postgres_connection_pool().acquire().await?)
                }
                _ => {
                    let mut conn = self.db.get_sqlite_connection_pool().acquire().await?;
                    // Checkpoints run beside the writer (`checkpoint_sqlite`), never inside
                    // one of its commits, where they stalled every request waiting on it.
                    sqlx::query("PRAGMA wal_autocheckpoint = 0")
                        .execute(&mut *conn)
                        .await?;
                    Held::Sqlite(conn)
                }
            },
        };
        let held = self.held.insert(held);
        match held {
            Held::Sqlite(conn) => write_sqlite(conn, groups).await,
            Held::Postgres(conn) => write_postgres(conn, self.method, groups).await,
        }
    }
}

/// Copies the SQLite write-ahead log into the database without blocking the writer (a
/// PASSIVE checkpoint), so the log stays small while the writer never pays for it.
pub async fn checkpoint_sqlite(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
        .await?;
    Ok(())
}

async fn write_sqlite(
    conn: &mut SqliteConnection,
    groups: &[Group<'_>],
) -> Result<Written, sqlx::Error> {
    // The full-text index (`logs_fts`) is filled beside the writer, not in its commits
    // (`store::text_index`): indexing every message's trigrams here cost 80 % of ingest.
    static STATEMENTS: OnceLock<Vec<Arc<str>>> = OnceLock::new();
    let lines_sql = STATEMENTS.get_or_init(|| {
        by_rows(SQLITE_ROWS, |rows| {
            format!(
                "INSERT INTO logs ({LOG_COLUMNS}) VALUES {}",
                anonymous(values(rows, 11, None, None))
            )
        })
    });
    // The write lock is taken at BEGIN: the issue upserts read before they write, and SQLite
    // refuses a reader's upgrade at once while another connection writes (`db::begin_write`).
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let (issues, touched) =
        events::upsert_issues::<Sqlite>(&mut tx, DbBackend::Sqlite, groups).await?;
    let mut ids = Vec::with_capacity(groups.iter().map(|g| g.lines.len()).sum());
    for (group, line_issues) in groups.iter().zip(&issues) {
        for (n, chunk) in group.lines.chunks(SQLITE_ROWS).enumerate() {
            let mut query = sqlx::query(AssertSqlSafe(lines_sql[chunk.len()].clone()));
            for (i, line) in chunk.iter().enumerate() {
                let issue = issue_of(line_issues, n * SQLITE_ROWS + i);
                query = bind_line(query, group.app_id, line, issue);
            }
            // The write lock is held: the chunk's rows took consecutive ids ending here.
            let last = query.execute(&mut *tx).await?.last_insert_rowid();
            ids.extend(last - chunk.len() as i64 + 1..=last);
        }
    }
    events::insert_events::<Sqlite>(&mut tx, DbBackend::Sqlite, groups, &ids, &issues).await?;
    for upsert in metric_upserts::<Sqlite>(groups, &ids, DbBackend::Sqlite) {
        upsert.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Written {
        ids,
        issues,
        touched,
    })
}

/// The issue of line `index` of a group, given the group's line issues.
fn issue_of(line_issues: &[Option<i64>], index: usize) -> Option<i64> {
    line_issues.get(index).copied().flatten()
}

/// One statement per row count from 0 to `max`, built once.
fn by_rows(max: usize, sql: impl Fn(usize) -> String) -> Vec<Arc<str>> {
    (0..=max).map(|rows| sql(rows).into()).collect()
}

async fn write_postgres(
    conn: &mut PgConnection,
    method: InsertMethod,
    groups: &[Group<'_>],
) -> Result<Written, sqlx::Error> {
    let total: usize = groups.iter().map(|g| g.lines.len()).sum();
    let mut tx = conn.begin().await?;
    // Held until the commit, before any id is drawn: the pattern miner, which follows `logs`
    // by id, waits for it (`store::horizon`).
    sqlx::query(horizon::WRITER_LOCK_SQL)
        .execute(&mut *tx)
        .await?;
    let (issues, touched) =
        events::upsert_issues::<Postgres>(&mut tx, DbBackend::Postgres, groups).await?;
    // Ids first, from the table's sequence: the same for every method (COPY returns none).
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('logs', 'id')) FROM generate_series(1, $1)",
    )
    .bind(total as i64)
    .fetch_all(&mut *tx)
    .await?;
    let rows = || {
        groups
            .iter()
            .zip(&issues)
            .flat_map(|(g, line_issues)| {
                g.lines
                    .iter()
                    .enumerate()
                    .map(move |(i, line)| (g.app_id, line, issue_of(line_issues, i)))
            })
            .zip(ids.iter().copied())
    };
    match method {
        InsertMethod::MultiRow => {
            let all: Vec<_> = rows().collect();
            for chunk in all.chunks(PG_ROWS) {
                let sql = format!(
                    "INSERT INTO logs (id, {LOG_COLUMNS}) VALUES {}",
                    values(chunk.len(), 12, Some(9), Some("::jsonb"))
                );
                let mut query = sqlx::query(AssertSqlSafe(sql));
                for ((app_id, line, issue), id) in chunk {
                    query = bind_line(query.bind(*id), *app_id, line, *issue);
                }
                query.execute(&mut *tx).await?;
            }
        }
        InsertMethod::Unnest => {
            let (mut app, mut ts, mut received, mut level) = (vec![], vec![], vec![], vec![]);
            let (mut service, mut env, mut release, mut message, mut attrs, mut trace) =
                (vec![], vec![], vec![], vec![], vec![], vec![]);
            let mut issue = vec![];
            for ((app_id, line, line_issue), _) in rows() {
                app.push(app_id);
                ts.push(line.ts);
                received.push(line.received_at);
                level.push(line.level.as_i16());
                service.push(line.service.as_str());
                env.push(line.environment.as_deref());
                release.push(line.release.as_deref());
                message.push(line.message.as_str());
                attrs.push(line.attributes.as_str());
                trace.push(line.trace_id.as_deref());
                issue.push(line_issue);
            }
            sqlx::query(
                "INSERT INTO logs (id, app_id, ts, received_at, level, service, environment, \
                 release, message, attributes, trace_id, issue_id) \
                 SELECT id, app_id, ts, received_at, level, service, environment, release, \
                 message, attributes::jsonb, trace_id, issue_id \
                 FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int2[], \
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], \
                 $12::int8[]) \
                 AS t(id, app_id, ts, received_at, level, service, environment, release, \
                 message, attributes, trace_id, issue_id)",
            )
            .bind(&ids)
            .bind(app)
            .bind(ts)
            .bind(received)
            .bind(level)
            .bind(service)
            .bind(env)
            .bind(release)
            .bind(message)
            .bind(attrs)
            .bind(trace)
            .bind(issue)
            .execute(&mut *tx)
            .await?;
        }
        InsertMethod::Copy => {
            let mut data = Vec::with_capacity(total * 256);
            for ((app_id, line, issue), id) in rows() {
                copy_row(&mut data, id, app_id, line, issue);
            }
            let mut copy = tx
                .copy_in_raw(&format!("COPY logs (id, {LOG_COLUMNS}) FROM STDIN"))
                .await?;
            copy.send(data).await?;
            copy.finish().await?;
        }
    }
    events::insert_events::<Postgres>(&mut tx, DbBackend::Postgres, groups, &ids, &issues).await?;
    for upsert in metric_upserts::<Postgres>(groups, &ids, DbBackend::Postgres) {
        upsert.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(Written {
        ids,
        issues,
        touched,
    })
}

/// A bound statement of either engine.
pub(super) type Bound<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments>;

/// Binds one line's values in `LOG_COLUMNS` order.
fn bind_line<'q, 'a, DB: Database>(
    query: Bound<'q, DB>,
    app_id: i64,
    line: &'a NewLine,
    issue: Option<i64>,
) -> Bound<'q, DB>
where
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    i16: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
{
    query
        .bind(app_id)
        .bind(line.ts)
        .bind(line.received_at)
        .bind(line.level.as_i16())
        .bind(line.service.as_str())
        .bind(line.environment.as_deref())
        .bind(line.release.as_deref())
        .bind(line.message.as_str())
        .bind(line.attributes.as_str())
        .bind(line.trace_id.as_deref())
        .bind(issue)
}

/// The statements that add `groups`' per-minute counts and id ranges to `app_metrics`;
/// `ids` are the lines' ids, in the order of `groups`.
fn metric_upserts<'q, DB: Database>(
    groups: &[Group<'_>],
    ids: &[i64],
    backend: DbBackend,
) -> Vec<Bound<'q, DB>>
where
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    let minutes: Vec<_> = minute_counts(groups, ids).into_iter().collect();
    minutes
        .chunks(METRIC_ROWS)
        .map(|chunk| {
            let sql = upsert_metrics_sql(chunk.len(), backend);
            let mut query = sqlx::query(AssertSqlSafe(sql));
            for ((app_id, minute), m) in chunk {
                query = query.bind(*app_id).bind(*minute);
                for count in m.levels {
                    query = query.bind(count);
                }
                query = query.bind(m.min_id).bind(m.max_id);
            }
            query
        })
        .collect()
}

/// What one commit adds to one (app, minute) row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Minute {
    levels: [i64; 6],
    min_id: i64,
    max_id: i64,
}

/// Line counts per (app, minute), per level, with the minute's id range, sorted so that
/// concurrent writers sharing a PostgreSQL database lock rows in the same order.
fn minute_counts(groups: &[Group<'_>], ids: &[i64]) -> BTreeMap<(i64, i64), Minute> {
    let mut minutes = BTreeMap::new();
    let lines = groups
        .iter()
        .flat_map(|g| g.lines.iter().map(move |line| (g.app_id, line)));
    for ((app_id, line), &id) in lines.zip(ids) {
        let minute = line.ts.div_euclid(60_000_000);
        let m = minutes.entry((app_id, minute)).or_insert(Minute {
            levels: [0; 6],
            min_id: id,
            max_id: id,
        });
        m.levels[line.level.as_i16() as usize] += 1;
        m.min_id = m.min_id.min(id);
        m.max_id = m.max_id.max(id);
    }
    minutes
}

/// The upsert for `rows` minutes, with the engine's placeholders. A row the migration left
/// without an id range (NULL) takes the new one.
fn upsert_metrics_sql(rows: usize, backend: DbBackend) -> String {
    let placeholders = values(rows, 10, None, None);
    let (least, greatest) = match backend {
        // PostgreSQL's LEAST and GREATEST skip NULLs.
        DbBackend::Postgres => (
            "LEAST(app_metrics.min_id, excluded.min_id)",
            "GREATEST(app_metrics.max_id, excluded.max_id)",
        ),
        // SQLite's min(a, b) and max(a, b) are NULL when either is.
        _ => (
            "min(COALESCE(app_metrics.min_id, excluded.min_id), excluded.min_id)",
            "max(COALESCE(app_metrics.max_id, excluded.max_id), excluded.max_id)",
        ),
    };
    let sql = format!(
        "INSERT INTO app_metrics (app_id, minute, trace, debug, info, warn, error, fatal, \
         min_id, max_id) \
         VALUES {placeholders} ON CONFLICT (app_id, minute) DO UPDATE SET \
         trace = app_metrics.trace + excluded.trace, debug = app_metrics.debug + excluded.debug, \
         info = app_metrics.info + excluded.info, warn = app_metrics.warn + excluded.warn, \
         error = app_metrics.error + excluded.error, fatal = app_metrics.fatal + excluded.fatal, \
         min_id = {least}, max_id = {greatest}"
    );
    match backend {
        DbBackend::Postgres => sql,
        _ => anonymous(sql),
    }
}

/// `($1,$2,…),(…)` for `rows` rows of `cols` values; `cast` is appended to column `cast_col`.
pub(super) fn values(
    rows: usize,
    cols: usize,
    cast_col: Option<usize>,
    cast: Option<&str>,
) -> String {
    let mut sql = String::with_capacity(rows * cols * 6);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ",(" });
        for col in 0..cols {
            if col > 0 {
                sql.push(',');
            }
            sql.push('$');
            sql.push_str(&(row * cols + col + 1).to_string());
            if Some(col) == cast_col {
                sql.push_str(cast.unwrap_or_default());
            }
        }
        sql.push(')');
    }
    sql
}

/// The same SQL with `?` parameters for SQLite. (With `$N`, sqlx asks SQLite for every
/// parameter's name, a linear search each: a quarter of the insert time on 1,000 parameters.)
pub(super) fn anonymous(sql: String) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' {
            while chars.next_if(char::is_ascii_digit).is_some() {}
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(out: &mut Vec<u8>, id: i64, app_id: i64, line: &NewLine, issue: Option<i64>) {
    use std::io::Write;
    let _ = write!(
        out,
        "{id}\t{app_id}\t{}\t{}\t{}\t",
        line.ts,
        line.received_at,
        line.level.as_i16()
    );
    let fields = [
        Some(line.service.as_str()),
        line.environment.as_deref(),
        line.release.as_deref(),
        Some(line.message.as_str()),
        Some(line.attributes.as_str()),
        line.trace_id.as_deref(),
    ];
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match field {
            None => out.extend_from_slice(b"\\N"),
            Some(text) => copy_escape(out, text),
        }
    }
    match issue {
        Some(issue) => {
            let _ = write!(out, "\t{issue}");
        }
        None => out.extend_from_slice(b"\t\\N"),
    }
    out.push(b'\n');
}

fn copy_escape(out: &mut Vec<u8>, text: &str) {
    for &b in text.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_value() {
        assert_eq!(values(2, 2, None, None), "($1,$2),($3,$4)");
        assert_eq!(values(1, 3, Some(1), Some("::jsonb")), "($1,$2::jsonb,$3)");
        assert_eq!(anonymous(values(2, 2, None, None)), "(?,?),(?,?)");
    }

    #[test]
    fn copy_rows_escape_what_the_text_format_reserves() {
        let mut out = Vec::new();
        copy_escape(&mut out, "a\tb\nc\\d\re");
        assert_eq!(out, b"a\\tb\\nc\\\\d\\re");
    }
}
