//! One routed page per file.
mod auth_forms;
mod dashboard;
mod landing;
mod not_found;

pub use auth_forms::{SignInPage, SignUpPage};
pub use dashboard::DashboardPage;
pub use landing::LandingPage;
pub use not_found::NotFoundPage;
