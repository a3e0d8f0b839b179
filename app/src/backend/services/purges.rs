//! Removing a deleted app's lines in the background, in small transactions so that ingest
//! and queries never wait long behind one huge delete. A purge survives restarts: its row in
//! `app_purges` goes only when nothing of the app is left.
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};

use crate::backend::{
    ServiceError,
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
        // `DELETE … WHERE id IN (SELECT id … LIMIT n)` works on SQLite and PostgreSQL alike.
        let ids = Query::select()
            .column(logs::Column::Id)
            .from(logs::Entity)
            .and_where(logs::Column::AppId.eq(app_id))
            .limit(batch)
            .to_owned();
        let done = logs::Entity::delete_many()
            .filter(logs::Column::Id.in_subquery(ids))
            .exec(db)
            .await?
            .rows_affected;
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
    app_purges::Entity::delete_by_id(app_id).exec(db).await?;
    tracing::info!(app_id, lines = deleted, "deleted app purged");
    Ok(deleted)
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
