//! SQLite's full-text index of messages (`logs_fts`, trigrams), filled beside the ingest
//! writer instead of inside its commits: indexing each message's trigrams in the writer's
//! transaction cut ingest by 80 % (measured with `lodestar-bench --direct-only`).
//!
//! The index covers every line up to its newest rowid (the watermark), in id order. Searches
//! look up the index up to the watermark and read the newer lines, which the indexer has not
//! reached yet, directly: results never depend on how far behind it is.
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// Lines indexed per transaction: small, so that the writer never waits long for the lock.
pub const BATCH: u32 = 2_000;

/// The newest line id the index holds (0 when empty).
pub async fn watermark(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT rowid FROM logs_fts ORDER BY rowid DESC LIMIT 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index::<i64>(0)?,
        None => 0,
    })
}

/// Indexes up to `batch` lines after the watermark, in one statement; returns how many. On
/// PostgreSQL there is nothing to do.
pub async fn index_new_lines(db: &DatabaseConnection, batch: u32) -> Result<u64, DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(0);
    }
    let done = db
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO logs_fts (rowid, message) SELECT id, message FROM logs \
             WHERE id > coalesce((SELECT rowid FROM logs_fts ORDER BY rowid DESC LIMIT 1), 0) \
             ORDER BY id LIMIT ?",
            [i64::from(batch).into()],
        ))
        .await?;
    Ok(done.rows_affected())
}

/// Indexes everything written so far (tests, benchmarks, the migration's backfill).
pub async fn catch_up(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let done = index_new_lines(db, 50_000).await?;
        total += done;
        if done == 0 {
            return Ok(total);
        }
    }
}
