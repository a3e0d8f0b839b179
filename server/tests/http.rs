//! The router in-process, on both engines: health in both states, the landing page, request
//! ids and compression.
mod common;

use app::{backend::testing::TestDb, on_both_databases};
use axum::{
    Router,
    body::Body,
    http::{Request, StatusCode, header},
};
use common::router;
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(
    router: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).expect("a JSON body")
}

async fn health_is_ok_then_503_when_the_database_is_gone(test: &TestDb) {
    let router = router(test);
    let (status, headers, body) = get(&router, "/health", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let body = json(&body);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["db"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        body["ingest"],
        serde_json::json!({"writer": "ok", "queued_lines": 0, "queue_capacity": 100_000,
                           "sentry_items_skipped": {}})
    );

    test.db.clone().close().await.unwrap();
    let (status, _, body) = get(&router, "/health", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(json(&body)["db"], "down");
}

async fn every_response_carries_a_request_id(test: &TestDb) {
    let router = router(test);
    let (_, headers, _) = get(&router, "/health", &[]).await;
    let generated = headers["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let (_, headers, _) = get(&router, "/health", &[("x-request-id", "trace-me-42")]).await;
    assert_eq!(headers["x-request-id"], "trace-me-42");
}

async fn the_landing_page_renders_and_unknown_pages_are_404(test: &TestDb) {
    let router = router(test);
    let (status, headers, body) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("Every log and error, live, from one small binary."));
    assert!(html.contains("Get started") && html.contains("Sign in"));
    assert!(
        html.contains("/pkg/lodestar.js"),
        "the page loads the hydration bundle"
    );

    let (status, _, body) = get(&router, "/no/such/page", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("This page does not exist")
    );
}

async fn responses_are_compressed_when_asked(test: &TestDb) {
    let router = router(test);
    let (status, headers, _) = get(&router, "/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
}

on_both_databases!(
    health_is_ok_then_503_when_the_database_is_gone,
    every_response_carries_a_request_id,
    the_landing_page_renders_and_unknown_pages_are_404,
    responses_are_compressed_when_asked,
);
