//! One routed page per file.
mod alerts;
mod app_logs;
mod app_new;
mod app_settings;
mod auth_forms;
mod dashboard;
mod device_link;
mod issues;
mod landing;
mod not_found;
mod patterns;

pub use alerts::{AlertsPage, AlertsRoute};
pub use app_logs::{AppLogsPage, AppLogsRoute};
pub use app_new::{NewAppPage, NewAppRoute};
pub use app_settings::{AppSettingsPage, AppSettingsRoute};
pub use auth_forms::{SignInPage, SignUpPage};
pub use dashboard::{DashboardPage, DashboardRoute};
pub use device_link::{DeviceLinkPage, DeviceLinkRoute};
pub use issues::{IssuesPage, IssuesRoute};
pub use landing::LandingPage;
pub use not_found::NotFoundPage;
pub use patterns::{PatternsPage, PatternsRoute};
