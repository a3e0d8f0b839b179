use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000004_create_apps::Apps;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(big_pk_auto(ApiKeys::Id))
                    .col(big_integer(ApiKeys::AppId))
                    .col(string_len(ApiKeys::Name, 64))
                    // SHA-256 of the key, hex; the unique index makes authentication one lookup.
                    .col(char_len_uniq(ApiKeys::KeySha256, 64))
                    .col(string_len(ApiKeys::DisplayPrefix, 16))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiKeys::Table, ApiKeys::AppId)
                            .to(Apps::Table, Apps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("api_keys_app")
                    .table(ApiKeys::Table)
                    .col(ApiKeys::AppId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    AppId,
    Name,
    KeySha256,
    DisplayPrefix,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
