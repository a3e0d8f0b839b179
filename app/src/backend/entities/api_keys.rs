use sea_orm::entity::prelude::*;

/// An ingest key. The key itself is shown once at creation; only its SHA-256 is kept.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub key_sha256: String,
    /// The first characters of the key, enough to tell keys apart in a list.
    pub display_prefix: String,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "app_id", to = "id")]
    pub app: BelongsTo<super::apps::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
