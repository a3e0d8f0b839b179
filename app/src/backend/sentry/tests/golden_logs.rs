//! The golden envelopes' framing, log items and keys.
use serde_json::{Value, json};

use super::*;
use crate::model::Level;

fn kinds(name: &str) -> Vec<ItemKind> {
    let body = fixture(name);
    let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
    envelope
        .items
        .iter()
        .map(|item| item.kind.clone())
        .collect()
}

#[test]
fn every_fixture_frames_into_its_items() {
    use ItemKind::*;
    let expected = [
        ("python-exception.envelope", vec![Event]),
        ("python-chained-exception.envelope", vec![Event]),
        ("python-message.envelope", vec![Event]),
        ("python-logs.envelope", vec![Log]),
        ("node-exception.envelope", vec![Event]),
        ("node-logs.envelope", vec![Log]),
        ("node-session.envelope", vec![Session]),
        (
            "go-exception.envelope",
            vec![Event, ClientReport, Attachment],
        ),
        ("go-logs.envelope", vec![Log]),
        ("rust-exception.envelope", vec![Event]),
        ("rust-logs.envelope", vec![Log]),
    ];
    for (name, kinds_expected) in expected {
        assert_eq!(kinds(name), kinds_expected, "{name}");
        let body = fixture(name);
        let envelope = parse_envelope(&body, &EnvelopeLimits::default()).unwrap();
        for item in envelope.items.iter().filter(|i| i.kind != Attachment) {
            // Each JSON payload was cut exactly at its end: nothing before, nothing after.
            serde_json::from_slice::<Value>(item.payload)
                .unwrap_or_else(|e| panic!("{name} {:?}: {e}", item.kind));
        }
    }
}

#[test]
fn python_logs_keep_attribute_types() {
    let lines = logs_of("python-logs.envelope");
    assert_eq!(lines.len(), 2);
    let info = &lines[0];
    assert_eq!(info.message, "Order 991 placed by ada");
    assert_eq!(info.level, Level::Info);
    assert_eq!(info.ts, 1_796_155_779_710_207, "epoch float seconds");
    assert_eq!(info.service, "web-1", "server.address");
    assert_eq!(info.environment.as_deref(), Some("staging"));
    assert_eq!(info.release.as_deref(), Some("shop@1.4.2"));
    assert_eq!(
        info.trace_id.as_deref(),
        Some("4bb98eb29aaf4d7dafbd53647b17a522")
    );
    let a = attrs(info);
    assert_eq!(a["cart.items"], json!(3));
    assert_eq!(a["cart.total"], json!(19.5));
    assert_eq!(a["express"], json!(true));
    assert_eq!(a["sentry.message.parameter.order_id"], json!(991));
    assert_eq!(
        a["sentry.message.template"],
        json!("Order {order_id} placed by {user}")
    );
    for column in ["sentry.environment", "sentry.release", "server.address"] {
        assert!(a.get(column).is_none(), "{column} became a column");
    }
    assert_eq!(lines[1].level, Level::Warn);
    assert_eq!(lines[1].message, "Payment retry for order 991");
}

#[test]
fn node_logs_with_user_attributes() {
    let lines = logs_of("node-logs.envelope");
    assert_eq!(lines.len(), 2);
    let a = attrs(&lines[0]);
    assert_eq!(lines[0].message, "Cart 7 loaded in 12ms");
    assert_eq!(lines[0].service, "api-2");
    assert_eq!(lines[0].environment.as_deref(), Some("production"));
    assert_eq!(
        (&a["cart.size"], &a["cache.hit"], &a["ratio"], &a["user.id"]),
        (&json!(3), &json!(false), &json!(0.25), &json!("7"))
    );
    assert_eq!(a["sentry.message.parameter.1"], json!(12));
    assert_eq!(lines[1].level, Level::Warn);
    assert_eq!(attrs(&lines[1])["db.duration_ms"], json!(812));
}

#[test]
fn go_and_rust_logs() {
    let go = logs_of("go-logs.envelope");
    assert_eq!(go.len(), 2);
    assert_eq!(go[0].message, "reserved 3 of ABC-123");
    assert_eq!(go[0].service, "inv-3");
    let a = attrs(&go[0]);
    assert_eq!(
        (&a["qty"], &a["price"], &a["backorder"], &a["sku"]),
        (&json!(3), &json!(12.75), &json!(false), &json!("ABC-123"))
    );
    assert_eq!(go[1].level, Level::Error);

    let rust = logs_of("rust-logs.envelope");
    assert_eq!(rust.len(), 1);
    assert_eq!(rust[0].service, "stock-sync", "service.name wins");
    assert_eq!(rust[0].level, Level::Warn);
    let a = attrs(&rust[0]);
    assert_eq!(
        a["server.address"],
        json!("sync-1"),
        "kept when not the service"
    );
    assert_eq!(a["row"], json!(17));
}

#[test]
fn the_keys_sdks_sent_with_the_fixtures() {
    let request = |name: &str| -> Value {
        serde_json::from_slice(&fixture(&format!("{name}.request.json"))).unwrap()
    };
    let python = request("python-exception");
    let auth = parse_auth_header(python["headers"]["X-Sentry-Auth"].as_str().unwrap()).unwrap();
    assert_eq!(auth.sentry_key, "publickey");
    assert_eq!(auth.client.as_deref(), Some("sentry.python/2.75.0"));
    let node = request("node-exception");
    let path = node["path"].as_str().unwrap();
    let query = path.split_once('?').unwrap().1;
    assert_eq!(key_from_query(query).as_deref(), Some("publickey"));
}
