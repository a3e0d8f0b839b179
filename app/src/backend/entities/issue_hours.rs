use sea_orm::entity::prelude::*;

/// An issue's events per hour (hours since the Unix epoch, UTC), for sparklines.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issue_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub issue_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub hour: i64,
    pub count: i64,
}

impl ActiveModelBehavior for ActiveModel {}
