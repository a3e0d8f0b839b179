//! `log` items: typed attributes, columns, levels, and the `/ingest` limits.
use serde_json::{Value, json};

use super::*;
use crate::backend::ingest::IngestLimits;
use crate::backend::ingest::batch::MESSAGE_TRUNCATED;
use crate::backend::sentry::*;
use crate::model::Level;

fn lines(payload: Value) -> Result<Vec<NewLine>, LogItemError> {
    parse_log_item(
        payload.to_string().as_bytes(),
        NOW,
        &IngestLimits::default(),
    )
}

fn one(log: Value) -> NewLine {
    lines(json!({"items": [log]})).unwrap().remove(0)
}

fn attrs(line: &NewLine) -> Value {
    serde_json::from_str(&line.attributes).unwrap()
}

#[test]
fn attributes_keep_their_declared_types() {
    let line = one(json!({
        "timestamp": 1_708_473_600.5, "level": "info", "body": "typed",
        "attributes": {
            "int": {"value": 42, "type": "integer"},
            "int_text": {"value": "9007199254740993", "type": "integer"},
            "int_float": {"value": 3.0, "type": "integer"},
            "int_bad": {"value": "many", "type": "integer"},
            "double": {"value": 1.5, "type": "double"},
            "double_whole": {"value": 2, "type": "double"},
            "double_text": {"value": "0.25", "type": "double"},
            "bool": {"value": false, "type": "boolean"},
            "bool_text": {"value": "true", "type": "boolean"},
            "string": {"value": "s", "type": "string"},
            "string_number": {"value": 7, "type": "string"},
            "array": {"value": ["a", "b"], "type": "string[]"},
            "unknown": {"value": {"x": 1}, "type": "map"},
            "untyped": {"value": "u"},
            "bare": 5,
            "with_unit": {"value": 12, "type": "integer", "unit": "millisecond"},
            "nothing": {"value": null, "type": "string"},
        }
    }));
    assert_eq!(line.ts, 1_708_473_600_500_000);
    assert_eq!(
        attrs(&line),
        json!({
            "int": 42, "int_text": 9_007_199_254_740_993_i64, "int_float": 3, "int_bad": "many",
            "double": 1.5, "double_whole": 2, "double_text": 0.25,
            "bool": false, "bool_text": true,
            "string": "s", "string_number": "7",
            "array": ["a", "b"], "unknown": {"x": 1}, "untyped": "u", "bare": 5,
            "with_unit": 12,
        })
    );
}

#[test]
fn well_known_attributes_become_columns() {
    let line = one(json!({
        "timestamp": 1_708_473_600.0, "level": "error", "body": "b",
        "trace_id": "5b8efff798038103d269b633813fc60c", "span_id": "b0e6f15b45c36b12",
        "attributes": {
            "sentry.environment": {"value": "production", "type": "string"},
            "sentry.release": {"value": "1.0.0", "type": "string"},
            "service.name": {"value": "billing", "type": "string"},
            "server.address": {"value": "host-1", "type": "string"},
            "sentry.sdk.name": {"value": "sentry.javascript.node", "type": "string"},
        }
    }));
    assert_eq!(line.level, Level::Error);
    assert_eq!(line.service, "billing");
    assert_eq!(line.environment.as_deref(), Some("production"));
    assert_eq!(line.release.as_deref(), Some("1.0.0"));
    assert_eq!(
        line.trace_id.as_deref(),
        Some("5b8efff798038103d269b633813fc60c")
    );
    assert_eq!(
        attrs(&line),
        json!({
            "span_id": "b0e6f15b45c36b12",
            "server.address": "host-1",
            "sentry.sdk.name": "sentry.javascript.node",
        })
    );
    let by_service = one(json!({"body": "b", "attributes": {
        "service": {"value": "jobs", "type": "string"},
        "server.address": {"value": "host-1", "type": "string"},
    }}));
    assert_eq!(by_service.service, "jobs");
    assert_eq!(attrs(&by_service), json!({"server.address": "host-1"}));
    let by_host = one(json!({"body": "b", "attributes": {
        "server.address": {"value": "host-1", "type": "string"},
    }}));
    assert_eq!(
        (by_host.service.as_str(), attrs(&by_host)),
        ("host-1", json!({}))
    );
    let bare = one(json!({"body": "b"}));
    assert_eq!(bare.service, "default");
    assert_eq!(bare.ts, NOW, "no timestamp: when received");
    assert_eq!(bare.received_at, NOW);
    assert_eq!(bare.level, Level::Info);
}

#[test]
fn levels_from_names_or_severity_numbers() {
    let level = |log: Value| {
        let line = one(log);
        (line.level, attrs(&line).get("original_level").cloned())
    };
    for (name, expected) in [
        ("trace", Level::Trace),
        ("debug", Level::Debug),
        ("info", Level::Info),
        ("warn", Level::Warn),
        ("error", Level::Error),
        ("fatal", Level::Fatal),
    ] {
        assert_eq!(
            level(json!({"body": "b", "level": name, "severity_number": 1})),
            (expected, None),
            "the name wins: {name}"
        );
    }
    assert_eq!(
        level(json!({"body": "b", "severity_number": 14})),
        (Level::Warn, None)
    );
    assert_eq!(
        level(json!({"body": "b", "level": "notice-ish", "severity_number": 22})),
        (Level::Fatal, Some(json!("notice-ish")))
    );
    assert_eq!(
        level(json!({"body": "b", "level": "loud"})),
        (Level::Info, Some(json!("loud"))),
        "as /ingest does"
    );
    assert_eq!(
        level(json!({"body": "b", "severity_number": 99})),
        (Level::Info, None)
    );
}

#[test]
fn the_ingest_limits_apply() {
    let small = IngestLimits {
        max_message: 8,
        max_attributes: 100,
        max_lines: 2,
        ..IngestLimits::default()
    };
    let parse = |payload: Value| parse_log_item(payload.to_string().as_bytes(), NOW, &small);
    let cut = parse(json!({"items": [{"body": "a message too long"}]})).unwrap();
    assert_eq!(cut[0].message, "a messag");
    assert_eq!(attrs(&cut[0]), json!({ MESSAGE_TRUNCATED: 18 }));

    let error = parse(json!({"items": [{"body": "a"}, {"body": "b"}, {"body": "c"}]})).unwrap_err();
    assert_eq!(error, LogItemError::TooManyLogs { count: 3, limit: 2 });
    assert!(error.is_too_large());

    let big = json!({"blob": {"value": "x".repeat(200), "type": "string"}});
    let error =
        parse(json!({"items": [{"body": "ok"}, {"body": "b", "attributes": big}]})).unwrap_err();
    assert_eq!(
        (error.code(), error.is_too_large()),
        ("attributes_too_large", true)
    );
    assert!(
        error
            .to_string()
            .starts_with("items[1]: the line's attributes take"),
        "{error}"
    );

    let long_env = json!({"sentry.environment": {"value": "e".repeat(65), "type": "string"}});
    let error = lines(json!({"items": [{"body": "b", "attributes": long_env}]})).unwrap_err();
    assert_eq!(
        error,
        LogItemError::Log {
            index: 0,
            code: "invalid_environment",
            reason: "environment is longer than 64 characters".into()
        }
    );
}

#[test]
fn malformed_log_items() {
    for (payload, code) in [
        (&b"{\"items\":"[..], "invalid_log_json"),
        (b"[]", "invalid_log_item"),
        (b"{}", "invalid_log_item"),
        (b"{\"items\":{}}", "invalid_log_item"),
    ] {
        let error = parse_log_item(payload, NOW, &IngestLimits::default()).unwrap_err();
        assert_eq!(error.code(), code, "{:?}", String::from_utf8_lossy(payload));
        assert!(!error.is_too_large());
    }
    let error = lines(json!({"items": [{"body": "ok"}, "text"]})).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string().as_str()),
        ("invalid_line", "items[1]: each log must be a JSON object")
    );
    let error = lines(json!({"items": [{"body": "ok"}, {"level": "info"}]})).unwrap_err();
    assert_eq!(
        (error.code(), error.to_string().as_str()),
        ("missing_message", "items[1]: message is required")
    );
    let error = lines(json!({"items": [{"body": "b", "timestamp": "soon"}]})).unwrap_err();
    assert_eq!(error.code(), "invalid_timestamp");
    assert_eq!(lines(json!({"items": []})).unwrap(), Vec::<NewLine>::new());
}
