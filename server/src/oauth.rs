//! `/auth/{provider}/start` and `/auth/{provider}/callback`: sign-in through OAuth2/OIDC.
use app::backend::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
