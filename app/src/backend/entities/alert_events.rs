use sea_orm::entity::prelude::*;

/// One entry of a rule's history: it fired, resolved, or a test was sent. `payload` is the
/// notification the channels render (JSON). Times are UTC µs.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rule_id: i64,
    pub app_id: i64,
    pub kind: String,
    /// Unique per rule: the same firing recorded twice is kept once.
    pub dedupe: String,
    pub value: Option<f64>,
    pub issue_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    #[sea_orm(column_type = "Text")]
    pub link: String,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub created_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
