//! Alerts (docs/alerts.md): rules evaluated off the ingest path, their history, and the
//! notifications sent to webhooks, Slack and email.
//!
//! - [`evaluate`]: window rules (threshold, error rate) measured every interval, issue rules
//!   (new issue, regression) looked at when the writer commits issues and every interval. A
//!   rule is taken under a lease first, so that with several servers only one evaluates it.
//! - [`outbox`]: a firing or resolve is recorded with one delivery row per channel in the
//!   same transaction as the rule's new state; the delivery task sends them, retrying with
//!   backoff. A restart finds both where they were: nothing fires twice, nothing is lost.
//! - [`channels`]: what each channel receives and how it is sent.
pub mod channels;
pub mod evaluate;
pub mod notification;
pub mod outbox;

use std::time::Duration;

use tokio::sync::Notify;

pub use notification::{Notification, SampleLine};

/// How alerts run on this server (`LODESTAR_ALERT_*`, `LODESTAR_SMTP_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertsConfig {
    /// How often window rules are measured.
    pub interval: Duration,
    /// `smtp://user:pass@host:587?tls=required`, `smtps://…`, or none: no email channel.
    pub smtp_url: Option<String>,
    /// The From of alert emails.
    pub smtp_from: String,
    /// How long one webhook or SMTP attempt may take.
    pub send_timeout: Duration,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            interval: Duration::from_secs(15),
            smtp_url: None,
            smtp_from: "Lodestar <alerts@localhost>".into(),
            send_timeout: Duration::from_secs(10),
        }
    }
}

/// The alert engine of one server: shared through `AppState`.
pub struct Alerts {
    pub config: AlertsConfig,
    /// Where users reach the server, for the links in notifications.
    pub public_url: String,
    /// Names this server in rule leases.
    pub owner: String,
    /// Woken when deliveries were recorded.
    pub deliveries_waiting: Notify,
    http: reqwest::Client,
}

impl Alerts {
    pub fn new(config: AlertsConfig, public_url: &str) -> Alerts {
        let http = reqwest::Client::builder()
            .timeout(config.send_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Lodestar-Alerts/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Alerts {
            config,
            public_url: public_url.trim_end_matches('/').to_string(),
            owner: super::secrets::instance_name(),
            deliveries_waiting: Notify::new(),
            http,
        }
    }

    /// Whether email channels can be used.
    pub fn email_enabled(&self) -> bool {
        self.config.smtp_url.is_some()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}
