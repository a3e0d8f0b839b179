//! The one writer: takes every job waiting in the queue (up to a cap), commits them in one
//! transaction, then answers each request and feeds the live bus. While it commits, new
//! requests queue up and form the next group, so the busier the server, the larger and
//! cheaper each commit.
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use super::{
    InsertMethod, Job, KeyCache, LiveBus, LiveLine,
    store::{self, Group, LogWriter},
};

/// How long the writer waits between two updates of keys' last-used times.
const KEY_USAGE_FLUSH: Duration = Duration::from_secs(15);
/// Lines per transaction at most.
const MAX_GROUP_LINES: usize = 16_384;

pub(super) async fn run(
    db: DatabaseConnection,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    keys: Arc<KeyCache>,
    bus: Arc<LiveBus>,
    issues_changed: Arc<tokio::sync::Notify>,
) {
    let method = InsertMethod::for_backend(db.get_database_backend());
    let mut store = LogWriter::new(db.clone(), method);
    let mut flushed = Instant::now();
    loop {
        // Idle, the writer still records keys' last use now and then.
        let first = match tokio::time::timeout(KEY_USAGE_FLUSH, jobs.recv()).await {
            Ok(Some(job)) => Some(job),
            Ok(None) => return,
            Err(_) => None,
        };
        if let Some(first) = first {
            let mut lines = first.lines.len();
            let mut group = vec![first];
            while lines < MAX_GROUP_LINES {
                let Ok(job) = jobs.try_recv() else { break };
                lines += job.lines.len();
                group.push(job);
            }
            if !commit(&mut store, group, &bus, &issues_changed).await {
                // A database that refuses every write should not be hammered.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        if flushed.elapsed() >= KEY_USAGE_FLUSH {
            flush_usage(&db, &keys).await;
            flushed = Instant::now();
        }
    }
}

/// How often the SQLite write-ahead log is copied into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// On SQLite, checkpoints the write-ahead log every second while the writer runs.
pub(super) async fn checkpoint(db: DatabaseConnection) {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if let Err(error) = store::checkpoint_sqlite(&db).await {
            tracing::warn!(%error, "checkpointing the SQLite log failed; will retry");
        }
    }
}

/// Writes `group` and answers its requests; false when some lines could not be written.
async fn commit(
    store: &mut LogWriter,
    group: Vec<Job>,
    bus: &LiveBus,
    issues_changed: &tokio::sync::Notify,
) -> bool {
    let written = {
        let slices: Vec<_> = group
            .iter()
            .map(|job| Group {
                app_id: job.app_id,
                lines: &job.lines,
                events: &job.events,
            })
            .collect();
        store.write(&slices).await
    };
    match written {
        Ok(written) => {
            // Alert rules on issues look at what is new once it is committed.
            if written.touched.iter().any(|t| t.new || t.regressed) {
                issues_changed.notify_one();
            }
            let mut ids = written.ids.into_iter();
            for (mut job, issues) in group.into_iter().zip(written.issues) {
                let job_ids: Vec<i64> = ids.by_ref().take(job.lines.len()).collect();
                for (line, issue) in job.lines.iter_mut().zip(issues) {
                    line.issue_id = issue;
                }
                if bus.has_subscribers(job.app_id) {
                    let lines: Vec<_> = job
                        .lines
                        .into_iter()
                        .zip(job_ids)
                        .map(|(line, id)| {
                            Arc::new(LiveLine {
                                id,
                                app_id: job.app_id,
                                line,
                            })
                        })
                        .collect();
                    bus.publish(job.app_id, &lines);
                }
                // The client may have gone; its lines are committed all the same.
                let _ = job.done.send(Ok(()));
            }
            true
        }
        // One request's lines may be what the database refused: write each on its own, so
        // that the others still get in.
        Err(error) if group.len() > 1 => {
            tracing::warn!(%error, requests = group.len(), "group commit failed; retrying each request alone");
            let mut all = true;
            for job in group {
                all &= Box::pin(commit(store, vec![job], bus, issues_changed)).await;
            }
            all
        }
        Err(error) => {
            tracing::error!(%error, "writing a request's lines failed");
            for job in group {
                let _ = job.done.send(Err(()));
            }
            false
        }
    }
}

async fn flush_usage(db: &DatabaseConnection, keys: &KeyCache) {
    if let Err(error) = keys.flush_usage(db).await {
        tracing::warn!(%error, "recording API keys' last use failed");
    }
}
