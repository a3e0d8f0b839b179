use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Log patterns (docs/patterns.md): each app's messages clustered into templates by the
/// background miner, which reads committed lines after its watermark. Times are UTC µs.
///
/// - `patterns`: one row per app and cluster: its template, first and last seen, count.
/// - `pattern_counts`: lines per pattern per ten minutes, by level, for trends and level mix.
/// - `pattern_progress`: one row: the last line id mined, and the lease of the server mining,
///   so that with several servers one mines at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Patterns::Table)
                    .col(big_pk_auto(Patterns::Id))
                    .col(big_integer(Patterns::AppId))
                    .col(big_integer(Patterns::Cluster))
                    .col(text(Patterns::Template))
                    .col(big_integer(Patterns::FirstSeen))
                    .col(big_integer(Patterns::LastSeen))
                    .col(big_integer(Patterns::Count))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("patterns_app_cluster")
                    .table(Patterns::Table)
                    .col(Patterns::AppId)
                    .col(Patterns::Cluster)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PatternCounts::Table)
                    .col(big_integer(PatternCounts::PatternId))
                    .col(big_integer(PatternCounts::AppId))
                    .col(big_integer(PatternCounts::Bucket))
                    .col(big_integer(PatternCounts::Trace))
                    .col(big_integer(PatternCounts::Debug))
                    .col(big_integer(PatternCounts::Info))
                    .col(big_integer(PatternCounts::Warn))
                    .col(big_integer(PatternCounts::Error))
                    .col(big_integer(PatternCounts::Fatal))
                    .primary_key(
                        Index::create()
                            .col(PatternCounts::PatternId)
                            .col(PatternCounts::Bucket),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("pattern_counts_app_bucket")
                    .table(PatternCounts::Table)
                    .col(PatternCounts::AppId)
                    .col(PatternCounts::Bucket)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PatternProgress::Table)
                    .col(integer(PatternProgress::Id).primary_key())
                    .col(big_integer(PatternProgress::LastLogId))
                    .col(string_len_null(PatternProgress::LeaseOwner, 64))
                    .col(big_integer_null(PatternProgress::LeaseUntil))
                    .to_owned(),
            )
            .await?;
        // Lines stored before mining existed are not mined: patterns start from now.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO pattern_progress (id, last_log_id) \
                 SELECT 1, COALESCE(MAX(id), 0) FROM logs",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PatternProgress::Table.into_iden(),
            PatternCounts::Table.into_iden(),
            Patterns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Patterns {
    Table,
    Id,
    AppId,
    Cluster,
    Template,
    FirstSeen,
    LastSeen,
    Count,
}

#[derive(DeriveIden, Clone, Copy)]
enum PatternCounts {
    Table,
    PatternId,
    AppId,
    Bucket,
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

#[derive(DeriveIden, Clone, Copy)]
enum PatternProgress {
    Table,
    Id,
    LastLogId,
    LeaseOwner,
    LeaseUntil,
}
