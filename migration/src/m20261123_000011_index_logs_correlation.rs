use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `correlation_id` is an attribute (inside the JSON), yet users look lines up by it: a partial
/// expression index per app makes that a lookup. Partial, so that lines without one (most)
/// cost the index nothing but the check.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "CREATE INDEX logs_app_correlation ON logs \
                 (app_id, (attributes ->> 'correlation_id')) \
                 WHERE (attributes ->> 'correlation_id') IS NOT NULL"
            }
            _ => {
                "CREATE INDEX logs_app_correlation ON logs \
                 (app_id, json_extract(attributes, '$.correlation_id')) \
                 WHERE json_extract(attributes, '$.correlation_id') IS NOT NULL"
            }
        };
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX logs_app_correlation")
            .await?;
        Ok(())
    }
}
