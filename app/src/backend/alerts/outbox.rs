//! The history and its deliveries. An entry is recorded with one delivery row per channel in
//! the caller's transaction; the delivery task claims due rows for a while (so that two
//! servers never send the same row at once), sends them, and records the outcome: sent, or
//! an error with the next attempt after a growing pause, or failed after the last attempt.
//!
//! A server stopped while sending leaves its claim to expire: the row is sent again then
//! (at least once). Receivers can drop the copy by the `X-Lodestar-Delivery` header.
use std::sync::Arc;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryInsertResult, sea_query::Expr,
};

use super::{Alerts, Notification, channels};
use crate::{
    backend::entities::{alert_deliveries, alert_events},
    model::alerts::{Channel, DeliveryStatus, EntryKind},
};

const SECOND_US: i64 = 1_000_000;
/// Pauses before the second, third… attempt; after the last, the delivery has failed.
const BACKOFF_SECS: [i64; 5] = [10, 60, 5 * 60, 30 * 60, 2 * 60 * 60];
/// How long a server may take to send a claimed delivery before another may take it.
const CLAIM_SECS: i64 = 120;
/// Deliveries sent per pass at most.
const BATCH: u64 = 32;
/// Characters of an error kept.
const ERROR_CHARS: usize = 500;

/// One history entry to record.
pub struct NewEntry {
    pub rule_id: i64,
    pub app_id: i64,
    pub kind: EntryKind,
    /// Unique per rule: recording the same thing twice keeps the first.
    pub dedupe: String,
    pub value: Option<f64>,
    pub issue_id: Option<i64>,
    pub summary: String,
    /// The lines (or issue) that caused it, as a path in Lodestar.
    pub link: String,
    pub notification: Notification,
    pub channels: Vec<Channel>,
    /// False within the rule's cooldown: the deliveries are kept as suppressed.
    pub notify: bool,
}

/// Records `entry` and its deliveries; `None` when the rule already has an entry with its
/// `dedupe`.
pub async fn record(
    db: &impl ConnectionTrait,
    entry: NewEntry,
    now_us: i64,
) -> Result<Option<i64>, DbErr> {
    let payload = serde_json::to_string(&entry.notification)
        .map_err(|e| DbErr::Custom(format!("the notification does not encode: {e}")))?;
    let inserted = alert_events::Entity::insert(alert_events::ActiveModel {
        rule_id: Set(entry.rule_id),
        app_id: Set(entry.app_id),
        kind: Set(entry.kind.as_str().into()),
        dedupe: Set(entry.dedupe),
        value: Set(entry.value),
        issue_id: Set(entry.issue_id),
        summary: Set(entry.summary),
        link: Set(entry.link),
        payload: Set(payload),
        created_at: Set(now_us),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([alert_events::Column::RuleId, alert_events::Column::Dedupe])
    .exec(db)
    .await?;
    let event_id = match inserted {
        TryInsertResult::Inserted(result) => result.last_insert_id,
        TryInsertResult::Conflicted | TryInsertResult::Empty => return Ok(None),
    };
    let status = if entry.notify {
        DeliveryStatus::Pending
    } else {
        DeliveryStatus::Suppressed
    };
    let rows: Vec<_> = entry
        .channels
        .iter()
        .map(|channel| alert_deliveries::ActiveModel {
            event_id: Set(event_id),
            rule_id: Set(entry.rule_id),
            channel: Set(serde_json::to_string(channel).unwrap_or_default()),
            status: Set(status.as_str().into()),
            attempts: Set(0),
            next_attempt_at: Set(entry.notify.then_some(now_us)),
            claimed_until: Set(None),
            last_error: Set(None),
            delivered_at: Set(None),
            created_at: Set(now_us),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        alert_deliveries::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(Some(event_id))
}

/// Sends the deliveries that are due at `now_us`; answers how many were attempted.
pub async fn deliver_due(
    db: &DatabaseConnection,
    alerts: &Arc<Alerts>,
    now_us: i64,
) -> Result<usize, DbErr> {
    let due = alert_deliveries::Entity::find()
        .filter(alert_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(alert_deliveries::Column::NextAttemptAt.lte(now_us))
        .filter(
            Condition::any()
                .add(alert_deliveries::Column::ClaimedUntil.is_null())
                .add(alert_deliveries::Column::ClaimedUntil.lt(now_us)),
        )
        .order_by_asc(alert_deliveries::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut sends = tokio::task::JoinSet::new();
    let mut attempted = 0;
    for delivery in due {
        if !claim(db, delivery.id, now_us).await? {
            continue;
        }
        let Some(event) = alert_events::Entity::find_by_id(delivery.event_id)
            .one(db)
            .await?
        else {
            continue;
        };
        attempted += 1;
        let parsed = serde_json::from_str::<Channel>(&delivery.channel).and_then(|channel| {
            serde_json::from_str::<Notification>(&event.payload).map(|n| (channel, n))
        });
        match parsed {
            Ok((channel, notification)) => {
                let alerts = alerts.clone();
                sends.spawn(async move {
                    let outcome =
                        channels::send(&alerts, &channel, &notification, delivery.id).await;
                    (delivery, outcome)
                });
            }
            Err(error) => {
                finish(
                    db,
                    &delivery,
                    Err(format!("unreadable delivery: {error}")),
                    now_us,
                    true,
                )
                .await?
            }
        }
    }
    while let Some(joined) = sends.join_next().await {
        let Ok((delivery, outcome)) = joined else {
            continue;
        };
        finish(db, &delivery, outcome, now_us, false).await?;
    }
    Ok(attempted)
}

/// Takes delivery `id` for this server for a while; false when another has it.
async fn claim(db: &DatabaseConnection, id: i64, now_us: i64) -> Result<bool, DbErr> {
    let claimed = alert_deliveries::Entity::update_many()
        .col_expr(
            alert_deliveries::Column::ClaimedUntil,
            Expr::value(now_us + CLAIM_SECS * SECOND_US),
        )
        .filter(alert_deliveries::Column::Id.eq(id))
        .filter(alert_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(
            Condition::any()
                .add(alert_deliveries::Column::ClaimedUntil.is_null())
                .add(alert_deliveries::Column::ClaimedUntil.lt(now_us)),
        )
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Records an attempt's outcome; `give_up` fails the delivery at once.
async fn finish(
    db: &DatabaseConnection,
    delivery: &alert_deliveries::Model,
    outcome: Result<String, String>,
    now_us: i64,
    give_up: bool,
) -> Result<(), DbErr> {
    let attempts = delivery.attempts + 1;
    let mut update = alert_deliveries::Entity::update_many()
        .col_expr(alert_deliveries::Column::Attempts, Expr::value(attempts))
        .col_expr(
            alert_deliveries::Column::ClaimedUntil,
            Expr::value(Option::<i64>::None),
        )
        .filter(alert_deliveries::Column::Id.eq(delivery.id));
    match outcome {
        Ok(_) => {
            update = update
                .col_expr(
                    alert_deliveries::Column::Status,
                    Expr::value(DeliveryStatus::Sent.as_str()),
                )
                .col_expr(alert_deliveries::Column::DeliveredAt, Expr::value(now_us))
                .col_expr(
                    alert_deliveries::Column::NextAttemptAt,
                    Expr::value(Option::<i64>::None),
                )
                .col_expr(
                    alert_deliveries::Column::LastError,
                    Expr::value(Option::<String>::None),
                );
        }
        Err(error) => {
            let error: String = error.chars().take(ERROR_CHARS).collect();
            tracing::warn!(delivery = delivery.id, rule = delivery.rule_id, %error, "an alert delivery failed");
            let next = next_attempt(attempts, now_us).filter(|_| !give_up);
            let status = if next.is_some() {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::Failed
            };
            update = update
                .col_expr(
                    alert_deliveries::Column::Status,
                    Expr::value(status.as_str()),
                )
                .col_expr(alert_deliveries::Column::NextAttemptAt, Expr::value(next))
                .col_expr(alert_deliveries::Column::LastError, Expr::value(error));
        }
    }
    update.exec(db).await?;
    Ok(())
}

/// Records how a test send to delivery `id` went (tests are sent once, never retried).
pub async fn record_test(
    db: &impl ConnectionTrait,
    id: i64,
    outcome: &Result<String, String>,
    now_us: i64,
) -> Result<(), DbErr> {
    let (status, error, delivered) = match outcome {
        Ok(_) => (DeliveryStatus::Sent, None, Some(now_us)),
        Err(error) => (
            DeliveryStatus::Failed,
            Some(error.chars().take(ERROR_CHARS).collect::<String>()),
            None,
        ),
    };
    alert_deliveries::Entity::update_many()
        .col_expr(
            alert_deliveries::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(alert_deliveries::Column::Attempts, Expr::value(1))
        .col_expr(alert_deliveries::Column::LastError, Expr::value(error))
        .col_expr(
            alert_deliveries::Column::DeliveredAt,
            Expr::value(delivered),
        )
        .filter(alert_deliveries::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// When attempt `attempts + 1` is due, or `None` when `attempts` was the last.
pub fn next_attempt(attempts: i32, now_us: i64) -> Option<i64> {
    let pause = BACKOFF_SECS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    Some(now_us + pause * SECOND_US)
}

/// Attempts a delivery gets in all.
pub const MAX_ATTEMPTS: usize = BACKOFF_SECS.len() + 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(next_attempt(1, 0), Some(10 * SECOND_US));
        assert_eq!(next_attempt(2, 0), Some(60 * SECOND_US));
        assert_eq!(next_attempt(5, 0), Some(2 * 60 * 60 * SECOND_US));
        assert_eq!(next_attempt(6, 0), None);
        assert_eq!(next_attempt(0, 0), None);
        assert_eq!(MAX_ATTEMPTS, 6);
    }
}
