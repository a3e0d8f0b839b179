//! The grouping table: what must group together, what must not, and how a fingerprint
//! overrides or extends the default.
use serde_json::{Value, json};

use super::*;
use crate::backend::sentry::*;

fn event(payload: Value) -> ErrorEvent {
    parse_event(payload.to_string().as_bytes(), NOW).unwrap()
}

/// An exception raised in `checkout` (in app) through a library frame.
fn error(ty: &str, value: &str) -> Value {
    json!({"exception": {"values": [{
        "type": ty, "value": value,
        "stacktrace": {"frames": [
            {"module": "shop.views", "function": "handle", "in_app": true},
            {"module": "shop.cart", "function": "checkout", "in_app": true},
            {"module": "decimal", "function": "quantize", "in_app": false},
        ]},
    }]}})
}

fn hash(payload: Value) -> String {
    fingerprint(&event(payload)).hash
}

fn with(mut payload: Value, key: &str, value: Value) -> Value {
    payload[key] = value;
    payload
}

#[test]
fn the_same_error_with_different_variable_parts_is_one_issue() {
    let variants = [
        "order 991 for ada@example.com failed at 2024-02-21T10:00:00Z (job 8c6d7053-7c12-4f85-be05-07c34c6fa526) from 10.0.0.7 via https://pay.example.com/v1/charge?id=991 obj 0x7fd9eed32c10 took 812ms",
        "order 13 for grace.hopper+x@mail.example.org failed at 2026-12-01 20:09:39.710159+01:00 (job 0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d) from fe80::1ff:fe23:4567:890a via http://localhost:8080/charge obj 0x1 took 3ms",
    ];
    let hashes: Vec<String> = variants
        .iter()
        .map(|v| hash(error("PaymentError", v)))
        .collect();
    assert_eq!(hashes[0], hashes[1]);
    let grouping = fingerprint(&event(error("PaymentError", variants[0])));
    assert_eq!(grouping.source, GroupingSource::Exception);
    assert_eq!(
        grouping.components,
        [
            "exception",
            "PaymentError",
            "order <num> for <email> failed at <timestamp> (job <uuid>) from <ip> via <url> obj <hex> took <num>ms",
            "checkout",
        ]
    );
    assert_eq!(grouping.hash.len(), 32);
    assert!(
        grouping
            .hash
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    );
    assert_eq!(grouping.culprit, "shop.cart in checkout");
    assert!(grouping.title.starts_with("PaymentError: order 991"));

    // Ids and timestamps of the event itself do not matter either.
    let a = with(
        error("E", "x"),
        "event_id",
        json!("12c2d058d58442709aa2eca08bf20986"),
    );
    let b = with(error("E", "x"), "timestamp", json!(1_700_000_000));
    assert_eq!(hash(a), hash(b));
}

#[test]
fn what_tells_issues_apart() {
    let base = hash(error("ValueError", "bad input"));
    assert_ne!(base, hash(error("TypeError", "bad input")), "the type");
    assert_ne!(
        base,
        hash(error("ValueError", "other input")),
        "the words of the value"
    );
    let mut elsewhere = error("ValueError", "bad input");
    elsewhere["exception"]["values"][0]["stacktrace"]["frames"][1]["function"] = json!("refund");
    assert_ne!(base, hash(elsewhere), "the top in-app function");
    let mut library_differs = error("ValueError", "bad input");
    library_differs["exception"]["values"][0]["stacktrace"]["frames"][2]["function"] =
        json!("round");
    assert_eq!(
        base,
        hash(library_differs),
        "a library frame below the top in-app frame"
    );
    assert_ne!(
        hash(json!({"message": "ValueError bad input"})),
        base,
        "a message is not an exception"
    );
}

#[test]
fn the_raised_exception_of_a_chain_decides() {
    let chain = |cause: &str| {
        json!({"exception": {"values": [
            {"type": cause, "value": "root cause"},
            {"type": "CheckoutError", "value": "checkout failed",
             "stacktrace": {"frames": [{"function": "checkout", "in_app": true}]}},
        ]}})
    };
    let grouping = fingerprint(&event(chain("KeyError")));
    assert_eq!(
        grouping.components,
        ["exception", "CheckoutError", "checkout failed", "checkout"]
    );
    assert_eq!(
        grouping.hash,
        hash(chain("IndexError")),
        "the cause is not part of it"
    );
}

#[test]
fn no_in_app_frame_falls_back_to_the_innermost() {
    let payload = json!({"exception": [{"type": "E", "value": "v", "stacktrace": {"frames": [
        {"function": "outer", "in_app": false}, {"function": "inner"},
    ]}}]});
    assert_eq!(
        fingerprint(&event(payload)).components,
        ["exception", "E", "v", "inner"]
    );
    let no_frames = fingerprint(&event(json!({"exception": [{"type": "E", "value": "v"}]})));
    assert_eq!(no_frames.components, ["exception", "E", "v", ""]);
    assert_eq!(no_frames.culprit, "");
}

#[test]
fn synthetic_exceptions_ignore_their_type() {
    let synthetic = |ty: &str| {
        json!({"exception": [{"type": ty, "value": "segfault at 0x0",
            "mechanism": {"type": "signalhandler", "synthetic": true}}]})
    };
    assert_eq!(hash(synthetic("SIGSEGV")), hash(synthetic("Error")));
    assert_eq!(
        fingerprint(&event(synthetic("SIGSEGV"))).components,
        ["exception", "", "segfault at <hex>", ""]
    );
}

#[test]
fn a_fingerprint_overrides() {
    let a = with(
        error("TimeoutError", "gateway 1"),
        "fingerprint",
        json!(["payment-gateway"]),
    );
    let b = with(
        error("ConnectionError", "refused"),
        "fingerprint",
        json!(["payment-gateway"]),
    );
    let grouping = fingerprint(&event(a.clone()));
    assert_eq!(grouping.source, GroupingSource::Fingerprint);
    assert_eq!(grouping.components, ["fingerprint", "payment-gateway"]);
    assert_eq!(grouping.hash, hash(b));
    assert_ne!(grouping.hash, hash(error("TimeoutError", "gateway 1")));
    assert_ne!(
        hash(with(error("E", "v"), "fingerprint", json!(["a", "b"]))),
        hash(with(error("E", "v"), "fingerprint", json!(["ab"]))),
        "entries are length-prefixed, not concatenated"
    );
    // Literal entries are taken as written, not normalised.
    assert_ne!(
        hash(with(error("E", "v"), "fingerprint", json!(["tenant-1"]))),
        hash(with(error("E", "v"), "fingerprint", json!(["tenant-2"])))
    );
}

#[test]
fn default_extends_the_default_grouping() {
    let plain = hash(error("ValueError", "bad 1"));
    for alone in ["{{ default }}", "{{default}}", "  {{  DEFAULT  }} "] {
        let grouping = fingerprint(&event(with(
            error("ValueError", "bad 1"),
            "fingerprint",
            json!([alone]),
        )));
        assert_eq!(grouping.hash, plain, "{alone}");
        assert_eq!(grouping.source, GroupingSource::Exception);
    }
    let region = |value: &str, region: &str| {
        hash(with(
            error("ValueError", value),
            "fingerprint",
            json!(["{{ default }}", region]),
        ))
    };
    assert_eq!(
        region("bad 1", "eu"),
        region("bad 2", "eu"),
        "still normalised"
    );
    assert_ne!(region("bad 1", "eu"), region("bad 1", "us"));
    assert_ne!(region("bad 1", "eu"), plain);
    assert_ne!(
        region("bad 1", "eu"),
        region("other", "eu"),
        "the default part counts"
    );
}

#[test]
fn fingerprint_variables() {
    let components = |fingerprint_entries: Value, extra: Value| {
        let mut payload = with(
            error("ValueError", "bad 42"),
            "fingerprint",
            fingerprint_entries,
        );
        for (key, value) in extra.as_object().unwrap() {
            payload[key] = value.clone();
        }
        fingerprint(&event(payload)).components
    };
    assert_eq!(
        components(
            json!([
                "{{ transaction }}",
                "{{ type }}",
                "{{ error.value }}",
                "{{ function }}",
                "{{ module }}",
                "{{ level }}",
                "{{ tags.region }}",
                "{{ tags.missing }}",
                "{{ unknown }}",
                "{{ message }}"
            ]),
            json!({"transaction": "/checkout", "level": "warning", "tags": {"region": "eu"}})
        ),
        [
            "fingerprint",
            "/checkout",
            "ValueError",
            "bad <num>",
            "checkout",
            "shop.cart",
            "warn",
            "eu",
            "<no-tag-missing>",
            "{{ unknown }}",
            "<no-message>"
        ]
    );
}

#[test]
fn message_events_group_by_their_normalised_message() {
    let message = |text: &str| json!({"message": text, "level": "warning"});
    assert_eq!(
        hash(message("Disk usage at 91% on 10.0.0.7")),
        hash(message("Disk usage at 97% on 10.0.0.9"))
    );
    assert_ne!(
        hash(message("Disk usage at 91% on 10.0.0.7")),
        hash(message("Memory usage at 91% on 10.0.0.7"))
    );
    // The template wins over the formatted text: its parameters can be anything.
    let logentry =
        |user: &str| json!({"logentry": {"message": "user %s signed out", "params": [user]}});
    let grouping = fingerprint(&event(logentry("ada")));
    assert_eq!(grouping.source, GroupingSource::Message);
    assert_eq!(grouping.components, ["message", "user %s signed out"]);
    assert_eq!(grouping.hash, hash(logentry("grace")));
    assert_eq!(grouping.title, "user ada signed out");
    assert_eq!(
        hash(json!({})),
        hash(json!({"level": "info"})),
        "no message at all"
    );
}

#[test]
fn captured_errors_group_apart() {
    let grouping = |name: &str| {
        let body = fixture(name);
        let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
        fingerprint(&parse_event(envelope.items[0].payload, NOW).unwrap())
    };
    let simple = grouping("python-exception.envelope");
    let chained = grouping("python-chained-exception.envelope");
    assert_eq!(
        simple.components,
        [
            "exception",
            "ValueError",
            "invalid literal for int() with base <num>: 'three'",
            "parse_quantity"
        ]
    );
    assert_ne!(simple.hash, chained.hash);
    assert_eq!(chained.culprit, "__main__ in checkout");
    assert_eq!(
        grouping("node-exception.envelope").culprit,
        "capture in loadCart"
    );
}
