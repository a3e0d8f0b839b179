//! One routed page per file.
mod accounts_pending;
mod landing;
mod not_found;

pub use accounts_pending::AccountsPendingPage;
pub use landing::LandingPage;
pub use not_found::NotFoundPage;
