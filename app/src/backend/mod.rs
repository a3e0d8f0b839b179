//! Server-only code: storage, services and the state shared by routes and server functions.
pub mod alerts;
pub mod clock;
pub mod db;
pub mod entities;
pub mod errors;
pub mod ingest;
pub mod patterns;
pub mod rate_limit;
pub mod secrets;
pub mod sentry;
pub mod services;
pub mod state;
pub mod store;
pub mod testing;

pub use errors::ServiceError;

/// Locks `mutex`. A panic elsewhere while it was held leaves plain in-memory bookkeeping
/// (counters, caches, queues) that is still valid, so a poisoned lock is used as it is.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
pub use state::AppState;
