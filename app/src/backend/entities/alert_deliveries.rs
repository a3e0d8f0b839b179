use sea_orm::entity::prelude::*;

/// One notification of an alert event to one channel: the outbox the delivery task works
/// through. `status` is a [`crate::model::alerts::DeliveryStatus`] as text; `channel` the
/// channel (JSON) as it was when the event was recorded. Times are UTC µs.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_id: i64,
    pub rule_id: i64,
    #[sea_orm(column_type = "Text")]
    pub channel: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    /// A server is sending it until then; after, another may take it over.
    pub claimed_until: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
