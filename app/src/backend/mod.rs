//! Server-only code: storage, services and the state shared by routes and server functions.
pub mod db;
pub mod entities;
pub mod errors;
pub mod ingest;
pub mod rate_limit;
pub mod secrets;
pub mod services;
pub mod state;
pub mod testing;

pub use errors::ServiceError;
pub use state::AppState;
