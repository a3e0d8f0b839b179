use sea_orm::entity::prelude::*;

/// An application that sends logs. Its numeric id doubles as the Sentry project id.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "apps")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub description: String,
    /// The public key of the app's DSN (not a secret, but rotatable).
    #[sea_orm(unique)]
    pub public_key: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "owner_id", to = "id")]
    pub owner: BelongsTo<super::users::Entity>,
    #[sea_orm(has_many)]
    pub api_keys: HasMany<super::api_keys::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
