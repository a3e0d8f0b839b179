//! The line an error event leaves in the log stream.
use serde_json::{Value, json};

use super::*;
use crate::model::Level;

fn event(payload: Value) -> ErrorEvent {
    parse_event(payload.to_string().as_bytes(), NOW).unwrap()
}

#[test]
fn the_log_line_of_an_event() {
    let limits = IngestLimits::default();
    let service = |payload: Value| event(payload).to_new_line(&limits).service;
    assert_eq!(
        service(json!({"tags": {"service": "api"}, "server_name": "h", "logger": "l"})),
        "api"
    );
    assert_eq!(service(json!({"server_name": "h", "logger": "l"})), "h");
    assert_eq!(service(json!({"logger": "l"})), "l");
    assert_eq!(service(json!({})), "default");

    let e = event(json!({
        "level": "warning", "environment": "e".repeat(64), "release": "r".repeat(200),
        "server_name": "s".repeat(128), "message": "nul\u{0}here",
        "tags": {"k\u{0}": "v"},
        "exception": [{"type": "E", "mechanism": {"handled": false}}],
        "user": {"email": "only@example.com"},
    }));
    let line = e.to_new_line(&limits);
    assert_eq!(line.level, Level::Warn);
    assert_eq!(line.environment.as_ref().unwrap().len(), 64);
    assert_eq!(
        line.release.as_ref().unwrap().chars().count(),
        128,
        "cut to the column"
    );
    assert_eq!(line.service.chars().count(), 128);
    assert_eq!(line.message, "E");
    let attrs: Value = serde_json::from_str(&line.attributes).unwrap();
    assert_eq!(
        attrs,
        json!({"exception_type": "E", "handled": false, "k\u{FFFD}": "v"})
    );

    let unknown_level = event(json!({"level": "loud", "message": "m"})).to_new_line(&limits);
    assert_eq!(unknown_level.level, Level::Error);
    let attrs: Value = serde_json::from_str(&unknown_level.attributes).unwrap();
    assert_eq!(attrs, json!({"original_level": "loud"}));

    // Tags give way when the attributes would be too large; the event's own fields stay.
    let many: serde_json::Map<String, Value> = (0..100)
        .map(|i| (format!("tag{i}"), json!("v".repeat(190))))
        .collect();
    let tagged = event(json!({"event_id": "12c2d058d58442709aa2eca08bf20986", "tags": many}));
    let small = IngestLimits {
        max_attributes: 1_000,
        ..IngestLimits::default()
    };
    let attrs: Value = serde_json::from_str(&tagged.to_new_line(&small).attributes).unwrap();
    assert_eq!(
        attrs,
        json!({"event_id": "12c2d058d58442709aa2eca08bf20986"})
    );
    let attrs: Value = serde_json::from_str(&tagged.to_new_line(&limits).attributes).unwrap();
    assert_eq!(attrs.as_object().unwrap().len(), 101);
}
