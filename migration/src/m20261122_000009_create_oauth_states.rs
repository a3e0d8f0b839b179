use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One pending OAuth sign-in: the PKCE verifier and where to go afterwards, keyed by the
/// SHA-256 of the `state` sent to the provider. Rows live ten minutes and are used once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OauthStates::Table)
                    .col(big_pk_auto(OauthStates::Id))
                    // SHA-256 of the state parameter, hex: the state itself is never stored.
                    .col(char_len_uniq(OauthStates::StateSha256, 64))
                    .col(string_len(OauthStates::Provider, 32))
                    .col(string_len(OauthStates::PkceVerifier, 128))
                    .col(string_len(OauthStates::NextPath, 2048))
                    .col(timestamp_with_time_zone(OauthStates::CreatedAt))
                    .col(timestamp_with_time_zone(OauthStates::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("oauth_states_expires_at")
                    .table(OauthStates::Table)
                    .col(OauthStates::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OauthStates::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum OauthStates {
    Table,
    Id,
    StateSha256,
    Provider,
    PkceVerifier,
    NextPath,
    CreatedAt,
    ExpiresAt,
}
