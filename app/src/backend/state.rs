use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use super::{
    alerts::{Alerts, AlertsConfig},
    clock::Clock,
    ingest::{Ingest, IngestConfig},
    patterns::{PatternSettings, digest::Digests},
    rate_limit::AuthLimits,
    services::oauth::ProviderConfig,
};

/// Everything a request handler or server function needs. Cheap to clone; provided to
/// server functions as context by `leptos_routes` (read it with `expect_context`).
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub auth_limits: Arc<AuthLimits>,
    /// Wakes the background purge of deleted apps' lines (see `services::purges`).
    pub purge_signal: Arc<tokio::sync::Notify>,
    /// The ingest queue, its writer task, the key cache and the live bus.
    pub ingest: Arc<Ingest>,
    /// What "now" is for the device flow and alert rules (tests hold it still).
    pub clock: Clock,
    /// Alert rules' settings, the HTTP client of their channels, and their task's wake-ups.
    pub alerts: Arc<Alerts>,
    /// Summaries' digests: their cache and the task writing them (when an LLM is set up).
    pub digests: Arc<Digests>,
}

impl AppState {
    /// Starts the ingest writer: call it inside a Tokio runtime.
    pub fn new(leptos_options: LeptosOptions, db: DatabaseConnection, settings: Settings) -> Self {
        let ingest = Ingest::start(db.clone(), settings.ingest.clone());
        let alerts = Arc::new(Alerts::new(settings.alerts.clone(), &settings.public_url));
        let digests = Digests::start(settings.patterns.llm.clone());
        AppState {
            leptos_options,
            db,
            settings: Arc::new(settings),
            auth_limits: Arc::new(AuthLimits::default()),
            purge_signal: Arc::new(tokio::sync::Notify::new()),
            ingest,
            clock: Clock::system(),
            alerts,
            digests,
        }
    }
}

/// Run-time settings the services need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where users reach this server, without a trailing slash (`https://logs.example.com`).
    pub public_url: String,
    /// The server's own secret (cookie signing, device-flow key encryption). Never logged.
    pub secret: String,
    /// Sign-in providers that are configured (their buttons show on the sign-in page).
    pub oauth_providers: Vec<ProviderConfig>,
    /// A reverse proxy in front sets `X-Forwarded-For` (LODESTAR_TRUST_PROXY).
    pub trust_proxy: bool,
    /// Ingest limits, queue size and rate (LODESTAR_INGEST_*).
    pub ingest: IngestConfig,
    /// How often alert rules run, and the SMTP server for email (LODESTAR_ALERT_*, LODESTAR_SMTP_*).
    pub alerts: AlertsConfig,
    /// Pattern mining and the digests' LLM (LODESTAR_PATTERNS, LODESTAR_LLM_*).
    pub patterns: PatternSettings,
}

impl Settings {
    /// Cookies get `Secure` when users reach the server over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public URL, what browsers send as `Origin`.
    pub fn public_origin(&self) -> &str {
        let after_scheme = self.public_url.find("://").map_or(0, |i| i + 3);
        match self.public_url[after_scheme..].find('/') {
            Some(slash) => &self.public_url[..after_scheme + slash],
            None => &self.public_url,
        }
    }

    pub fn provider(&self, id: &str) -> Option<&ProviderConfig> {
        self.oauth_providers.iter().find(|p| p.id == id)
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
