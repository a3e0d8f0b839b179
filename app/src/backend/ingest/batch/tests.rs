use serde_json::{Value, json};

use super::*;

const NOW: i64 = 1_708_473_600_000_000;

fn limits() -> IngestLimits {
    IngestLimits::default()
}

fn one(line: Value) -> Result<NewLine, BatchError> {
    let body = json!({ "api_key": "sk_x", "logs": [line] }).to_string();
    parse_json(body.as_bytes(), NOW, &limits()).map(|mut b| b.lines.remove(0))
}

fn attrs(line: &NewLine) -> Value {
    serde_json::from_str(&line.attributes).unwrap()
}

#[test]
fn the_journey_batch_is_read_with_its_key() {
    let body = br#"{"api_key":"sk_abc","logs":[{"timestamp":1708473600.123,"level":"INFO",
        "message":"GET /cart 200","service":"api","extra":{"user_id":42}}]}"#;
    let batch = parse_json(body, NOW, &limits()).unwrap();
    assert_eq!(batch.api_key.as_deref(), Some("sk_abc"));
    let line = &batch.lines[0];
    assert_eq!(line.ts, 1_708_473_600_123_000);
    assert_eq!(line.received_at, NOW);
    assert_eq!(line.level, Level::Info);
    assert_eq!(line.service, "api");
    assert_eq!(line.message, "GET /cart 200");
    assert_eq!(attrs(line), json!({"user_id": 42}));
}

#[test]
fn timestamps_in_every_accepted_form() {
    let cases = [
        (json!(1708473600), 1_708_473_600_000_000),
        (json!(1708473600.5), 1_708_473_600_500_000),
        (json!(1708473600123_i64), 1_708_473_600_123_000),
        (json!(1708473600123456_i64), 1_708_473_600_123_456),
        (json!(1708473600123456789_i64), 1_708_473_600_123_457),
        (json!("2024-02-21T00:00:00.25Z"), 1_708_473_600_250_000),
        (json!("2024-02-21T01:00:00+01:00"), 1_708_473_600_000_000),
        (json!("1708473600.5"), 1_708_473_600_500_000),
        (Value::Null, NOW),
    ];
    for (given, micros) in cases {
        let line = one(json!({"message": "m", "timestamp": given})).unwrap();
        assert_eq!(line.ts, micros, "{given}");
    }
    let missing = one(json!({"message": "m"})).unwrap();
    assert_eq!(missing.ts, NOW);
    for bad in [
        json!("yesterday"),
        json!(-5),
        json!(true),
        json!({"s": 1}),
        json!("2024-13-40T00:00:00Z"),
    ] {
        let error = one(json!({"message": "m", "timestamp": bad})).unwrap_err();
        assert_eq!(
            (error.code, error.index),
            ("invalid_timestamp", Some(0)),
            "{bad}"
        );
    }
}

#[test]
fn level_names_and_aliases_in_any_case() {
    let cases = [
        ("trace", Level::Trace),
        ("DEBUG", Level::Debug),
        ("Info", Level::Info),
        ("notice", Level::Info),
        ("warn", Level::Warn),
        ("WARNING", Level::Warn),
        ("error", Level::Error),
        ("ERR", Level::Error),
        ("critical", Level::Fatal),
        ("Fatal", Level::Fatal),
    ];
    for (name, level) in cases {
        let line = one(json!({"message": "m", "level": name})).unwrap();
        assert_eq!(line.level, level, "{name}");
        assert_eq!(attrs(&line), json!({}), "{name}");
    }
    let unknown = one(json!({"message": "m", "level": "LOUD"})).unwrap();
    assert_eq!(unknown.level, Level::Info);
    assert_eq!(attrs(&unknown), json!({ ORIGINAL_LEVEL: "LOUD" }));
    let numeric = one(json!({"message": "m", "level": 30})).unwrap();
    assert_eq!(attrs(&numeric), json!({ ORIGINAL_LEVEL: 30 }));
    assert_eq!(one(json!({"message": "m"})).unwrap().level, Level::Info);
}

#[test]
fn columns_defaults_and_attributes() {
    let line = one(json!({
        "message": "paid", "service": "billing", "environment": "production",
        "release": "1.4.2", "trace_id": "abc123", "correlation_id": "order-7",
        "region": "eu", "extra": {"region": "us", "amount": 12.5}, "extra_field": [1]
    }))
    .unwrap();
    assert_eq!(line.service, "billing");
    assert_eq!(line.environment.as_deref(), Some("production"));
    assert_eq!(line.release.as_deref(), Some("1.4.2"));
    assert_eq!(line.trace_id.as_deref(), Some("abc123"));
    // Unknown fields and `extra` are attributes; `extra` wins a clash.
    assert_eq!(
        attrs(&line),
        json!({"correlation_id": "order-7", "region": "us", "amount": 12.5, "extra_field": [1]})
    );
    let bare = one(json!({"message": "m", "service": ""})).unwrap();
    assert_eq!(bare.service, "default");
    assert_eq!(
        (bare.environment, bare.release, bare.trace_id),
        (None, None, None)
    );
    assert_eq!(one(json!({"message": "m"})).unwrap().service, "default");
    let odd_extra = one(json!({"message": "m", "extra": "text", "release": 2})).unwrap();
    assert_eq!(attrs(&odd_extra), json!({"extra": "text"}));
    assert_eq!(odd_extra.release.as_deref(), Some("2"));
}

#[test]
fn long_messages_are_cut_on_a_character_and_flagged() {
    let small = IngestLimits {
        max_message: 10,
        ..limits()
    };
    let body = json!({"logs": [{"message": "ééééééé"}]}).to_string(); // 14 bytes
    let line = parse_json(body.as_bytes(), NOW, &small)
        .unwrap()
        .lines
        .remove(0);
    assert_eq!(line.message, "ééééé");
    assert_eq!(attrs(&line), json!({ MESSAGE_TRUNCATED: 14 }));
}

#[test]
fn bad_lines_are_named_by_index_and_reject_the_batch() {
    let body = json!({"logs": [{"message": "ok"}, {"message": "ok"}, {"level": "info"}]});
    let error = parse_json(body.to_string().as_bytes(), NOW, &limits()).unwrap_err();
    assert_eq!((error.code, error.index), ("missing_message", Some(2)));
    assert!(error.message.starts_with("logs[2]"), "{}", error.message);

    let cases = [
        (json!("just text"), "invalid_line"),
        (json!({"message": {"a": 1}}), "invalid_message"),
        (
            json!({"message": "m", "service": "s".repeat(129)}),
            "invalid_service",
        ),
        (json!({"message": "m", "service": true}), "invalid_service"),
        (
            json!({"message": "m", "environment": "e".repeat(65)}),
            "invalid_environment",
        ),
        (json!({"message": "m", "release": ["1"]}), "invalid_release"),
        (
            json!({"message": "m", "trace_id": "t".repeat(65)}),
            "invalid_trace_id",
        ),
        (
            json!({"message": "m", "extra": {"blob": "x".repeat(40_000)}}),
            "attributes_too_large",
        ),
    ];
    for (line, code) in cases {
        let error = one(line.clone()).unwrap_err();
        assert_eq!((error.code, error.index), (code, Some(0)), "{line}");
    }
}

#[test]
fn bodies_that_are_not_a_batch() {
    for (body, code) in [
        (&b"{not json"[..], "invalid_json"),
        (b"[1,2]", "invalid_body"),
        (b"{\"api_key\":\"sk_x\"}", "invalid_body"),
        (b"{\"logs\":{}}", "invalid_body"),
        (b"{\"api_key\":5,\"logs\":[]}", "invalid_body"),
        (b"\xff\xfe", "invalid_json"),
    ] {
        let error = parse_json(body, NOW, &limits()).unwrap_err();
        assert_eq!(
            (error.code, error.index),
            (code, None),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    let few = IngestLimits {
        max_lines: 2,
        ..limits()
    };
    let three = json!({"logs": [{"message": "a"}, {"message": "b"}, {"message": "c"}]});
    assert_eq!(
        parse_json(three.to_string().as_bytes(), NOW, &few)
            .unwrap_err()
            .code,
        "too_many_lines"
    );
    assert!(
        parse_json(b"{\"logs\":[]}", NOW, &limits())
            .unwrap()
            .lines
            .is_empty()
    );
}

#[test]
fn ndjson_lines_skip_blanks_and_name_the_bad_one() {
    let body = b"{\"message\":\"a\",\"level\":\"warn\"}\n\n  \r\n{\"message\":\"b\"}\r\n";
    let batch = parse_ndjson(body, NOW, &limits()).unwrap();
    assert_eq!(batch.api_key, None);
    let messages: Vec<_> = batch.lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, ["a", "b"]);
    assert_eq!(batch.lines[0].level, Level::Warn);
    let error = parse_ndjson(b"{\"message\":\"a\"}\n{oops\n", NOW, &limits()).unwrap_err();
    assert_eq!((error.code, error.index), ("invalid_json", Some(1)));
    let few = IngestLimits {
        max_lines: 1,
        ..limits()
    };
    assert_eq!(
        parse_ndjson(b"{\"message\":\"a\"}\n{\"message\":\"b\"}", NOW, &few)
            .unwrap_err()
            .code,
        "too_many_lines"
    );
}

#[test]
fn nul_characters_become_replacement_characters_everywhere() {
    let line =
        one(json!({"message": "a\u{0}b", "service": "s\u{0}", "extra": {"k\u{0}": ["v\u{0}"]}}))
            .unwrap();
    assert_eq!(line.message, "a\u{FFFD}b");
    assert_eq!(line.service, "s\u{FFFD}");
    assert_eq!(attrs(&line), json!({"k\u{FFFD}": ["v\u{FFFD}"]}));
    assert!(!line.attributes.contains("\\u0000"));
}
