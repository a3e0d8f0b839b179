//! The ingest path (DESIGN.md §4): key check, normalised batches, a bounded queue, one writer
//! that commits many requests in one transaction, and the live bus fed after each commit.
//!
//! A request is answered only once its lines are committed: [`Ingest::submit`] waits for the
//! writer's acknowledgement.
pub mod batch;
pub mod bus;
pub mod events;
pub mod keys;
pub mod rate;
pub mod store;
mod writer;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::lock;
use tokio::sync::{Semaphore, mpsc, oneshot};

pub use batch::{Batch, BatchError, NewLine};
pub use bus::{Delivery, LiveBus, LiveLine, Subscription};
pub use events::{IssueTouch, NewEvent};
pub use keys::{KeyCache, KeyOwner};
pub use store::InsertMethod;

/// What one request may carry (`LODESTAR_INGEST_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestLimits {
    /// Body as sent (compressed or not), bytes.
    pub max_body: usize,
    /// Body once decompressed, bytes: a compression bomb is cut off here.
    pub max_decompressed: usize,
    pub max_lines: usize,
    /// A longer message is cut to this many bytes and flagged.
    pub max_message: usize,
    /// The attributes of one line as JSON, bytes.
    pub max_attributes: usize,
}

impl Default for IngestLimits {
    fn default() -> Self {
        IngestLimits {
            max_body: 5 << 20,
            max_decompressed: 20 << 20,
            max_lines: 10_000,
            max_message: 64 << 10,
            max_attributes: 32 << 10,
        }
    }
}

/// How the ingest path behaves under load.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestConfig {
    pub limits: IngestLimits,
    /// Lines waiting for the writer at most; beyond, requests answer 503.
    pub queue_lines: usize,
    /// Lines per second one app may send (0: no limit); beyond, requests answer 429.
    pub app_rate: f64,
    /// Lines one live subscriber may have waiting before the oldest are dropped (and counted).
    pub live_buffer: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            limits: IngestLimits::default(),
            queue_lines: 100_000,
            app_rate: 0.0,
            live_buffer: 10_000,
        }
    }
}

/// Why accepted, valid lines were not stored. Nothing of the request was committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error("the app sends more lines than its limit: retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the write queue is full: retry in {retry_after_secs} s")]
    QueueFull { retry_after_secs: u64 },
    #[error("the database did not take the lines: retry later")]
    Unavailable,
}

/// Counts per item type since the server started.
#[derive(Default)]
pub struct ItemCounts(std::sync::Mutex<std::collections::BTreeMap<String, u64>>);

impl ItemCounts {
    pub fn add(&self, kind: &str, count: u64) {
        *lock(&self.0).entry(kind.to_string()).or_insert(0) += count;
    }

    pub fn snapshot(&self) -> std::collections::BTreeMap<String, u64> {
        lock(&self.0).clone()
    }
}

/// Lines of one request on their way to the writer, and the error events among them.
struct Job {
    app_id: i64,
    lines: Vec<NewLine>,
    events: Vec<NewEvent>,
    done: oneshot::Sender<Result<(), ()>>,
    /// Room in the queue, given back once the job is written.
    _room: tokio::sync::OwnedSemaphorePermit,
}

/// The ingest path of one server: shared by every request through `AppState`.
pub struct Ingest {
    pub config: IngestConfig,
    pub keys: Arc<KeyCache>,
    pub bus: Arc<LiveBus>,
    /// Sentry envelope items accepted but not stored (transactions, sessions, …), by type.
    pub skipped_items: ItemCounts,
    /// Woken after a commit that created an issue or reopened one (issue alert rules).
    pub issues_changed: Arc<tokio::sync::Notify>,
    rate: rate::AppRate,
    room: Arc<Semaphore>,
    queue: mpsc::UnboundedSender<Job>,
    /// The writer and the checkpointer, ended by [`Ingest::stop`].
    tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl Ingest {
    /// Starts the writer task (and on SQLite its checkpointer) on the current Tokio runtime.
    pub fn start(db: DatabaseConnection, config: IngestConfig) -> Arc<Ingest> {
        let keys = Arc::new(KeyCache::default());
        let bus = Arc::new(LiveBus::new(config.live_buffer));
        let (queue, jobs) = mpsc::unbounded_channel();
        let issues_changed = Arc::new(tokio::sync::Notify::new());
        let tasks = vec![
            tokio::spawn(writer::checkpoint(db.clone())),
            tokio::spawn(writer::run(
                db,
                jobs,
                keys.clone(),
                bus.clone(),
                issues_changed.clone(),
            )),
        ];
        Arc::new(Ingest {
            rate: rate::AppRate::new(config.app_rate),
            room: Arc::new(Semaphore::new(config.queue_lines.max(1))),
            config,
            keys,
            bus,
            skipped_items: ItemCounts::default(),
            issues_changed,
            queue,
            tasks: std::sync::Mutex::new(tasks),
        })
    }

    /// Ends the writer and the checkpointer once no request waits for a commit (after the
    /// HTTP server's graceful shutdown), so that the connection the writer keeps goes back to
    /// the pool: closing the pool waits for every connection.
    pub async fn stop(&self) {
        let tasks = std::mem::take(&mut *lock(&self.tasks));
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }

    /// Queues `lines` for `app_id` and waits until they are committed.
    pub async fn submit(&self, app_id: i64, lines: Vec<NewLine>) -> Result<usize, SubmitError> {
        self.submit_with_events(app_id, lines, Vec::new()).await
    }

    /// Queues `lines` and the error `events` among them (each names its line) for `app_id`,
    /// and waits until all are committed: events with their issues, in the same transaction.
    pub async fn submit_with_events(
        &self,
        app_id: i64,
        lines: Vec<NewLine>,
        events: Vec<NewEvent>,
    ) -> Result<usize, SubmitError> {
        debug_assert!(events.iter().all(|event| event.line < lines.len()));
        let count = lines.len();
        if count == 0 {
            return Ok(0);
        }
        self.rate
            .take(app_id, count)
            .map_err(|retry_after_secs| SubmitError::RateLimited { retry_after_secs })?;
        // A batch larger than the whole queue waits for an empty queue rather than never fit.
        let wanted = count.min(self.config.queue_lines.max(1)) as u32;
        let room = self
            .room
            .clone()
            .try_acquire_many_owned(wanted)
            .map_err(|_| SubmitError::QueueFull {
                retry_after_secs: 1,
            })?;
        let (done, committed) = oneshot::channel();
        let job = Job {
            app_id,
            lines,
            events,
            done,
            _room: room,
        };
        self.queue.send(job).map_err(|_| SubmitError::Unavailable)?;
        match committed.await {
            Ok(Ok(())) => Ok(count),
            _ => Err(SubmitError::Unavailable),
        }
    }

    /// Lines committed for `app_id` from now on.
    pub fn subscribe(&self, app_id: i64) -> Subscription {
        self.bus.subscribe(app_id)
    }

    /// Whether the writer task still takes lines (it stops only if it panicked).
    pub fn writer_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Lines waiting for the writer.
    pub fn queued_lines(&self) -> usize {
        self.config.queue_lines.max(1) - self.room.available_permits()
    }
}
