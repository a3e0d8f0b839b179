use sea_orm::entity::prelude::*;

/// Error events of one app grouped under one grouping hash (docs/grouping.md). Times are UTC
/// µs; `status` is a [`crate::model::issues::IssueStatus`] as text.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "issues")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    pub hash: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub culprit: String,
    pub level: i16,
    pub status: String,
    pub first_seen: i64,
    pub last_seen: i64,
    pub times_seen: i64,
    /// When a new event reopened it after it was resolved; cleared when resolved again.
    pub regressed_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// The grouping components, a JSON list of strings.
    #[sea_orm(column_type = "Text")]
    pub grouping: String,
}

impl ActiveModelBehavior for ActiveModel {}
