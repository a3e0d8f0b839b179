use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Apps::Table)
                    // Numeric on purpose: it doubles as the Sentry project id in DSNs.
                    .col(big_pk_auto(Apps::Id))
                    .col(big_integer(Apps::OwnerId))
                    .col(string_len(Apps::Name, 64))
                    .col(text(Apps::Description).default(""))
                    // The DSN's public key (32 hex characters), rotatable.
                    .col(char_len_uniq(Apps::PublicKey, 32))
                    .col(timestamp_with_time_zone(Apps::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Apps::Table, Apps::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("apps_owner_name")
                    .table(Apps::Table)
                    .col(Apps::OwnerId)
                    .col(Apps::Name)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Apps::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Apps {
    Table,
    Id,
    OwnerId,
    Name,
    Description,
    PublicKey,
    CreatedAt,
}
