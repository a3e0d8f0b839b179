use sea_orm::entity::prelude::*;

/// One log line. `ts` and `received_at` are UTC microseconds since the Unix epoch; `level`
/// is a [`crate::model::Level`] as an integer so that `level:>=warn` is a comparison.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    pub ts: i64,
    pub received_at: i64,
    pub level: i16,
    pub service: String,
    pub environment: Option<String>,
    pub release: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    #[sea_orm(column_type = "JsonBinary")]
    pub attributes: Json,
    pub trace_id: Option<String>,
    pub issue_id: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
