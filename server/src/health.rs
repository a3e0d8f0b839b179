use app::backend::{AppState, db};
use axum::{Json, extract::State, http::StatusCode};
use serde_json::{Value, json};

/// `GET /health`: 200 when the database answers, 503 when it does not.
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let version = env!("CARGO_PKG_VERSION");
    if db::ping(&state.db).await {
        (
            StatusCode::OK,
            Json(json!({"status": "ok", "db": "ok", "version": version})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "degraded", "db": "down", "version": version})),
        )
    }
}
