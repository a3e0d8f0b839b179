//! Lodestar's schema, one migration per file. A migration never changes after it lands:
//! later changes are new files.
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_users;
mod m20261122_000002_create_identities;
mod m20261122_000003_create_sessions;
mod m20261122_000004_create_apps;
mod m20261122_000005_create_api_keys;
mod m20261122_000006_create_logs;
mod m20261122_000007_create_device_sessions;
mod m20261122_000008_create_app_metrics;
mod m20261122_000009_create_oauth_states;
mod m20261123_000010_create_app_purges;
mod m20261123_000011_index_logs_correlation;
mod m20261123_000012_create_logs_search;
mod m20261201_000013_create_issues;
mod m20261202_000014_create_alerts;
mod m20261202_000015_create_patterns;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_users::Migration),
            Box::new(m20261122_000002_create_identities::Migration),
            Box::new(m20261122_000003_create_sessions::Migration),
            Box::new(m20261122_000004_create_apps::Migration),
            Box::new(m20261122_000005_create_api_keys::Migration),
            Box::new(m20261122_000006_create_logs::Migration),
            Box::new(m20261122_000007_create_device_sessions::Migration),
            Box::new(m20261122_000008_create_app_metrics::Migration),
            Box::new(m20261122_000009_create_oauth_states::Migration),
            Box::new(m20261123_000010_create_app_purges::Migration),
            Box::new(m20261123_000011_index_logs_correlation::Migration),
            Box::new(m20261123_000012_create_logs_search::Migration),
            Box::new(m20261201_000013_create_issues::Migration),
            Box::new(m20261202_000014_create_alerts::Migration),
            Box::new(m20261202_000015_create_patterns::Migration),
        ]
    }
}
