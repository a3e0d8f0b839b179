//! View pieces shared by several pages.
mod signed_in;
mod site_chrome;

pub use signed_in::{AppHeader, SignedIn};
pub use site_chrome::{Logo, SiteFooter, SiteHeader};
