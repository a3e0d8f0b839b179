//! SeaORM entities, one per table (see migration/ for the schema they mirror).
pub mod alert_deliveries;
pub mod alert_events;
pub mod alert_rules;
pub mod api_keys;
pub mod app_metrics;
pub mod app_purges;
pub mod apps;
pub mod device_sessions;
pub mod events;
pub mod identities;
pub mod issue_hours;
pub mod issue_tags;
pub mod issues;
pub mod logs;
pub mod oauth_states;
pub mod sessions;
pub mod users;
