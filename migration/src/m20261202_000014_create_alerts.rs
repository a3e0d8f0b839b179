use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Alerts (docs/alerts.md). Times are UTC µs.
///
/// - `alert_rules`: what to watch, where to notify, and the rule's state (ok / firing /
///   resolved) with the lease an evaluating server holds on it, so that with several
///   servers only one evaluates a rule at a time.
/// - `alert_events`: the history: each firing, resolve and test, with the notification's
///   content (`payload`, JSON). `dedupe` is unique per rule: recording the same firing twice
///   (a retry, a second server, a restart) keeps one.
/// - `alert_deliveries`: one row per event and channel, the outbox the delivery task works
///   through, with attempts, the last error and the next retry.
///
/// Rules go with their app, events with their rule, deliveries with their event.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AlertRules::Table)
                    .col(big_pk_auto(AlertRules::Id))
                    .col(big_integer(AlertRules::AppId))
                    .col(string_len(AlertRules::Name, 100))
                    .col(string_len(AlertRules::Kind, 16))
                    .col(text(AlertRules::Query))
                    .col(string_len_null(AlertRules::Environment, 64))
                    .col(integer(AlertRules::WindowMinutes))
                    .col(string_len(AlertRules::Comparison, 8))
                    .col(double(AlertRules::Threshold))
                    .col(integer(AlertRules::CooldownMinutes))
                    .col(boolean(AlertRules::Enabled))
                    // A JSON list of channels (model::alerts::Channel).
                    .col(text(AlertRules::Channels))
                    .col(string_len(AlertRules::State, 16))
                    .col(big_integer_null(AlertRules::StateSince))
                    .col(double_null(AlertRules::LastValue))
                    .col(big_integer_null(AlertRules::LastEvaluatedAt))
                    .col(big_integer_null(AlertRules::LastNotifiedAt))
                    // Issue rules: the highest issue id (new issues) or the latest regression
                    // time (regressions) already looked at.
                    .col(big_integer(AlertRules::IssueCursor))
                    .col(string_len_null(AlertRules::LeaseOwner, 64))
                    .col(big_integer_null(AlertRules::LeaseUntil))
                    .col(big_integer(AlertRules::CreatedAt))
                    .col(big_integer(AlertRules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertRules::Table, AlertRules::AppId)
                            .to(Apps::Table, Apps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "alert_rules_app",
            AlertRules::Table,
            &[AlertRules::AppId],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertEvents::Table)
                    .col(big_pk_auto(AlertEvents::Id))
                    .col(big_integer(AlertEvents::RuleId))
                    .col(big_integer(AlertEvents::AppId))
                    .col(string_len(AlertEvents::Kind, 16))
                    .col(string_len(AlertEvents::Dedupe, 100))
                    .col(double_null(AlertEvents::Value))
                    .col(big_integer_null(AlertEvents::IssueId))
                    .col(text(AlertEvents::Summary))
                    .col(text(AlertEvents::Link))
                    // The notification as channels render it (backend::alerts::Notification).
                    .col(text(AlertEvents::Payload))
                    .col(big_integer(AlertEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertEvents::Table, AlertEvents::RuleId)
                            .to(AlertRules::Table, AlertRules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "alert_events_rule_dedupe",
            AlertEvents::Table,
            &[AlertEvents::RuleId, AlertEvents::Dedupe],
            true,
        )
        .await?;
        index(
            manager,
            "alert_events_app_id",
            AlertEvents::Table,
            &[AlertEvents::AppId, AlertEvents::Id],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlertDeliveries::Table)
                    .col(big_pk_auto(AlertDeliveries::Id))
                    .col(big_integer(AlertDeliveries::EventId))
                    .col(big_integer(AlertDeliveries::RuleId))
                    // The channel as it was when the event was recorded (JSON).
                    .col(text(AlertDeliveries::Channel))
                    .col(string_len(AlertDeliveries::Status, 16))
                    .col(integer(AlertDeliveries::Attempts))
                    .col(big_integer_null(AlertDeliveries::NextAttemptAt))
                    .col(big_integer_null(AlertDeliveries::ClaimedUntil))
                    .col(text_null(AlertDeliveries::LastError))
                    .col(big_integer_null(AlertDeliveries::DeliveredAt))
                    .col(big_integer(AlertDeliveries::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AlertDeliveries::Table, AlertDeliveries::EventId)
                            .to(AlertEvents::Table, AlertEvents::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "alert_deliveries_event",
            AlertDeliveries::Table,
            &[AlertDeliveries::EventId],
            false,
        )
        .await?;
        index(
            manager,
            "alert_deliveries_due",
            AlertDeliveries::Table,
            &[AlertDeliveries::Status, AlertDeliveries::NextAttemptAt],
            false,
        )
        .await?;
        index(
            manager,
            "alert_deliveries_rule_status",
            AlertDeliveries::Table,
            &[AlertDeliveries::RuleId, AlertDeliveries::Status],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AlertDeliveries::Table.into_iden(),
            AlertEvents::Table.into_iden(),
            AlertRules::Table.into_iden(),
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
enum Apps {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertRules {
    Table,
    Id,
    AppId,
    Name,
    Kind,
    Query,
    Environment,
    WindowMinutes,
    Comparison,
    Threshold,
    CooldownMinutes,
    Enabled,
    Channels,
    State,
    StateSince,
    LastValue,
    LastEvaluatedAt,
    LastNotifiedAt,
    IssueCursor,
    LeaseOwner,
    LeaseUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertEvents {
    Table,
    Id,
    RuleId,
    AppId,
    Kind,
    Dedupe,
    Value,
    IssueId,
    Summary,
    Link,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AlertDeliveries {
    Table,
    Id,
    EventId,
    RuleId,
    Channel,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    DeliveredAt,
    CreatedAt,
}
