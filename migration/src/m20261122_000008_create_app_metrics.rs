use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Per-app, per-minute line counts by level, upserted in the ingest transaction so that
/// health and volume never scan the logs table.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(AppMetrics::Table)
            .col(big_integer(AppMetrics::AppId))
            // Minutes since the Unix epoch (UTC).
            .col(big_integer(AppMetrics::Minute));
        for level in [
            AppMetrics::Trace,
            AppMetrics::Debug,
            AppMetrics::Info,
            AppMetrics::Warn,
            AppMetrics::Error,
            AppMetrics::Fatal,
        ] {
            table.col(big_integer(level).default(0));
        }
        table.primary_key(
            Index::create()
                .col(AppMetrics::AppId)
                .col(AppMetrics::Minute),
        );
        manager.create_table(table.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AppMetrics::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AppMetrics {
    Table,
    AppId,
    Minute,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}
