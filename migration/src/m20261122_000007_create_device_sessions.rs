use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261122_000001_create_users::Users;
use crate::m20261122_000004_create_apps::Apps;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The CLI device flow (RFC 8628): a terminal polls with its device code while the user
/// approves the user code in the browser.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeviceSessions::Table)
                    .col(big_pk_auto(DeviceSessions::Id))
                    .col(char_len_uniq(DeviceSessions::DeviceCodeSha256, 64))
                    .col(string_len_uniq(DeviceSessions::UserCode, 9))
                    // pending | approved | denied | consumed | expired
                    .col(string_len(DeviceSessions::Status, 16))
                    .col(string_len_null(DeviceSessions::ClientName, 128))
                    .col(string_len_null(DeviceSessions::AppName, 64))
                    .col(big_integer_null(DeviceSessions::UserId))
                    .col(big_integer_null(DeviceSessions::AppId))
                    // The new API key, encrypted with the server secret, cleared once read.
                    .col(text_null(DeviceSessions::KeyCiphertext))
                    .col(integer(DeviceSessions::IntervalSecs))
                    .col(timestamp_with_time_zone_null(DeviceSessions::LastPollAt))
                    .col(timestamp_with_time_zone(DeviceSessions::CreatedAt))
                    .col(timestamp_with_time_zone(DeviceSessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeviceSessions::Table, DeviceSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DeviceSessions::Table, DeviceSessions::AppId)
                            .to(Apps::Table, Apps::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("device_sessions_expires_at")
                    .table(DeviceSessions::Table)
                    .col(DeviceSessions::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DeviceSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DeviceSessions {
    Table,
    Id,
    DeviceCodeSha256,
    UserCode,
    Status,
    ClientName,
    AppName,
    UserId,
    AppId,
    KeyCiphertext,
    IntervalSecs,
    LastPollAt,
    CreatedAt,
    ExpiresAt,
}
