use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

/// Everything a request handler or server function needs. Cheap to clone; provided to
/// server functions as context by `leptos_routes` (read it with `expect_context`).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
}

/// Run-time settings the services need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where users reach this server, without a trailing slash (`https://logs.example.com`).
    pub public_url: String,
    /// The server's own secret (cookie signing, device-flow key encryption). Never logged.
    pub secret: String,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
