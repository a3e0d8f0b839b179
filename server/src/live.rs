//! `GET /apps/{id}/logs/live`: the log view's live stream as Server-Sent Events.
//!
//! - `event: lines`, `data:` a JSON array of lines (oldest first), `id:` the newest line id
//!   the stream has looked at: a reconnect sends it back (`Last-Event-ID`, or `?after=`) and
//!   continues after it, so nothing is lost or repeated.
//! - `event: gap`, `data: {"missed": n}` when more lines arrived than one catch-up reads
//!   (`CATCH_UP_LINES`): the view reloads instead of pretending it has them all.
//! - a comment every 15 s keeps proxies from closing an idle stream.
use std::{collections::HashMap, collections::VecDeque, convert::Infallible, time::Duration};

use app::{
    backend::{
        AppState,
        ingest::{Delivery, Subscription},
        services::{live::LiveFilter, logs::Selection},
        store::search,
    },
    model::logs::LogRow,
};
use axum::{
    Router,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
    routing::get,
};
use futures_util::{StreamExt, stream};

use crate::{api_error::ApiError, log_routes};

/// Lines read from the database when a stream resumes or its inbox overflowed.
pub const CATCH_UP_LINES: u32 = 5_000;
/// Lines per event.
const EVENT_LINES: usize = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/apps/{id}/logs/live", get(live))
        .route("/apps/{id}/logs/export", get(crate::export::export))
}

async fn live(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match open(state, &app_id, &params, &headers).await {
        Ok(stream) => stream.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn open(
    state: AppState,
    app_id: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let (selection, search) = log_routes::selection(&state, headers, app_id, params).await?;
    let after = resume_after(headers, params)?;
    // Subscribe before reading the database, so that no line falls between the two.
    let subscription = state.ingest.subscribe(selection.app.id);
    let mut live = Live {
        filter: LiveFilter::new(&selection, search.range),
        selection,
        state,
        subscription,
        last_id: after.unwrap_or(0),
        pending: VecDeque::new(),
    };
    if after.is_some() {
        live.catch_up().await?;
    }
    let stopping = crate::serve::stopping().subscribe();
    let events = stream::unfold(live, move |mut live| {
        let mut stopping = stopping.clone();
        async move {
            // The stream ends when the server shuts down; the view reconnects elsewhere.
            let event = tokio::select! {
                event = live.next_event() => event?,
                _ = stopping.wait_for(|stop| *stop) => return None,
            };
            Some((Ok::<_, Infallible>(event), live))
        }
    })
    .fuse();
    Ok((
        [("x-accel-buffering", "no")],
        Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))),
    ))
}

/// Where a reconnecting stream continues: `Last-Event-ID`, else `?after=`.
fn resume_after(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Option<i64>, ApiError> {
    let text = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(params.get("after").map(String::as_str));
    text.map(|t| {
        t.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id >= 0)
            .ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", "after must be a line id (an integer)")
            })
    })
    .transpose()
}

struct Live {
    state: AppState,
    selection: Selection,
    filter: LiveFilter,
    subscription: Subscription,
    /// The newest line id looked at; lines at or below it were sent or filtered out.
    last_id: i64,
    pending: VecDeque<Event>,
}

impl Live {
    /// The next event; `None` ends the stream (the database failed: the view reconnects).
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            match self.subscription.next().await {
                Delivery::Lines(lines) => {
                    let fresh: Vec<_> = lines.iter().filter(|l| l.id > self.last_id).collect();
                    let Some(newest) = fresh.iter().map(|l| l.id).max() else {
                        continue;
                    };
                    let rows = fresh.iter().filter_map(|l| self.filter.row(l)).collect();
                    self.last_id = newest;
                    self.queue(rows);
                }
                Delivery::Missed(_) => {
                    // The lines are committed: read them back instead of losing them.
                    if let Err(e) = self.catch_up().await {
                        tracing::warn!(error = ?e, "live stream could not catch up");
                        return None;
                    }
                }
            }
        }
    }

    /// Queues the lines committed after `last_id` that match, from the database.
    async fn catch_up(&mut self) -> Result<(), ApiError> {
        let mut filter = self.selection.filter();
        if self.filter.end_us.is_none() {
            // A period ending now keeps going: the lines arriving are in it.
            filter.end_us = i64::MAX;
        }
        let rows = search::after(&self.state.db, &filter, self.last_id, CATCH_UP_LINES + 1).await?;
        if rows.len() > CATCH_UP_LINES as usize {
            // Too many to send: say so, and continue from the newest line.
            let newest = search::latest_id(&self.state.db, self.selection.app.id).await?;
            let data = serde_json::json!({ "missed": rows.len() }).to_string();
            self.pending.push_back(
                Event::default()
                    .event("gap")
                    .id(newest.to_string())
                    .data(data),
            );
            self.last_id = newest;
            return Ok(());
        }
        if let Some(last) = rows.last() {
            self.last_id = self.last_id.max(last.id);
        }
        self.queue(rows);
        Ok(())
    }

    /// Queues `rows` as events. The last carries the newest id looked at (filtered-out
    /// lines included), so a resume does not read them again.
    fn queue(&mut self, rows: Vec<LogRow>) {
        let chunks: Vec<_> = rows.chunks(EVENT_LINES).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let Ok(data) = serde_json::to_string(chunk) else {
                continue;
            };
            let id = if i + 1 == chunks.len() {
                self.last_id
            } else {
                chunk.last().map_or(self.last_id, |r| r.id)
            };
            self.pending.push_back(
                Event::default()
                    .event("lines")
                    .id(id.to_string())
                    .data(data),
            );
        }
    }
}
