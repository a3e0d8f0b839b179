//! The golden error events of `app/tests/fixtures/sentry/` (see its README: captured from the
//! Python and Node SDKs, written after the Go and Rust ones), parsed end to end.
use serde_json::json;

use super::*;
use crate::backend::ingest::IngestLimits;
use crate::model::Level;

#[test]
fn python_exception_in_full() {
    let (header, event) = event_of("python-exception.envelope");
    assert_eq!(
        header.event_id.as_deref(),
        Some("ff925c88677d4dcab25a72ddb27bceb4")
    );
    assert_eq!(header.sent_at, Some(us("2026-12-01T20:09:39.706880Z")));
    assert_eq!((header.dsn, header.sdk_name), (None, None));

    assert_eq!(event.event_id, header.event_id);
    assert_eq!(event.timestamp, us("2026-12-01T20:09:39.700974Z"));
    assert_eq!(event.received_at, NOW);
    assert_eq!(event.level, Level::Error);
    assert_eq!(event.platform.as_deref(), Some("python"));
    assert_eq!(event.environment.as_deref(), Some("staging"));
    assert_eq!(event.release.as_deref(), Some("shop@1.4.2"));
    assert_eq!(event.server_name.as_deref(), Some("web-1"));
    assert_eq!(
        event.trace_id.as_deref(),
        Some("4bb98eb29aaf4d7dafbd53647b17a522")
    );
    let sdk = event.sdk.as_ref().unwrap();
    assert_eq!(
        (sdk.name.as_deref(), sdk.version.as_deref()),
        (Some("sentry.python"), Some("2.75.0"))
    );

    assert_eq!(event.exceptions.len(), 1);
    let raised = event.raised().unwrap();
    assert_eq!(raised.ty.as_deref(), Some("ValueError"));
    assert_eq!(
        raised.value.as_deref(),
        Some("invalid literal for int() with base 10: 'three'")
    );
    assert_eq!(raised.module, None, "the SDK sends module: null");
    let mechanism = raised.mechanism.as_ref().unwrap();
    assert_eq!(
        (mechanism.ty.as_deref(), mechanism.handled),
        (Some("generic"), Some(true))
    );
    let stack = raised.stacktrace.as_ref().unwrap();
    assert_eq!(
        functions(stack),
        ["<module>", "add_to_cart", "parse_quantity"],
        "oldest first"
    );
    assert!(stack.frames.iter().all(|f| f.in_app == Some(true)));
    let innermost = stack.frames.last().unwrap();
    assert_eq!(innermost.filename.as_deref(), Some("capture_python.py"));
    assert_eq!(
        innermost.abs_path.as_deref(),
        Some("/tmp/sentry-capture/capture_python.py")
    );
    assert_eq!(innermost.module.as_deref(), Some("__main__"));
    assert_eq!(innermost.lineno, Some(20));
    assert_eq!(
        innermost.context_line.as_deref(),
        Some("    return int(text)")
    );
    assert_eq!(innermost.pre_context.len(), 5);
    assert_eq!(innermost.pre_context[4], "def parse_quantity(text):");
    assert_eq!(innermost.post_context[1], "def add_to_cart(order_id, qty):");
    assert_eq!(innermost.vars, Some(json!({"text": "'three'"})));
    assert_eq!(
        stack.frames[1].vars.as_ref().unwrap()["qty"],
        json!("'three'")
    );

    let crumbs: Vec<_> = event
        .breadcrumbs
        .iter()
        .map(|b| (b.category.as_deref(), b.message.as_deref(), b.level))
        .collect();
    assert_eq!(
        crumbs,
        [
            (Some("auth"), Some("user signed in"), Some(Level::Info)),
            (
                Some("cart"),
                Some("added item 1234 to cart"),
                Some(Level::Info)
            ),
        ]
    );
    assert_eq!(
        event.breadcrumbs[1].timestamp,
        Some(us("2026-12-01T20:09:39.700469Z"))
    );
    assert_eq!(event.breadcrumbs[1].data, Some(json!({"item_id": 1234})));
    assert_eq!(event.breadcrumbs[1].ty.as_deref(), Some("default"));

    let user = event.user.as_ref().unwrap();
    assert_eq!(
        (
            user.id.as_deref(),
            user.email.as_deref(),
            user.username.as_deref()
        ),
        (Some("42"), Some("ada@example.com"), Some("ada"))
    );
    assert_eq!(
        event.tags,
        [
            ("region".to_string(), "eu-west".to_string()),
            ("service".to_string(), "checkout".to_string())
        ]
    );
    assert_eq!(
        event.extra["sys.argv"],
        json!(["capture_python.py", "47821"])
    );
    assert_eq!(event.contexts["runtime"]["name"], json!("CPython"));
    assert!(event.truncation.is_empty(), "{:?}", event.truncation);

    assert_eq!(
        event.title(),
        "ValueError: invalid literal for int() with base 10: 'three'"
    );
    assert_eq!(
        event.culprit().as_deref(),
        Some("__main__ in parse_quantity")
    );
}

#[test]
fn python_exception_as_a_log_line() {
    let (_, event) = event_of("python-exception.envelope");
    let line = event.to_new_line(&IngestLimits::default());
    assert_eq!(line.ts, us("2026-12-01T20:09:39.700974Z"));
    assert_eq!(line.received_at, NOW);
    assert_eq!(line.level, Level::Error);
    assert_eq!(line.service, "checkout", "the service tag");
    assert_eq!(line.environment.as_deref(), Some("staging"));
    assert_eq!(line.release.as_deref(), Some("shop@1.4.2"));
    assert_eq!(
        line.trace_id.as_deref(),
        Some("4bb98eb29aaf4d7dafbd53647b17a522")
    );
    assert_eq!(
        line.message,
        "ValueError: invalid literal for int() with base 10: 'three'"
    );
    assert_eq!(
        attrs(&line),
        json!({
            "event_id": "ff925c88677d4dcab25a72ddb27bceb4",
            "exception_type": "ValueError",
            "culprit": "__main__ in parse_quantity",
            "user_id": "42",
            "handled": true,
            "platform": "python",
            "sdk": "sentry.python/2.75.0",
            "region": "eu-west",
            "service": "checkout",
        })
    );
}

#[test]
fn python_chained_exception_keeps_the_cause_first() {
    let (_, event) = event_of("python-chained-exception.envelope");
    let types: Vec<_> = event
        .exceptions
        .iter()
        .map(|e| e.ty.as_deref().unwrap())
        .collect();
    assert_eq!(types, ["ValueError", "CheckoutError"]);
    let raised = event.raised().unwrap();
    assert_eq!(
        raised.value.as_deref(),
        Some("checkout of order 992 failed")
    );
    assert_eq!(
        functions(raised.stacktrace.as_ref().unwrap()),
        ["<module>", "checkout"]
    );
    assert_eq!(event.title(), "CheckoutError: checkout of order 992 failed");
    assert_eq!(event.culprit().as_deref(), Some("__main__ in checkout"));
}

#[test]
fn python_message_event() {
    let (_, event) = event_of("python-message.envelope");
    assert!(event.exceptions.is_empty());
    assert_eq!(event.level, Level::Warn, "level: warning");
    assert_eq!(
        event.message.as_deref(),
        Some("Disk usage at 91% on /var/lib/shop")
    );
    assert_eq!(event.message_template, None);
    assert_eq!(event.title(), "Disk usage at 91% on /var/lib/shop");
    assert_eq!(event.culprit(), None);
    let grouping = fingerprint(&event);
    assert_eq!(grouping.source, GroupingSource::Message);
    assert_eq!(
        grouping.components,
        ["message", "Disk usage at <num>% on /var/lib/shop"]
    );
}

#[test]
fn node_exception_frames_and_bare_breadcrumbs() {
    let (header, event) = event_of("node-exception.envelope");
    assert_eq!(header.sdk_name.as_deref(), Some("sentry.javascript.node"));
    assert_eq!(header.sdk_version.as_deref(), Some("11.12.0"));
    assert_eq!(
        event.timestamp, 1_796_155_837_432_000,
        "epoch float seconds"
    );
    assert_eq!(event.platform.as_deref(), Some("node"));
    let raised = event.raised().unwrap();
    assert_eq!(raised.ty.as_deref(), Some("TypeError"));
    assert_eq!(
        raised.value.as_deref(),
        Some("Cannot read properties of undefined (reading 'items')")
    );
    let stack = raised.stacktrace.as_ref().unwrap();
    assert_eq!(stack.frames.len(), 9);
    assert_eq!(stack.frames[0].in_app, Some(false));
    assert_eq!(
        stack.frames[0].filename.as_deref(),
        Some("node:internal/main/run_main_module")
    );
    let innermost = stack.frames.last().unwrap();
    assert_eq!(innermost.function.as_deref(), Some("loadCart"));
    assert_eq!((innermost.lineno, innermost.colno), (Some(18), Some(15)));
    assert_eq!(innermost.in_app, Some(true));
    assert_eq!(
        innermost.context_line.as_deref(),
        Some("  return cart.items[id];")
    );
    assert_eq!(event.breadcrumbs.len(), 2);
    assert_eq!(event.breadcrumbs[0].timestamp, Some(1_796_155_837_429_000));
    assert_eq!(event.breadcrumbs[1].level, Some(Level::Debug));
    assert_eq!(
        event.breadcrumbs[1].message.as_deref(),
        Some("SELECT * FROM carts WHERE id = 7")
    );
    assert_eq!(event.user.as_ref().unwrap().id.as_deref(), Some("7"));
    assert_eq!(event.culprit().as_deref(), Some("capture in loadCart"));
    assert_eq!(
        event.to_new_line(&IngestLimits::default()).service,
        "cart-api"
    );
}

#[test]
fn go_exception_flat_list_request_and_trailing_items() {
    let body = fixture("go-exception.envelope");
    let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
    let header = &envelope.header;
    assert_eq!(
        header.sent_at,
        Some(us("2026-12-01T20:04:05.123456Z")),
        "nanoseconds and an offset"
    );
    let dsn = parse_dsn(header.dsn.as_deref().unwrap()).unwrap();
    assert_eq!((dsn.public_key.as_str(), dsn.project_id), ("publickey", 42));
    let attachment = &envelope.items[2];
    assert_eq!(attachment.payload, b"line one\nline two\n");
    assert_eq!(attachment.header.filename.as_deref(), Some("request.txt"));
    assert_eq!(
        attachment.header.content_type.as_deref(),
        Some("text/plain")
    );

    let (_, event) = event_of("go-exception.envelope");
    assert_eq!(event.timestamp, us("2026-12-01T21:04:05.120001+01:00"));
    let types: Vec<_> = event
        .exceptions
        .iter()
        .map(|e| e.ty.as_deref().unwrap())
        .collect();
    assert_eq!(types, ["*strconv.NumError", "*fmt.wrapError"]);
    assert!(event.exceptions[0].stacktrace.is_none());
    let stack = event.stacktrace().unwrap();
    assert_eq!(functions(stack), ["main", "main", "reserveStock", "Atoi"]);
    let top = event.top_frame().unwrap();
    assert_eq!(
        (top.module.as_deref(), top.function.as_deref()),
        (Some("main"), Some("reserveStock")),
        "the innermost frame is strconv's; the top in-app one is ours"
    );
    assert_eq!(event.culprit().as_deref(), Some("main in reserveStock"));
    assert_eq!(
        event.breadcrumbs[0].timestamp,
        Some(us("2026-12-01T21:04:05.101002+01:00"))
    );
    assert_eq!(
        event.breadcrumbs[1].data.as_ref().unwrap()["status_code"],
        json!(200)
    );
    let request = event.request.as_ref().unwrap();
    assert_eq!(
        request.url.as_deref(),
        Some("https://inventory.example.com/api/stock/reserve")
    );
    assert_eq!(request.method.as_deref(), Some("POST"));
    assert_eq!(request.query_string.as_deref(), Some("sku=ABC-123&qty=two"));
    assert_eq!(
        request.headers,
        [
            ("Content-Type".to_string(), "application/json".to_string()),
            ("User-Agent".to_string(), "curl/8.5.0".to_string())
        ]
    );
    let user = event.user.as_ref().unwrap();
    assert_eq!(user.ip_address.as_deref(), Some("10.0.0.7"));
    assert_eq!(event.tag("warehouse"), Some("fra-2"));
    assert_eq!(
        event.title(),
        "*fmt.wrapError: reserve ABC-123: strconv.Atoi: parsing \"two\": invalid syntax"
    );
}

#[test]
fn rust_exception_thread_stacktrace_and_fingerprint() {
    let (header, event) = event_of("rust-exception.envelope");
    assert_eq!(
        header.event_id.as_deref(),
        Some("3f0d4c9e2b1a4e8f9d7c6b5a4f3e2d1c"),
        "a dashed UUID, normalised"
    );
    assert_eq!(event.event_id, header.event_id);
    assert_eq!(event.timestamp, 1_796_155_800_250_000);
    assert!(event.exceptions.iter().all(|e| e.stacktrace.is_none()));
    let stack = event
        .thread_stacktrace
        .as_ref()
        .expect("the current thread's");
    assert_eq!(
        functions(stack),
        [
            "std::rt::lang_start_internal",
            "stock_sync::main",
            "stock_sync::sync_rows",
            "sentry_core::api::capture_error"
        ]
    );
    assert_eq!(
        stack.frames[2].instruction_addr.as_deref(),
        Some("0x55d3c1a2c0d8")
    );
    assert_eq!(
        event.culprit().as_deref(),
        Some("sync.rs in stock_sync::sync_rows"),
        "no module: the file"
    );
    assert_eq!(
        event.title(),
        "stock_sync::SyncError: row 17: quantity is not a number"
    );
    assert_eq!(event.fingerprint, ["{{ default }}", "postgres"]);
    assert_eq!(event.breadcrumbs[1].level, Some(Level::Warn));

    let grouping = fingerprint(&event);
    assert_eq!(grouping.source, GroupingSource::Fingerprint);
    assert_eq!(
        grouping.components,
        [
            "fingerprint",
            "exception",
            "stock_sync::SyncError",
            "row <num>: quantity is not a number",
            "stock_sync::sync_rows",
            "postgres"
        ]
    );
}
