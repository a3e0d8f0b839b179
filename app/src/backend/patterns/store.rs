//! The patterns' tables: reading the lines to mine, writing a batch's counts with the new
//! watermark in one transaction, and reading patterns back for the view.
use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, Value};

use super::BUCKET_US;
use crate::backend::{
    db::begin_write,
    store::sql::{Fragment, Param, fetch_all, numbered},
};

/// How long the server mining holds the lease.
const LEASE_US: i64 = 60_000_000;

/// A committed line, as the miner reads it.
#[derive(Debug)]
pub struct MinedLine {
    pub id: i64,
    pub app_id: i64,
    pub ts: i64,
    pub level: i16,
    pub message: String,
}

/// One pattern's share of a batch.
#[derive(Debug, Default)]
pub struct PatternShare {
    template: String,
    first_seen: i64,
    last_seen: i64,
    count: i64,
    /// Per bucket start: lines per level (trace … fatal).
    buckets: HashMap<i64, [i64; 6]>,
}

/// What a batch adds, per (app, cluster).
#[derive(Debug, Default)]
pub struct BatchCounts {
    shares: HashMap<(i64, i64), PatternShare>,
}

impl BatchCounts {
    pub fn add(&mut self, app_id: i64, cluster: i64, template: String, ts: i64, level: i16) {
        let share = self
            .shares
            .entry((app_id, cluster))
            .or_insert(PatternShare {
                first_seen: ts,
                last_seen: ts,
                ..PatternShare::default()
            });
        share.template = template;
        share.first_seen = share.first_seen.min(ts);
        share.last_seen = share.last_seen.max(ts);
        share.count += 1;
        let bucket = ts.div_euclid(BUCKET_US) * BUCKET_US;
        share.buckets.entry(bucket).or_default()[level.clamp(0, 5) as usize] += 1;
    }
}

fn statement(backend: DbBackend, fragment: &Fragment) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => numbered(&fragment.sql),
        _ => fragment.sql.clone(),
    };
    let values: Vec<Value> = fragment
        .params
        .iter()
        .map(|param| match param {
            Param::Int(v) => Value::from(*v),
            Param::Float(v) => Value::from(*v),
            Param::Text(v) => Value::from(v.clone()),
        })
        .collect();
    Statement::from_sql_and_values(backend, sql, values)
}

/// Takes the progress row's lease for `owner` until `now + LEASE`, unless another holds it.
pub async fn lease(db: &DatabaseConnection, owner: &str, now_us: i64) -> Result<bool, DbErr> {
    let mut sql = Fragment::new("UPDATE pattern_progress SET lease_owner = ");
    sql.text(owner)
        .push(", lease_until = ")
        .int(now_us + LEASE_US)
        .push(" WHERE id = 1 AND (lease_until IS NULL OR lease_until < ")
        .int(now_us)
        .push(" OR lease_owner = ")
        .text(owner)
        .push(")");
    let done = db
        .execute_raw(statement(db.get_database_backend(), &sql))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The last line id mined.
pub async fn watermark(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let rows: Vec<(i64,)> = fetch_all(
        db,
        &Fragment::new("SELECT last_log_id FROM pattern_progress WHERE id = 1"),
    )
    .await?;
    Ok(rows.first().map_or(0, |row| row.0))
}

/// The watermark, and up to `batch` lines after it in id order, no further than `settled`
/// (`store::horizon`).
pub async fn lines_after_watermark(
    db: &DatabaseConnection,
    settled: i64,
    batch: u32,
) -> Result<(i64, Vec<MinedLine>), DbErr> {
    let after = watermark(db).await?;
    let mut sql = Fragment::new("SELECT id, app_id, ts, level, message FROM logs WHERE id > ");
    sql.int(after)
        .push(" AND id <= ")
        .int(settled)
        .push(" ORDER BY id LIMIT ")
        .int(i64::from(batch));
    let rows: Vec<(i64, i64, i64, i16, String)> = fetch_all(db, &sql).await?;
    let lines = rows
        .into_iter()
        .map(|(id, app_id, ts, level, message)| MinedLine {
            id,
            app_id,
            ts,
            level,
            message,
        })
        .collect();
    Ok((after, lines))
}

/// The app's `limit` most recently seen patterns: cluster, template, count.
pub async fn stored_templates(
    db: &DatabaseConnection,
    app_id: i64,
    limit: usize,
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    let mut sql = Fragment::new("SELECT cluster, template, count FROM patterns WHERE app_id = ");
    sql.int(app_id)
        .push(" ORDER BY last_seen DESC LIMIT ")
        .int(limit as i64);
    fetch_all(db, &sql).await
}

/// Writes `batch` and moves the watermark to `last_id`, in one transaction and only while
/// `owner` holds the lease; false when it no longer does (nothing is written then).
pub async fn write(
    db: &DatabaseConnection,
    owner: &str,
    batch: &BatchCounts,
    last_id: i64,
) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let txn = begin_write(db).await?;
    let mut progress = Fragment::new("UPDATE pattern_progress SET last_log_id = ");
    progress
        .int(last_id)
        .push(" WHERE id = 1 AND lease_owner = ")
        .text(owner);
    if txn
        .execute_raw(statement(backend, &progress))
        .await?
        .rows_affected()
        != 1
    {
        return Ok(false);
    }
    for ((app_id, cluster), share) in &batch.shares {
        let mut upsert = Fragment::new(
            "INSERT INTO patterns (app_id, cluster, template, first_seen, last_seen, count) VALUES (",
        );
        upsert
            .int(*app_id)
            .push(", ")
            .int(*cluster)
            .push(", ")
            .text(share.template.clone())
            .push(", ")
            .int(share.first_seen)
            .push(", ")
            .int(share.last_seen)
            .push(", ")
            .int(share.count)
            .push(
                ") ON CONFLICT (app_id, cluster) DO UPDATE SET template = excluded.template, \
                 first_seen = CASE WHEN excluded.first_seen < patterns.first_seen \
                 THEN excluded.first_seen ELSE patterns.first_seen END, \
                 last_seen = CASE WHEN excluded.last_seen > patterns.last_seen \
                 THEN excluded.last_seen ELSE patterns.last_seen END, \
                 count = patterns.count + excluded.count RETURNING id",
            );
        let row = txn
            .query_one_raw(statement(backend, &upsert))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("the pattern upsert returned no id".into()))?;
        let pattern_id: i64 = row.try_get_by_index(0)?;
        for (bucket, levels) in &share.buckets {
            let mut counts = Fragment::new(
                "INSERT INTO pattern_counts (pattern_id, app_id, bucket, trace, debug, info, warn, \
                 error, fatal) VALUES (",
            );
            counts
                .int(pattern_id)
                .push(", ")
                .int(*app_id)
                .push(", ")
                .int(*bucket);
            for count in levels {
                counts.push(", ").int(*count);
            }
            counts.push(
                ") ON CONFLICT (pattern_id, bucket) DO UPDATE SET \
                 trace = pattern_counts.trace + excluded.trace, \
                 debug = pattern_counts.debug + excluded.debug, \
                 info = pattern_counts.info + excluded.info, \
                 warn = pattern_counts.warn + excluded.warn, \
                 error = pattern_counts.error + excluded.error, \
                 fatal = pattern_counts.fatal + excluded.fatal",
            );
            txn.execute_raw(statement(backend, &counts)).await?;
        }
    }
    txn.commit().await?;
    Ok(true)
}

/// A pattern's lines within a time window, per level, with when it was first and last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternRow {
    pub id: i64,
    pub template: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub trace: i64,
    pub debug: i64,
    pub info: i64,
    pub warn: i64,
    pub error: i64,
    pub fatal: i64,
}

impl PatternRow {
    pub fn total(&self) -> i64 {
        self.trace + self.debug + self.info + self.warn + self.error + self.fatal
    }

    pub fn levels(&self) -> [i64; 6] {
        [
            self.trace, self.debug, self.info, self.warn, self.error, self.fatal,
        ]
    }
}

/// The app's patterns with lines in the buckets starting in `[start_us, end_us)`, the most
/// lines first, at most `limit`.
pub async fn pattern_rows(
    db: &DatabaseConnection,
    app_id: i64,
    start_us: i64,
    end_us: i64,
    limit: u32,
) -> Result<Vec<PatternRow>, DbErr> {
    let first = start_us.div_euclid(BUCKET_US) * BUCKET_US;
    let mut sql = Fragment::new(
        "SELECT p.id, p.template, p.first_seen, p.last_seen, \
         CAST(sum(c.trace) AS BIGINT) AS trace, CAST(sum(c.debug) AS BIGINT) AS debug, \
         CAST(sum(c.info) AS BIGINT) AS info, CAST(sum(c.warn) AS BIGINT) AS warn, \
         CAST(sum(c.error) AS BIGINT) AS error, CAST(sum(c.fatal) AS BIGINT) AS fatal \
         FROM pattern_counts c JOIN patterns p ON p.id = c.pattern_id WHERE c.app_id = ",
    );
    sql.int(app_id)
        .push(" AND c.bucket >= ")
        .int(first)
        .push(" AND c.bucket < ")
        .int(end_us)
        .push(
            " GROUP BY p.id, p.template, p.first_seen, p.last_seen \
             ORDER BY sum(c.trace + c.debug + c.info + c.warn + c.error + c.fatal) DESC, p.id \
             LIMIT ",
        )
        .int(i64::from(limit));
    type Row = (i64, String, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = fetch_all(db, &sql).await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, template, first_seen, last_seen, trace, debug, info, warn, error, fatal)| {
                PatternRow {
                    id,
                    template,
                    first_seen,
                    last_seen,
                    trace,
                    debug,
                    info,
                    warn,
                    error,
                    fatal,
                }
            },
        )
        .collect())
}

/// Lines per bucket of each of `ids` in `[start_us, end_us)`: (pattern, bucket, lines).
pub async fn pattern_buckets(
    db: &DatabaseConnection,
    app_id: i64,
    ids: &[i64],
    start_us: i64,
    end_us: i64,
) -> Result<Vec<(i64, i64, i64)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let first = start_us.div_euclid(BUCKET_US) * BUCKET_US;
    let mut sql = Fragment::new(
        "SELECT pattern_id, bucket, CAST(trace + debug + info + warn + error + fatal AS BIGINT) \
         FROM pattern_counts WHERE app_id = ",
    );
    sql.int(app_id).push(" AND pattern_id IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.int(*id);
    }
    sql.push(") AND bucket >= ")
        .int(first)
        .push(" AND bucket < ")
        .int(end_us);
    fetch_all(db, &sql).await
}

/// Deletes a deleted app's patterns and their counts.
pub async fn delete_app_patterns(db: &DatabaseConnection, app_id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for table in ["pattern_counts", "patterns"] {
        let mut sql = Fragment::new(&format!("DELETE FROM {table} WHERE app_id = "));
        sql.int(app_id);
        db.execute_raw(statement(backend, &sql)).await?;
    }
    Ok(())
}

/// Mined lines of the app in the buckets starting in `[start_us, end_us)`.
pub async fn pattern_total(
    db: &DatabaseConnection,
    app_id: i64,
    start_us: i64,
    end_us: i64,
) -> Result<i64, DbErr> {
    let first = start_us.div_euclid(BUCKET_US) * BUCKET_US;
    let mut sql = Fragment::new(
        "SELECT CAST(COALESCE(sum(trace + debug + info + warn + error + fatal), 0) AS BIGINT) \
         FROM pattern_counts WHERE app_id = ",
    );
    sql.int(app_id)
        .push(" AND bucket >= ")
        .int(first)
        .push(" AND bucket < ")
        .int(end_us);
    let rows: Vec<(i64,)> = fetch_all(db, &sql).await?;
    Ok(rows.first().map_or(0, |row| row.0))
}

/// Lines of the app after line `watermark` (counted up to 100,000): not mined yet.
pub async fn lines_after(
    db: &DatabaseConnection,
    app_id: i64,
    watermark: i64,
) -> Result<i64, DbErr> {
    let mut sql =
        Fragment::new("SELECT CAST(count(*) AS BIGINT) FROM (SELECT 1 FROM logs WHERE id > ");
    sql.int(watermark)
        .push(" AND app_id = ")
        .int(app_id)
        .push(" LIMIT 100000) AS waiting");
    let rows: Vec<(i64,)> = fetch_all(db, &sql).await?;
    Ok(rows.first().map_or(0, |row| row.0))
}
