use app::backend::{AppState, db};
use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};

/// `GET /health`: 200 when the database answers and the ingest writer runs, 503 otherwise.
/// The ingest queue's fill shows back-pressure before it turns into 503s on `/ingest`.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let db_up = db::ping(&state.db).await;
    let writer_up = state.ingest.writer_running();
    let status = if db_up && writer_up {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = |up: bool, down: &str| {
        if up {
            "ok".to_string()
        } else {
            down.to_string()
        }
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "degraded" },
        "db": word(db_up, "down"),
        "ingest": {
            "writer": word(writer_up, "stopped"),
            "queued_lines": state.ingest.queued_lines(),
            "queue_capacity": state.ingest.config.queue_lines,
            "sentry_items_skipped": state.ingest.skipped_items.snapshot(),
        },
        "version": env!("CARGO_PKG_VERSION"),
    });
    (status, Json(body))
}
