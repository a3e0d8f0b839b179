use sea_orm::entity::prelude::*;

/// How many of an issue's events carried one tag value (`environment`, `release`, `user`,
/// `level` and the SDK's tags), and when one last did (UTC µs).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_tags")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub issue_id: i64,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub key: String,
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub value: String,
    pub count: i64,
    pub last_seen: i64,
}

impl ActiveModelBehavior for ActiveModel {}
