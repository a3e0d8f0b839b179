use sea_orm::entity::prelude::*;

/// One stored error event. `payload` is a [`crate::model::issues::EventDetail`] as JSON;
/// `log_id` is the line it left in the log stream.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    pub issue_id: i64,
    /// The SDK's id, 32 hex digits.
    pub event_id: String,
    pub ts: i64,
    pub received_at: i64,
    pub level: i16,
    pub environment: Option<String>,
    pub release: Option<String>,
    pub log_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
}

impl ActiveModelBehavior for ActiveModel {}
