use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Error events grouped into issues (docs/grouping.md). Written by the ingest writer in the
/// same transaction as the event's log line; like `logs`, no foreign keys, so that the write
/// path stays cheap and a deleted app's rows go in the background. Times are UTC µs.
///
/// - `issues`: one row per (app, grouping hash) with its counters and status.
/// - `events`: every stored event with what the issue page shows (`payload`, JSON).
/// - `issue_tags`: per issue, how many events carried each tag value (environment, release,
///   user and the SDK's tags): tag counts, "users affected" and the list's filters.
/// - `issue_hours`: events per issue per hour, for the list's sparklines.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Issues::Table)
                    .col(big_pk_auto(Issues::Id))
                    .col(big_integer(Issues::AppId))
                    .col(string_len(Issues::Hash, 32))
                    .col(text(Issues::Title))
                    .col(text(Issues::Culprit))
                    .col(small_integer(Issues::Level))
                    .col(string_len(Issues::Status, 16))
                    .col(big_integer(Issues::FirstSeen))
                    .col(big_integer(Issues::LastSeen))
                    .col(big_integer(Issues::TimesSeen))
                    .col(big_integer_null(Issues::RegressedAt))
                    .col(big_integer_null(Issues::ResolvedAt))
                    // What was hashed, as a JSON list of strings (the rule's name first).
                    .col(text(Issues::Grouping))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "issues_app_hash",
            Issues::Table,
            &[Issues::AppId, Issues::Hash],
            true,
        )
        .await?;
        index(
            manager,
            "issues_app_last_seen",
            Issues::Table,
            &[Issues::AppId, Issues::LastSeen],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .col(big_pk_auto(Events::Id))
                    .col(big_integer(Events::AppId))
                    .col(big_integer(Events::IssueId))
                    .col(string_len(Events::EventId, 32))
                    .col(big_integer(Events::Ts))
                    .col(big_integer(Events::ReceivedAt))
                    .col(small_integer(Events::Level))
                    .col(string_len_null(Events::Environment, 64))
                    .col(string_len_null(Events::Release, 200))
                    .col(big_integer_null(Events::LogId))
                    .col(text(Events::Payload))
                    .to_owned(),
            )
            .await?;
        // SDKs retry: an event id is stored once per app.
        index(
            manager,
            "events_app_event_id",
            Events::Table,
            &[Events::AppId, Events::EventId],
            true,
        )
        .await?;
        index(
            manager,
            "events_issue_ts",
            Events::Table,
            &[Events::IssueId, Events::Ts, Events::Id],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueTags::Table)
                    .col(big_integer(IssueTags::IssueId))
                    .col(text(IssueTags::Key))
                    .col(text(IssueTags::Value))
                    .col(big_integer(IssueTags::Count))
                    .col(big_integer(IssueTags::LastSeen))
                    .primary_key(
                        Index::create()
                            .col(IssueTags::IssueId)
                            .col(IssueTags::Key)
                            .col(IssueTags::Value),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IssueHours::Table)
                    .col(big_integer(IssueHours::IssueId))
                    // Hours since the Unix epoch (UTC).
                    .col(big_integer(IssueHours::Hour))
                    .col(big_integer(IssueHours::Count))
                    .primary_key(
                        Index::create()
                            .col(IssueHours::IssueId)
                            .col(IssueHours::Hour),
                    )
                    .to_owned(),
            )
            .await?;

        // `issue:42` and unlinking a deleted issue's lines; partial, so that the lines of no
        // issue (most) cost the index nothing.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX logs_issue ON logs (issue_id) WHERE issue_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX logs_issue")
            .await?;
        for table in [
            IssueHours::Table.into_iden(),
            IssueTags::Table.into_iden(),
            Events::Table.into_iden(),
            Issues::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn index<T: IntoIden + Copy + 'static>(
    manager: &SchemaManager<'_>,
    name: &str,
    table: T,
    cols: &[T],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[derive(DeriveIden, Clone, Copy)]
enum Issues {
    Table,
    Id,
    AppId,
    Hash,
    Title,
    Culprit,
    Level,
    Status,
    FirstSeen,
    LastSeen,
    TimesSeen,
    RegressedAt,
    ResolvedAt,
    Grouping,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    AppId,
    IssueId,
    EventId,
    Ts,
    ReceivedAt,
    Level,
    Environment,
    Release,
    LogId,
    Payload,
}

#[derive(DeriveIden, Clone, Copy)]
enum IssueTags {
    Table,
    IssueId,
    Key,
    Value,
    Count,
    LastSeen,
}

#[derive(DeriveIden, Clone, Copy)]
enum IssueHours {
    Table,
    IssueId,
    Hour,
    Count,
}
