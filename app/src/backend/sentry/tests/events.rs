//! Reading event payloads: leniency about shapes, strictness about sizes, titles, culprits
//! and the log line.
use serde_json::{Value, json};

use super::*;
use crate::backend::sentry::*;
use crate::model::Level;

fn event(payload: Value) -> ErrorEvent {
    parse_event(payload.to_string().as_bytes(), NOW).unwrap()
}

fn frames(count: usize) -> Value {
    let frames: Vec<Value> = (0..count)
        .map(|i| json!({"function": format!("f{i}"), "in_app": i % 2 == 0}))
        .collect();
    Value::Array(frames)
}

#[test]
fn only_non_objects_are_refused() {
    for (payload, code) in [
        (&b"{\"level\":"[..], "invalid_event_json"),
        (b"", "invalid_event_json"),
        (b"\xff", "invalid_event_json"),
        (b"[]", "invalid_event"),
        (b"\"error\"", "invalid_event"),
        (b"null", "invalid_event"),
    ] {
        let error = parse_event(payload, NOW).unwrap_err();
        assert_eq!(error.code(), code, "{:?}", String::from_utf8_lossy(payload));
    }
    let empty = event(json!({}));
    assert_eq!(empty.level, Level::Error);
    assert_eq!(empty.timestamp, NOW);
    assert_eq!(empty.title(), "<unlabeled event>");
    assert_eq!(empty.culprit(), None);
    assert!(empty.truncation.is_empty());
}

#[test]
fn what_real_sdks_send_is_read_leniently() {
    let e = event(json!({
        "event_id": "12C2D058-D584-4270-9AA2-ECA08BF20986",
        "timestamp": "1708473600.5",
        "level": "FATAL",
        "platform": null, "logger": 42, "server_name": "", "environment": "prod",
        "release": 7, "dist": null, "transaction": "/cart/{id}",
        "tags": [["region", "eu"], ["attempt", 3], ["broken"], ["empty", null]],
        "user": {"id": 1001, "ip_address": "{{auto}}", "segment": "paid", "geo": {"city": "Oslo"}},
        "request": {"method": "post", "url": "https://x.test/a", "headers": [["Accept", "*/*"]],
                    "query_string": [["q", "1"], ["p", "2"]], "data": {"a": 1}, "cookies": "s=1"},
        "fingerprint": ["{{ default }}", 12, null],
        "contexts": {"trace": {"trace_id": "ABCDEF0123456789ABCDEF0123456789"}, "os": null},
        "extra": {"n": 1, "gone": null},
        "unknown_field": {"kept": false},
        "exception": {"values": [
            null, {}, {"module": "a module is not enough"},
            {"type": "KeyError", "value": 5, "module": "builtins", "mechanism": {"type": "generic", "handled": "false"},
             "stacktrace": {"frames": [
                 {"filename": "a.py", "lineno": "12", "colno": -1, "in_app": "true",
                  "pre_context": "single line", "context_line": 7},
                 {}, null,
                 {"function": "g", "lineno": 3.0, "in_app": 1}
             ]}}
        ]},
    }));
    assert_eq!(
        e.event_id.as_deref(),
        Some("12c2d058d58442709aa2eca08bf20986")
    );
    assert_eq!(e.timestamp, 1_708_473_600_500_000);
    assert_eq!((e.level, e.original_level.as_deref()), (Level::Fatal, None));
    assert_eq!(e.platform, None);
    assert_eq!(e.logger.as_deref(), Some("42"));
    assert_eq!(e.server_name, None, "empty means unset");
    assert_eq!(e.release.as_deref(), Some("7"));
    assert_eq!(
        e.tags,
        [
            ("region".to_string(), "eu".to_string()),
            ("attempt".to_string(), "3".to_string())
        ],
        "pairs in the order sent"
    );
    let user = e.user.as_ref().unwrap();
    assert_eq!(user.id.as_deref(), Some("1001"));
    assert_eq!(
        Value::Object(user.extra.clone()),
        json!({"segment": "paid", "geo": {"city": "Oslo"}})
    );
    let request = e.request.as_ref().unwrap();
    assert_eq!(request.method.as_deref(), Some("POST"));
    assert_eq!(request.query_string.as_deref(), Some("q=1&p=2"));
    assert_eq!(request.headers, [("Accept".to_string(), "*/*".to_string())]);
    assert_eq!(request.data, Some(json!({"a": 1})));
    assert_eq!(e.fingerprint, ["{{ default }}", "12"]);
    assert_eq!(
        e.trace_id.as_deref(),
        Some("abcdef0123456789abcdef0123456789")
    );
    assert!(!e.contexts.contains_key("os"), "null entries are dropped");
    assert_eq!(Value::Object(e.extra.clone()), json!({"n": 1}));

    assert_eq!(
        e.exceptions.len(),
        1,
        "exceptions without type, value or frames dropped"
    );
    let raised = e.raised().unwrap();
    assert_eq!(raised.module.as_deref(), Some("builtins"));
    assert_eq!(raised.value.as_deref(), Some("5"));
    assert_eq!(raised.mechanism.as_ref().unwrap().handled, Some(false));
    let stack = raised.stacktrace.as_ref().unwrap();
    assert_eq!(stack.frames.len(), 2, "empty frames dropped");
    let first = &stack.frames[0];
    assert_eq!(
        (first.lineno, first.colno, first.in_app),
        (Some(12), None, Some(true))
    );
    assert_eq!(first.pre_context, ["single line"]);
    assert_eq!(first.context_line.as_deref(), Some("7"));
    assert_eq!(
        (stack.frames[1].lineno, stack.frames[1].in_app),
        (Some(3), Some(true))
    );
    assert!(e.truncation.is_empty(), "{:?}", e.truncation);
}

#[test]
fn levels_and_timestamps() {
    let cases = [
        (json!("warning"), Level::Warn, None),
        (json!("info"), Level::Info, None),
        (json!("debug"), Level::Debug, None),
        (json!("error"), Level::Error, None),
        (json!("fatal"), Level::Fatal, None),
        (json!("log"), Level::Error, Some("log")),
        (json!(null), Level::Error, None),
    ];
    for (given, level, original) in cases {
        let e = event(json!({"level": given}));
        assert_eq!(
            (e.level, e.original_level.as_deref()),
            (level, original),
            "{given}"
        );
    }
    for (given, micros) in [
        (json!(1_708_473_600.25), 1_708_473_600_250_000),
        (json!("2024-02-21T00:00:01Z"), 1_708_473_601_000_000),
        (json!("2024-02-21T01:00:00+01:00"), 1_708_473_600_000_000),
        (json!(1_708_473_600_123_i64), 1_708_473_600_123_000),
    ] {
        assert_eq!(
            event(json!({"timestamp": given})).timestamp,
            micros,
            "{given}"
        );
    }
    let garbage = event(json!({"timestamp": "last tuesday", "event_id": "nope"}));
    assert_eq!(garbage.timestamp, NOW);
    assert_eq!(garbage.event_id, None);
    assert_eq!(garbage.truncation.invalid, ["event_id", "timestamp"]);
}

#[test]
fn messages_in_every_form() {
    let plain = event(json!({"message": "plain text"}));
    assert_eq!(plain.message.as_deref(), Some("plain text"));

    let entry =
        event(json!({"logentry": {"message": "user %s paid %d%% of %s", "params": ["ada", 50]}}));
    assert_eq!(entry.message.as_deref(), Some("user ada paid 50% of %s"));
    assert_eq!(
        entry.message_template.as_deref(),
        Some("user %s paid %d%% of %s")
    );

    let formatted =
        event(json!({"message": {"message": "id %s", "formatted": "id 7", "params": ["7"]}}));
    assert_eq!(formatted.message.as_deref(), Some("id 7"));
    assert_eq!(formatted.message_template.as_deref(), Some("id %s"));

    let same = event(json!({"logentry": {"message": "no params"}}));
    assert_eq!(same.message.as_deref(), Some("no params"));
    assert_eq!(same.message_template, None);

    // `logentry` wins; a plain `message` fills in what it lacks.
    let both = event(json!({"logentry": {"message": "tpl %s", "params": [1]}, "message": "other"}));
    assert_eq!(both.message.as_deref(), Some("tpl 1"));
    let fallback = event(json!({"logentry": {}, "message": "from message"}));
    assert_eq!(fallback.message.as_deref(), Some("from message"));
    assert_eq!(
        event(json!({"message": 404})).message.as_deref(),
        Some("404")
    );
}

#[test]
fn sizes_are_capped_and_counted_never_refused() {
    let crumbs: Vec<Value> = (0..150)
        .map(|i| json!({"message": format!("crumb {i}")}))
        .collect();
    let chain: Vec<Value> = (0..30)
        .map(|i| json!({"type": format!("E{i}"), "value": "v"}))
        .collect();
    let mut values = chain;
    values.push(json!({"type": "Raised", "stacktrace": {"frames": frames(300)}}));
    let e = event(json!({
        "message": "m".repeat(10_000),
        "breadcrumbs": crumbs,
        "exception": {"values": values},
        "tags": (0..120).map(|i| (format!("t{i}"), json!("v"))).collect::<serde_json::Map<_, _>>(),
        "transaction": "t".repeat(300),
        "extra": {"big": "x".repeat(9_000), "small": 1},
    }));
    assert_eq!(e.message.as_ref().unwrap().len(), 8 << 10);
    assert_eq!(e.breadcrumbs.len(), MAX_BREADCRUMBS);
    assert_eq!(
        e.breadcrumbs[0].message.as_deref(),
        Some("crumb 50"),
        "the newest kept"
    );
    assert_eq!(e.breadcrumbs[99].message.as_deref(), Some("crumb 149"));
    assert_eq!(e.exceptions.len(), MAX_EXCEPTIONS);
    assert_eq!(
        e.raised().unwrap().ty.as_deref(),
        Some("Raised"),
        "the newest kept"
    );
    let stack = e.raised().unwrap().stacktrace.as_ref().unwrap();
    assert_eq!(stack.frames.len(), MAX_FRAMES);
    assert_eq!(stack.frames_omitted, 50);
    assert_eq!(stack.frames[0].function.as_deref(), Some("f50"));
    assert_eq!(
        stack.frames[249].function.as_deref(),
        Some("f299"),
        "the innermost kept"
    );
    assert_eq!(e.tags.len(), 100);
    assert_eq!(e.transaction.as_ref().unwrap().len(), 200);
    assert_eq!(Value::Object(e.extra.clone()), json!({"small": 1}));
    let t = &e.truncation;
    assert_eq!(
        (t.breadcrumbs, t.exceptions, t.frames, t.values),
        (50, 6, 50, 1)
    );
    assert!(t.strings >= 3, "{t:?}");

    let big_vars = event(
        json!({"exception": [{"type": "E", "stacktrace": {"frames": [
            {"function": "f", "vars": {"blob": "y".repeat(5_000)}, "context_line": "c".repeat(600),
             "pre_context": (0..20).map(|i| format!("line {i}")).collect::<Vec<_>>()}
        ]}}]}),
    );
    let frame = &big_vars
        .raised()
        .unwrap()
        .stacktrace
        .as_ref()
        .unwrap()
        .frames[0];
    assert_eq!(frame.vars, None);
    assert_eq!(frame.context_line.as_ref().unwrap().len(), 512);
    assert_eq!(frame.pre_context.len(), 10);
    assert_eq!(big_vars.truncation.values, 1);
}

#[test]
fn threads_only_when_no_exception_has_frames() {
    let threads = json!({"values": [
        {"id": 1, "stacktrace": {"frames": [{"function": "idle"}]}},
        {"id": 2, "crashed": true, "stacktrace": {"frames": [{"function": "boom", "module": "app"}]}},
    ]});
    let crashed = event(json!({"exception": [{"type": "Segfault"}], "threads": threads.clone()}));
    assert_eq!(
        crashed.thread_stacktrace.as_ref().unwrap().frames[0]
            .function
            .as_deref(),
        Some("boom")
    );
    assert_eq!(crashed.culprit().as_deref(), Some("app in boom"));
    let with_frames = event(json!({
        "exception": [{"type": "E", "stacktrace": {"frames": [{"function": "own"}]}}],
        "threads": threads,
    }));
    assert_eq!(with_frames.thread_stacktrace, None);
    let current = event(json!({"threads": [
        {"stacktrace": {"frames": []}, "crashed": true},
        {"current": true, "stacktrace": {"frames": [{"function": "now"}]}},
    ]}));
    assert_eq!(
        current.top_frame().unwrap().function.as_deref(),
        Some("now")
    );
}

#[test]
fn titles() {
    let title =
        |exception: Value| event(json!({"exception": [exception], "message": "msg"})).title();
    assert_eq!(
        title(json!({"type": "ValueError", "value": "bad"})),
        "ValueError: bad"
    );
    assert_eq!(title(json!({"type": "ValueError"})), "ValueError");
    assert_eq!(title(json!({"value": "just a value"})), "just a value");
    assert_eq!(
        title(json!({"type": "E", "value": "first line\nsecond line"})),
        "E: first line"
    );
    let long = title(json!({"type": "E", "value": "é".repeat(300)}));
    assert!(long.len() <= 256 && long.ends_with('…'), "{long}");
    assert_eq!(
        event(json!({"message": "\n  spaced message  \nmore"})).title(),
        "spaced message",
        "the first line that is not blank"
    );
    assert_eq!(
        event(json!({"message": " \n "})).title(),
        "<unlabeled event>"
    );
    assert_eq!(
        event(json!({"message": "line one\nline two"})).title(),
        "line one"
    );
}

#[test]
fn culprits() {
    let culprit = |frames: Value, transaction: Option<&str>| {
        event(json!({
            "transaction": transaction,
            "exception": [{"type": "E", "stacktrace": {"frames": frames}}],
        }))
        .culprit()
    };
    let app_then_lib = json!([
        {"module": "app.views", "function": "checkout", "in_app": true},
        {"module": "app.cart", "function": "total", "in_app": true},
        {"module": "decimal", "function": "quantize", "in_app": false},
    ]);
    assert_eq!(
        culprit(app_then_lib, Some("/checkout")).as_deref(),
        Some("app.cart in total"),
        "the innermost in-app frame"
    );
    let no_app =
        json!([{"module": "a", "function": "outer"}, {"module": "b", "function": "inner"}]);
    assert_eq!(culprit(no_app, None).as_deref(), Some("b in inner"));
    let file_only = json!([{"filename": "main.go", "function": "run"}]);
    assert_eq!(culprit(file_only, None).as_deref(), Some("main.go in run"));
    let no_function = json!([{"module": "m"}]);
    assert_eq!(culprit(no_function, None).as_deref(), Some("m"));
    let address_only = json!([{"instruction_addr": "0x1"}]);
    assert_eq!(
        culprit(address_only, Some("job:sync")).as_deref(),
        Some("job:sync")
    );
    assert_eq!(
        event(json!({"transaction": "GET /"})).culprit().as_deref(),
        Some("GET /")
    );
}
