use sea_orm::entity::prelude::*;

/// A deleted app whose logs and metrics are still being removed in the background.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_purges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub app_id: i64,
    pub requested_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
