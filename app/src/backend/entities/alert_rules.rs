use sea_orm::entity::prelude::*;

/// An alert rule of an app, with its state (docs/alerts.md). `kind`, `comparison` and `state`
/// are the text of [`crate::model::alerts`]'s enums; `channels` a JSON list of
/// [`crate::model::alerts::Channel`]. Times are UTC µs.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub query: String,
    pub environment: Option<String>,
    pub window_minutes: i32,
    pub comparison: String,
    pub threshold: f64,
    pub cooldown_minutes: i32,
    pub enabled: bool,
    #[sea_orm(column_type = "Text")]
    pub channels: String,
    pub state: String,
    pub state_since: Option<i64>,
    pub last_value: Option<f64>,
    pub last_evaluated_at: Option<i64>,
    pub last_notified_at: Option<i64>,
    /// Issue rules: the highest issue id (new issue) or regression time already looked at.
    pub issue_cursor: i64,
    /// The server evaluating the rule, until `lease_until`.
    pub lease_owner: Option<String>,
    pub lease_until: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ActiveModelBehavior for ActiveModel {}
