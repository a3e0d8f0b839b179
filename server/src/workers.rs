//! Background tasks that run beside the HTTP server.
use std::time::Duration;

use app::backend::{AppState, services::purges};

/// How often pending purges are looked for when nothing wakes the task (a purge left by a
/// crash, or requested through another server sharing the database).
const PURGE_POLL: Duration = Duration::from_secs(60);

/// Deletes deleted apps' lines: at start (to finish what a restart interrupted), when a
/// deletion wakes it, and every minute.
pub fn spawn_purger(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let signal = state.purge_signal.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = purges::run_pending(&db, purges::BATCH).await {
                tracing::warn!(%error, "purging deleted apps failed; will retry");
            }
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(PURGE_POLL) => {}
            }
        }
    })
}
