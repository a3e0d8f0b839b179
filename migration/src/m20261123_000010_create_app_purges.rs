use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Apps whose lines are still being deleted. Deleting an app removes its row (and keys) at
/// once and records it here; a background task then deletes its logs and metrics in small
/// batches, and resumes after a restart. No foreign key: the app row is already gone.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AppPurges::Table)
                    .col(big_integer(AppPurges::AppId).primary_key())
                    .col(timestamp_with_time_zone(AppPurges::RequestedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppPurges::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AppPurges {
    Table,
    AppId,
    RequestedAt,
}
