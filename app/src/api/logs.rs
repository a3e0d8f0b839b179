//! The app's log view: the first screen in one call, then older pages. Live lines come from
//! the SSE route (`/apps/{id}/live`) and exports from `/apps/{id}/export`, both in the server.
use leptos::prelude::*;

use super::AppError;
use crate::model::logs::{Cursor, LogPage, LogSearch, LogView};

/// The app's health, histogram, first page of lines and environments for `search`. (One
/// call: a resource that awaits two server functions in turn loses its context during SSR.)
#[server(prefix = "/app", endpoint = "logs/view")]
pub async fn load_logs(app_id: i64, search: LogSearch) -> Result<LogView, AppError> {
    use crate::backend::{services::logs, store::search};

    let (state, user) = super::apps::server::owner().await?;
    let now_us = chrono::Utc::now().timestamp_micros();
    let selection = logs::select(&state.db, user.id, app_id, &search, now_us).await?;
    let db = &state.db;
    let filter = selection.filter();
    let page = search::page(db, &filter, None, logs::PAGE_LINES).await?;
    let histogram = search::histogram(db, &filter, logs::HISTOGRAM_BARS).await?;
    let health = logs::health(db, app_id, now_us).await?;
    let environments = logs::environments(db, app_id).await?;
    let latest_id = logs::latest_id(db, app_id).await?;
    Ok(LogView {
        app: super::apps::server::app_view(&state, selection.app.clone()),
        health,
        histogram,
        page,
        environments,
        latest_id,
        start_us: selection.start_us,
        end_us: selection.end_us,
    })
}

/// The page of lines older than `before` for the same view.
#[server(prefix = "/app", endpoint = "logs/older")]
pub async fn older_logs(
    app_id: i64,
    search: LogSearch,
    before: Cursor,
) -> Result<LogPage, AppError> {
    use crate::backend::{services::logs, store::search};

    let (state, user) = super::apps::server::owner().await?;
    let now_us = chrono::Utc::now().timestamp_micros();
    let selection = logs::select(&state.db, user.id, app_id, &search, now_us).await?;
    Ok(search::page(
        &state.db,
        &selection.filter(),
        Some(before),
        logs::PAGE_LINES,
    )
    .await?)
}
