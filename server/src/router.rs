use app::{App, backend::AppState, shell};
use axum::{Router, http::Request, routing::get};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::{
    compression::CompressionLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    trace::TraceLayer,
};

/// The whole HTTP surface: machine-facing routes first, then the Leptos pages and server
/// functions, then static files from the site root.
pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let leptos_options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(crate::health::health))
        .merge(crate::oauth::routes())
        .merge(crate::ingest::routes())
        .merge(crate::sentry::routes())
        .merge(crate::device::routes())
        .merge(crate::live::routes())
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::access::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .extensions()
                    .get::<RequestId>()
                    .and_then(|id| id.header_value().to_str().ok())
                    .unwrap_or("-");
                // The path only: query strings may carry keys (`?sentry_key=`).
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}
