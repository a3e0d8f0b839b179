use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What free-text search needs to stay fast on large apps.
///
/// - SQLite: `logs_fts`, a contentless FTS5 table of trigrams of each message (rowid = the
///   line's id), so a substring of three characters or more is found without reading every
///   message. Contentless: it stores the index only, never a second copy of the text;
///   `contentless_delete` lets a purge remove an app's lines from it. `detail=none`: which
///   lines hold a trigram, not where (half the size and a third less work per line than
///   positions); lookups ask for a text's trigrams and LIKE checks the lines found.
/// - PostgreSQL: statistics on the correlation id expression, so that a lookup uses its
///   index. No trigram index: maintaining a GIN index of every message in the ingest
///   transaction cut PostgreSQL ingest by 83 % (`lodestar-bench --direct-only`), so text is
///   searched through the (app, ts) and (app, level, ts) indexes for now.
/// - Both: `app_metrics.min_id` / `max_id`, the smallest and largest id of the lines written
///   for that app and minute. FTS5 cannot apply a time range itself; the id range of a
///   window's minutes bounds its lookups instead.
///
/// The id ranges of existing minutes are filled in here. `logs_fts` is filled beside the
/// ingest writer (`store::text_index`), which also indexes lines stored before it existed.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                // Without statistics on the correlation id, the planner guesses that 0.5 % of
                // lines share one, and walks the time index backwards instead of looking it up.
                db.execute_unprepared(
                    "CREATE STATISTICS logs_correlation_stats \
                     ON ((attributes ->> 'correlation_id')) FROM logs",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE logs_fts USING fts5(message, content='', \
                     contentless_delete=1, detail=none, tokenize='trigram case_sensitive 0')",
                )
                .await?;
                // Merge segments 16 at a time rather than 4: a quarter of the merge work on
                // every commit, for a few more segments per lookup.
                db.execute_unprepared(
                    "INSERT INTO logs_fts (logs_fts, rank) VALUES ('automerge', 16)",
                )
                .await?;
            }
        }
        // SQLite adds one column per statement.
        for column in [AppMetrics::MinId, AppMetrics::MaxId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AppMetrics::Table)
                        .add_column(ColumnDef::new(column).big_integer().null())
                        .to_owned(),
                )
                .await?;
        }
        // Each minute's id range, read through the (app_id, ts, id) index.
        db.execute_unprepared(
            "UPDATE app_metrics SET \
             min_id = (SELECT min(id) FROM logs WHERE logs.app_id = app_metrics.app_id \
               AND logs.ts >= app_metrics.minute * 60000000 \
               AND logs.ts < (app_metrics.minute + 1) * 60000000), \
             max_id = (SELECT max(id) FROM logs WHERE logs.app_id = app_metrics.app_id \
               AND logs.ts >= app_metrics.minute * 60000000 \
               AND logs.ts < (app_metrics.minute + 1) * 60000000)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for column in [AppMetrics::MinId, AppMetrics::MaxId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(AppMetrics::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP STATISTICS logs_correlation_stats")
                    .await?
            }
            _ => db.execute_unprepared("DROP TABLE logs_fts").await?,
        };
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AppMetrics {
    Table,
    MinId,
    MaxId,
}
