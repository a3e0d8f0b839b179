//! View pieces shared by several pages.
mod site_chrome;

pub use site_chrome::{Logo, SiteFooter, SiteHeader};
