//! Background tasks that run beside the HTTP server.
use std::time::Duration;

use app::backend::{
    AppState,
    alerts::{evaluate, outbox},
    patterns::{self, PatternMiner, drain::MinerConfig},
    services::{device, purges},
    store::text_index,
};

/// How often pending purges are looked for when nothing wakes the task (a purge left by a
/// crash, or requested through another server sharing the database).
const PURGE_POLL: Duration = Duration::from_secs(60);

/// Deletes deleted apps' lines: at start (to finish what a restart interrupted), when a
/// deletion wakes it, and every minute; device-flow requests that expired go at the same pace.
pub fn spawn_purger(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let signal = state.purge_signal.clone();
    tokio::spawn(async move {
        loop {
            if let Err(error) = purges::run_pending(&db, purges::BATCH).await {
                tracing::warn!(%error, "purging deleted apps failed; will retry");
            }
            if let Err(error) = device::purge_expired(&db, chrono::Utc::now()).await {
                tracing::warn!(%error, "deleting expired device requests failed; will retry");
            }
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(PURGE_POLL) => {}
            }
        }
    })
}

/// While behind, the indexer rests this many times as long as each batch took.
const INDEX_REST_FACTOR: u32 = 3;

/// How long the full-text indexer rests once it has caught up.
const INDEX_IDLE: Duration = Duration::from_millis(250);

/// Keeps SQLite's full-text index up with the writer, a small batch per transaction (see
/// `store::text_index`). Nothing to do on PostgreSQL.
pub fn spawn_text_indexer(state: &AppState) -> Option<tokio::task::JoinHandle<()>> {
    if state.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return None;
    }
    let db = state.db.clone();
    Some(tokio::spawn(async move {
        loop {
            let began = std::time::Instant::now();
            match text_index::index_new_lines(&db, text_index::BATCH).await {
                // Behind: rest three times as long as the batch took, so that indexing holds
                // the write lock (and a core) a quarter of the time at most and the ingest
                // writer comes first. Searches read what is not indexed yet directly.
                Ok(n) if n == u64::from(text_index::BATCH) => {
                    tokio::time::sleep(began.elapsed() * INDEX_REST_FACTOR).await
                }
                Ok(_) => tokio::time::sleep(INDEX_IDLE).await,
                Err(error) => {
                    tracing::warn!(%error, "full-text indexing failed; will retry");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    }))
}

/// How often due deliveries are looked for when nothing wakes the task (retries, and
/// deliveries another server recorded).
const DELIVERY_POLL: Duration = Duration::from_secs(2);

/// Evaluates alert rules: window rules every interval, issue rules also as soon as the
/// writer commits a new issue or a regression.
pub fn spawn_alert_evaluator(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let alerts = state.alerts.clone();
    let clock = state.clock.clone();
    let issues_changed = state.ingest.issues_changed.clone();
    let interval = alerts.config.interval;
    tokio::spawn(async move {
        loop {
            let now_us = clock.now().timestamp_micros();
            if let Err(error) = evaluate::evaluate_due(&db, &alerts, now_us).await {
                tracing::warn!(%error, "evaluating alert rules failed; will retry");
            }
            tokio::select! {
                _ = issues_changed.notified() => {}
                _ = tokio::time::sleep(interval) => {}
            }
        }
    })
}

/// Sends alert deliveries when they are recorded, and retries failed ones when due.
pub fn spawn_alert_sender(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let alerts = state.alerts.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        loop {
            let now_us = clock.now().timestamp_micros();
            match outbox::deliver_due(&db, &alerts, now_us).await {
                // A full batch: more may be waiting.
                Ok(sent) if sent > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "sending alert deliveries failed; will retry"),
            }
            tokio::select! {
                _ = alerts.deliveries_waiting.notified() => {}
                _ = tokio::time::sleep(DELIVERY_POLL) => {}
            }
        }
    })
}

/// How long the pattern miner rests once it has caught up.
const MINE_IDLE: Duration = Duration::from_secs(1);
/// While behind, the miner rests this many times as long as each batch took, so that it
/// takes a core a quarter of the time at most and ingest comes first.
const MINE_REST_FACTOR: u32 = 3;

/// Clusters committed lines into patterns (see `backend::patterns`), a batch at a time.
pub fn spawn_pattern_miner(state: &AppState) -> tokio::task::JoinHandle<()> {
    let db = state.db.clone();
    let clock = state.clock.clone();
    tokio::spawn(async move {
        let mut miner = PatternMiner::new(MinerConfig::default());
        loop {
            let began = std::time::Instant::now();
            let now_us = clock.now().timestamp_micros();
            match miner.mine(&db, patterns::BATCH, now_us).await {
                Ok(n) if n == u64::from(patterns::BATCH) => {
                    tokio::time::sleep(began.elapsed() * MINE_REST_FACTOR).await
                }
                Ok(_) => tokio::time::sleep(MINE_IDLE).await,
                Err(error) => {
                    tracing::warn!(%error, "mining log patterns failed; will retry");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    })
}
