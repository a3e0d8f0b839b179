//! View pieces shared by several pages.
mod app_layout;
mod app_stats;
mod app_tabs;
mod copy_button;
mod form_feedback;
mod log_table;
mod quick_start;
mod signed_in;
mod site_chrome;
mod sparkline;
mod volume_chart;

pub use app_layout::{AppLayout, AppsChanged, UserApps};
pub use app_stats::{AppStats, Secret};
pub use app_tabs::{AppNotFound, AppTabs, use_app_id};
pub use copy_button::CopyButton;
pub use form_feedback::{FieldError, FormError, use_hydrated};
pub use log_table::{LogTable, term};
pub use quick_start::QuickStart;
pub use signed_in::{AppHeader, SignedIn};
pub use site_chrome::{Logo, SiteFooter, SiteHeader};
pub use sparkline::Sparkline;
pub use volume_chart::VolumeChart;
