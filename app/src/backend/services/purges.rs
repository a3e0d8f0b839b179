//! Removing a deleted app's lines in the background, in small transactions so that ingest
//! and queries never wait long behind one huge delete. A purge survives restarts: its row in
//! `app_purges` goes only when nothing of the app is left.
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, sea_query::Query,
};

use crate::backend::{
    ServiceError,
    db::begin_write,
    entities::{app_metrics, app_purges, logs},
};

/// Lines deleted per transaction.
pub const BATCH: u64 = 5_000;

/// Finishes every pending purge, `batch` lines per statement. Returns the lines deleted.
pub async fn run_pending(db: &DatabaseConnection, batch: u64) -> Result<u64, ServiceError> {
    let pending = app_purges::Entity::find()
        .order_by_asc(app_purges::Column::RequestedAt)
        .all(db)
        .await?;
    let mut deleted = 0;
    for purge in pending {
        deleted += purge_app(db, purge.app_id, batch).await?;
    }
    Ok(deleted)
}

async fn purge_app(db: &DatabaseConnection, app_id: i64, batch: u64) -> Result<u64, ServiceError> {
    let mut deleted = 0;
    loop {
        let done = match db.get_database_backend() {
            DbBackend::Sqlite => delete_batch_sqlite(db, app_id, batch).await?,
            _ => delete_batch(db, app_id, batch).await?,
        };
        deleted += done;
        if done < batch {
            break;
        }
        tokio::task::yield_now().await;
    }
    app_metrics::Entity::delete_many()
        .filter(app_metrics::Column::AppId.eq(app_id))
        .exec(db)
        .await?;
    super::issues::delete_app_issues(db, app_id).await?;
    crate::backend::patterns::delete_app_patterns(db, app_id).await?;
    app_purges::Entity::delete_by_id(app_id).exec(db).await?;
    tracing::info!(app_id, lines = deleted, "deleted app purged");
    Ok(deleted)
}

/// Deletes up to `batch` of the app's lines; returns how many.
async fn delete_batch(db: &DatabaseConnection, app_id: i64, batch: u64) -> Result<u64, DbErr> {
    // `DELETE … WHERE id IN (SELECT id … LIMIT n)` works on SQLite and PostgreSQL alike.
    let ids = Query::select()
        .column(logs::Column::Id)
        .from(logs::Entity)
        .and_where(logs::Column::AppId.eq(app_id))
        .limit(batch)
        .to_owned();
    Ok(logs::Entity::delete_many()
        .filter(logs::Column::Id.in_subquery(ids))
        .exec(db)
        .await?
        .rows_affected)
}

/// The same on SQLite, where the lines' messages also leave the full-text index `logs_fts`:
/// one transaction deletes the same batch (the app's oldest lines in index order) from both.
async fn delete_batch_sqlite(
    db: &DatabaseConnection,
    app_id: i64,
    batch: u64,
) -> Result<u64, DbErr> {
    const BATCH_IDS: &str = "SELECT id FROM logs WHERE app_id = ? ORDER BY app_id, ts, id LIMIT ?";
    let values = || vec![app_id.into(), (batch as i64).into()];
    let tx = begin_write(db).await?;
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("DELETE FROM logs_fts WHERE rowid IN ({BATCH_IDS})"),
        values(),
    ))
    .await?;
    let done = tx
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            format!("DELETE FROM logs WHERE id IN ({BATCH_IDS})"),
            values(),
        ))
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(done)
}

/// Whether an app id still has lines waiting to be purged (for tests and the CLI).
pub async fn is_pending(db: &impl ConnectionTrait, app_id: i64) -> Result<bool, ServiceError> {
    Ok(app_purges::Entity::find_by_id(app_id)
        .select_only()
        .column(app_purges::Column::AppId)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some())
}
