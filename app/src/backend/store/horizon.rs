//! How far a reader that follows `logs` by id (the pattern miner) may go without skipping a
//! line that commits later.
//!
//! SQLite has one writer at a time, and ids are drawn under its lock: rows commit in id order
//! and every committed id may be read. PostgreSQL draws ids from a sequence outside any lock,
//! so with several servers one writer can commit ids 101–200 while another still holds 1–100;
//! a reader that moved its watermark to 200 would never see them. Every ingest transaction
//! on PostgreSQL therefore holds a shared advisory lock (`WRITER_LOCK_SQL`) from before it
//! draws an id until it ends. The reader notes the sequence's last value, then the writers
//! holding that lock, and waits for those to end: any id up to that value is then committed
//! or abandoned for good.
use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbBackend, DbErr, sqlx};

/// The advisory lock's keys, and the rows of `pg_locks` that show it held (the two-key form
/// shows as objsubid 2).
macro_rules! writer_lock {
    (keys) => {
        "1280262227, 1"
    };
    (held) => {
        "FROM pg_locks WHERE locktype = 'advisory' AND classid = 1280262227 AND objid = 1 \
         AND objsubid = 2 AND granted \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    };
}

/// Taken first in every PostgreSQL ingest transaction; writers share it, nobody takes it
/// exclusively, so it never makes a writer wait.
pub const WRITER_LOCK_SQL: &str = concat!(
    "SELECT pg_advisory_xact_lock_shared(",
    writer_lock!(keys),
    ")"
);
const HOLDERS_SQL: &str = concat!("SELECT virtualtransaction ", writer_lock!(held));
const STILL_HELD_SQL: &str = concat!(
    "SELECT count(*) ",
    writer_lock!(held),
    " AND virtualtransaction = ANY($1)"
);

/// How long a reader waits for the writers in flight; an ingest commit takes milliseconds.
const SETTLE_WAIT: Duration = Duration::from_secs(2);
const SETTLE_POLL: Duration = Duration::from_millis(10);

/// The highest line id below which no line can still appear: `i64::MAX` on SQLite, and on
/// PostgreSQL the sequence's value once the writers that might hold a lower id have ended.
/// `None` when they have not ended within a short wait: read nothing new this time.
pub async fn settled(db: &DatabaseConnection) -> Result<Option<i64>, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(Some(i64::MAX));
    }
    let pool = db.get_postgres_connection_pool();
    let error = |e: sqlx::Error| DbErr::Custom(format!("reading the commit horizon: {e}"));
    // The sequence first, the holders second: a writer with an id up to `last` took the lock
    // before drawing it, so it is among the holders unless it has already ended.
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT pg_sequence_last_value(pg_get_serial_sequence('logs', 'id')::regclass)",
    )
    .fetch_one(pool)
    .await
    .map_err(error)?;
    let Some(last) = last else {
        return Ok(Some(0)); // no id drawn yet
    };
    let holders: Vec<String> = sqlx::query_scalar(HOLDERS_SQL)
        .fetch_all(pool)
        .await
        .map_err(error)?;
    let deadline = Instant::now() + SETTLE_WAIT;
    while !holders.is_empty() {
        let still: i64 = sqlx::query_scalar(STILL_HELD_SQL)
            .bind(&holders)
            .fetch_one(pool)
            .await
            .map_err(error)?;
        if still == 0 {
            break;
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(SETTLE_POLL).await;
    }
    Ok(Some(last))
}
