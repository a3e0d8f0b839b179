//! Reading the history: entries newest first, each with its deliveries.
use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    backend::entities::{alert_deliveries, alert_events, alert_rules},
    model::alerts::{Channel, ChannelView, DeliveryStatus, DeliveryView, EntryKind, HistoryEntry},
};

/// Entries a page shows.
pub const HISTORY_ENTRIES: u64 = 50;

/// The newest entries of app `app_id`, or of one of its rules.
pub async fn entries(
    db: &DatabaseConnection,
    app_id: i64,
    rule_id: Option<i64>,
) -> Result<Vec<HistoryEntry>, DbErr> {
    let mut find = alert_events::Entity::find().filter(alert_events::Column::AppId.eq(app_id));
    if let Some(rule_id) = rule_id {
        find = find.filter(alert_events::Column::RuleId.eq(rule_id));
    }
    let events = find
        .order_by_desc(alert_events::Column::Id)
        .limit(HISTORY_ENTRIES)
        .all(db)
        .await?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let rule_ids: Vec<i64> = events.iter().map(|e| e.rule_id).collect();
    let names: HashMap<i64, String> = alert_rules::Entity::find()
        .filter(alert_rules::Column::Id.is_in(rule_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|rule| (rule.id, rule.name))
        .collect();
    let event_ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let mut deliveries: HashMap<i64, Vec<DeliveryView>> = HashMap::new();
    for delivery in alert_deliveries::Entity::find()
        .filter(alert_deliveries::Column::EventId.is_in(event_ids))
        .order_by_asc(alert_deliveries::Column::Id)
        .all(db)
        .await?
    {
        deliveries
            .entry(delivery.event_id)
            .or_default()
            .push(view(delivery));
    }
    Ok(events
        .into_iter()
        .map(|event| HistoryEntry {
            id: event.id,
            rule_id: event.rule_id,
            rule_name: names.get(&event.rule_id).cloned().unwrap_or_default(),
            kind: EntryKind::parse(&event.kind).unwrap_or(EntryKind::Fired),
            at_us: event.created_at,
            value: event.value,
            summary: event.summary,
            link: event.link,
            deliveries: deliveries.remove(&event.id).unwrap_or_default(),
        })
        .collect())
}

fn view(delivery: alert_deliveries::Model) -> DeliveryView {
    let channel = serde_json::from_str::<Channel>(&delivery.channel)
        .map(|c| c.view())
        .unwrap_or(ChannelView {
            kind: "webhook".into(),
            target: String::new(),
            signed: false,
        });
    DeliveryView {
        channel,
        status: DeliveryStatus::parse(&delivery.status).unwrap_or(DeliveryStatus::Failed),
        attempts: delivery.attempts.max(0) as u32,
        last_error: delivery.last_error,
        delivered_us: delivery.delivered_at,
        next_attempt_us: delivery.next_attempt_at,
    }
}

/// Per rule, its deliveries that are failing (failed, or pending after a failed attempt).
pub async fn failing(
    db: &DatabaseConnection,
    rule_ids: &[i64],
) -> Result<HashMap<i64, u32>, DbErr> {
    let mut counts = HashMap::new();
    if rule_ids.is_empty() {
        return Ok(counts);
    }
    let rows: Vec<(i64, String, i32)> = alert_deliveries::Entity::find()
        .select_only()
        .column(alert_deliveries::Column::RuleId)
        .column(alert_deliveries::Column::Status)
        .column(alert_deliveries::Column::Attempts)
        .filter(alert_deliveries::Column::RuleId.is_in(rule_ids.iter().copied()))
        .filter(alert_deliveries::Column::Status.is_in([
            DeliveryStatus::Failed.as_str(),
            DeliveryStatus::Pending.as_str(),
        ]))
        .into_tuple()
        .all(db)
        .await?;
    for (rule_id, status, attempts) in rows {
        if status == DeliveryStatus::Failed.as_str() || attempts > 0 {
            *counts.entry(rule_id).or_insert(0) += 1;
        }
    }
    Ok(counts)
}
