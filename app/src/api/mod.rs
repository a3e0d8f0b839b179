//! Server functions: what the app's own pages call. Each is short: the signed-in user, a
//! service call, a DTO. Machine-facing routes live in the server crate instead.
pub mod alerts;
pub mod apps;
pub mod auth;
#[cfg(feature = "ssr")]
pub(crate) mod context;
pub mod device;
mod error;
pub mod issues;
pub mod logs;
pub mod patterns;

pub use error::AppError;
