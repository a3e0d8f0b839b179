use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Log lines. No foreign key to apps: the insert path stays cheap, and an app's lines are
/// removed in the background when the app is deleted. Times are UTC microseconds.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Logs::Table)
                    .col(big_pk_auto(Logs::Id))
                    .col(big_integer(Logs::AppId))
                    .col(big_integer(Logs::Ts))
                    .col(big_integer(Logs::ReceivedAt))
                    .col(small_integer(Logs::Level))
                    .col(string_len(Logs::Service, 128))
                    .col(string_len_null(Logs::Environment, 64))
                    .col(string_len_null(Logs::Release, 128))
                    .col(text(Logs::Message))
                    .col(json_binary(Logs::Attributes))
                    .col(string_len_null(Logs::TraceId, 64))
                    .col(big_integer_null(Logs::IssueId))
                    .to_owned(),
            )
            .await?;
        // Every log query is "this app, newest first, within a time range", keyset-paginated
        // on (ts, id); level filters get their own index.
        for (name, cols) in [
            ("logs_app_ts", vec![Logs::AppId, Logs::Ts, Logs::Id]),
            (
                "logs_app_level_ts",
                vec![Logs::AppId, Logs::Level, Logs::Ts, Logs::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Logs::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Logs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Logs {
    Table,
    Id,
    AppId,
    Ts,
    ReceivedAt,
    Level,
    Service,
    Environment,
    Release,
    Message,
    Attributes,
    TraceId,
    IssueId,
}
