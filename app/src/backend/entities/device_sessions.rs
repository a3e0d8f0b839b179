use sea_orm::entity::prelude::*;

/// One run of the CLI device flow (RFC 8628).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "device_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub device_code_sha256: String,
    #[sea_orm(unique)]
    pub user_code: String,
    /// pending | approved | denied | consumed | expired
    pub status: String,
    pub client_name: Option<String>,
    pub app_name: Option<String>,
    pub user_id: Option<i64>,
    pub app_id: Option<i64>,
    /// The handed-off API key, encrypted with the server secret; cleared once read.
    pub key_ciphertext: Option<String>,
    pub interval_secs: i32,
    pub last_poll_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
