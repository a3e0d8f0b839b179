#![recursion_limit = "256"]
//! The `lodestar` binary: command line, configuration, the axum router and its public routes.
pub mod access;
pub mod api_error;
pub mod body;
pub mod cli;
pub mod config;
pub mod device;
pub mod export;
pub mod health;
pub mod ingest;
pub mod live;
pub mod log_routes;
pub mod oauth;
pub mod router;
pub mod sentry;
pub mod serve;
pub mod workers;
