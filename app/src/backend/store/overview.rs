//! What the log view shows about an app as a whole: where the live view starts, which
//! environments exist, and how healthy the app is. All of it reads `app_metrics` or a bounded
//! slice of the time index, never the whole of an app's lines.
use sea_orm::{DatabaseConnection, DbErr};

use crate::model::logs::{Health, HealthState};

use super::sql::{Fragment, fetch_all, fetch_one};

const MINUTE_US: i64 = 60_000_000;
/// Lines whose environments [`environments`] lists.
const ENVIRONMENT_LINES: i64 = 10_000;

/// The newest id of the app (0 if none): the live view's starting cursor. Every minute's row
/// in `app_metrics` holds the largest id written for it, in the same transaction as the lines.
pub async fn latest_id(db: &DatabaseConnection, app_id: i64) -> Result<i64, DbErr> {
    let mut sql = Fragment::new("SELECT max(max_id) FROM app_metrics WHERE app_id = ");
    sql.int(app_id);
    let (id,): (Option<i64>,) = fetch_one(db, &sql).await?;
    Ok(id.unwrap_or(0))
}

/// Distinct environments among the app's newest 10,000 lines, sorted (empty ones left out).
pub async fn environments(db: &DatabaseConnection, app_id: i64) -> Result<Vec<String>, DbErr> {
    let mut sql = Fragment::new(
        "SELECT DISTINCT environment FROM \
         (SELECT environment FROM logs WHERE app_id = ",
    );
    sql.int(app_id)
        .push(" ORDER BY ts DESC, id DESC LIMIT ")
        .int(ENVIRONMENT_LINES)
        .push(
            ") AS newest WHERE environment IS NOT NULL AND environment <> '' ORDER BY environment",
        );
    Ok(fetch_all::<(String,)>(db, &sql)
        .await?
        .into_iter()
        .map(|(env,)| env)
        .collect())
}

/// Health over the last five minutes (the current minute and the four before it) and errors
/// (error and fatal) over the last 24 hours (1,440 minutes), from `app_metrics`.
pub async fn health(db: &DatabaseConnection, app_id: i64, now_us: i64) -> Result<Health, DbErr> {
    let now = now_us.div_euclid(MINUTE_US);
    let recent = now - 5;
    let mut sql = Fragment::new("SELECT CAST(COALESCE(sum(CASE WHEN minute > ");
    sql.int(recent)
        .push(" THEN trace + debug + info + warn + error + fatal END), 0) AS BIGINT), ")
        .push("CAST(COALESCE(sum(CASE WHEN minute > ")
        .int(recent)
        .push(" THEN error + fatal END), 0) AS BIGINT), ")
        .push("CAST(COALESCE(sum(error + fatal), 0) AS BIGINT) FROM app_metrics WHERE app_id = ")
        .int(app_id)
        .push(" AND minute > ")
        .int(now - 24 * 60)
        .push(" AND minute <= ")
        .int(now);
    let (lines_5m, errors_5m, errors_24h): (i64, i64, i64) = fetch_one(db, &sql).await?;
    Ok(Health {
        state: HealthState::from_counts(lines_5m, errors_5m),
        lines_5m,
        errors_5m,
        errors_24h,
        per_minute: lines_5m as f64 / 5.0,
    })
}
