use sea_orm::entity::prelude::*;

/// Line counts per app, per minute (since the Unix epoch), per level, and the smallest and
/// largest id of the lines written for that minute (NULL only for a minute without lines).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_metrics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub minute: i64,
    pub trace: i64,
    pub debug: i64,
    pub info: i64,
    pub warn: i64,
    pub error: i64,
    pub fatal: i64,
    pub min_id: Option<i64>,
    pub max_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
