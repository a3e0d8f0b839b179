use sea_orm::entity::prelude::*;

/// A pending OAuth sign-in, used once and kept ten minutes. Only the SHA-256 of `state` is stored.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "oauth_states")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub state_sha256: String,
    pub provider: String,
    /// The PKCE code verifier sent with the code exchange. Never logged.
    pub pkce_verifier: String,
    /// A local path (`/apps/1`) to land on after sign-in.
    pub next_path: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
