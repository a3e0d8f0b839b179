//! Every entity round-trips through its table, and the schema's constraints hold, on both
//! engines.
use app::{
    backend::{entities::*, testing::TestDb},
    on_both_databases,
};
use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, ModelTrait};
use serde_json::json;

/// A time both engines store exactly (PostgreSQL keeps microseconds).
fn at(micros: i64) -> DateTime<Utc> {
    Utc.timestamp_micros(micros).unwrap()
}

const T0: i64 = 1_763_800_000_123_456;

async fn user(test: &TestDb, email: &str) -> users::Model {
    users::ActiveModel {
        email: Set(email.into()),
        name: Set("Ada Lovelace".into()),
        avatar_url: Set(Some("https://example.com/a.png".into())),
        password_hash: Set(Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into())),
        created_at: Set(at(T0)),
        ..Default::default()
    }
    .insert(&test.db)
    .await
    .unwrap()
}

async fn app_for(test: &TestDb, owner: &users::Model, name: &str, public_key: &str) -> apps::Model {
    apps::ActiveModel {
        owner_id: Set(owner.id),
        name: Set(name.into()),
        description: Set("The checkout service".into()),
        public_key: Set(public_key.into()),
        created_at: Set(at(T0)),
        ..Default::default()
    }
    .insert(&test.db)
    .await
    .unwrap()
}

async fn users_round_trip(test: &TestDb) {
    let ada = user(test, "ada@example.com").await;
    let found = users::Entity::find_by_id(ada.id)
        .one(&test.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, ada);
    assert_eq!(found.created_at, at(T0));
    // The email is unique.
    let again = users::ActiveModel {
        email: Set("ada@example.com".into()),
        name: Set("Other".into()),
        created_at: Set(at(T0)),
        ..Default::default()
    };
    assert!(again.insert(&test.db).await.is_err());
}

async fn identities_round_trip(test: &TestDb) {
    let ada = user(test, "ada@example.com").await;
    let identity = identities::ActiveModel {
        provider: Set("google".into()),
        subject: Set("1234567890".into()),
        user_id: Set(ada.id),
        email: Set(Some("ada@example.com".into())),
        email_verified: Set(true),
        created_at: Set(at(T0)),
        ..Default::default()
    };
    let saved = identity.clone().insert(&test.db).await.unwrap();
    assert_eq!(
        identities::Entity::find_by_id(saved.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(saved)
    );
    // (provider, subject) is unique.
    assert!(identity.insert(&test.db).await.is_err());
}

async fn sessions_round_trip(test: &TestDb) {
    let ada = user(test, "ada@example.com").await;
    let saved = sessions::ActiveModel {
        token_sha256: Set("a".repeat(64)),
        user_id: Set(ada.id),
        created_at: Set(at(T0)),
        expires_at: Set(at(T0 + 30 * 86_400_000_000)),
        last_seen_at: Set(at(T0 + 1)),
        user_agent: Set(Some("Mozilla/5.0".into())),
        ..Default::default()
    }
    .insert(&test.db)
    .await
    .unwrap();
    assert_eq!(
        sessions::Entity::find_by_id(saved.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(saved)
    );
}

async fn apps_and_api_keys_round_trip(test: &TestDb) {
    let ada = user(test, "ada@example.com").await;
    let app = app_for(test, &ada, "checkout", &"0".repeat(32)).await;
    assert_eq!(
        apps::Entity::find_by_id(app.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(app.clone())
    );
    // Names are unique per owner, not globally.
    let bob = user(test, "bob@example.com").await;
    app_for(test, &bob, "checkout", &"1".repeat(32)).await;
    let duplicate = apps::ActiveModel {
        owner_id: Set(ada.id),
        name: Set("checkout".into()),
        description: Set(String::new()),
        public_key: Set("2".repeat(32)),
        created_at: Set(at(T0)),
        ..Default::default()
    };
    assert!(duplicate.insert(&test.db).await.is_err());

    let key = api_keys::ActiveModel {
        app_id: Set(app.id),
        name: Set("Default".into()),
        key_sha256: Set("b".repeat(64)),
        display_prefix: Set("sk_AbCdEfG".into()),
        created_at: Set(at(T0)),
        last_used_at: Set(Some(at(T0 + 5))),
        revoked_at: Set(Some(at(T0 + 9))),
        ..Default::default()
    }
    .insert(&test.db)
    .await
    .unwrap();
    assert_eq!(
        api_keys::Entity::find_by_id(key.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(key)
    );

    // Deleting a user removes their apps and keys (foreign keys are on in SQLite too).
    ada.delete(&test.db).await.unwrap();
    assert_eq!(
        apps::Entity::find_by_id(app.id)
            .one(&test.db)
            .await
            .unwrap(),
        None
    );
    assert!(
        api_keys::Entity::find()
            .all(&test.db)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn logs_round_trip(test: &TestDb) {
    let line = logs::ActiveModel {
        app_id: Set(1),
        ts: Set(T0),
        received_at: Set(T0 + 1_000),
        level: Set(4),
        service: Set("checkout".into()),
        environment: Set(Some("production".into())),
        release: Set(Some("1.2.3".into())),
        message: Set("payment declined: card 4242 ✓ «quoted»".into()),
        attributes: Set(
            json!({"user_id": 42, "cart": {"items": [1, 2]}, "correlation_id": "abc-123"}),
        ),
        trace_id: Set(Some("4bf92f3577b34da6a3ce929d0e0e4736".into())),
        issue_id: Set(Some(7)),
        ..Default::default()
    };
    let first = line.clone().insert(&test.db).await.unwrap();
    let second = line.insert(&test.db).await.unwrap();
    assert!(second.id > first.id, "log ids are monotonic");
    assert_eq!(
        logs::Entity::find_by_id(first.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(first)
    );
}

async fn device_sessions_round_trip(test: &TestDb) {
    let ada = user(test, "ada@example.com").await;
    let app = app_for(test, &ada, "cli", &"3".repeat(32)).await;
    let saved = device_sessions::ActiveModel {
        device_code_sha256: Set("c".repeat(64)),
        user_code: Set("BCDF-GHJK".into()),
        status: Set("approved".into()),
        client_name: Set(Some("lodestar-cli 0.1".into())),
        app_name: Set(Some("cli".into())),
        user_id: Set(Some(ada.id)),
        app_id: Set(Some(app.id)),
        key_ciphertext: Set(Some("opaque".into())),
        interval_secs: Set(2),
        last_poll_at: Set(Some(at(T0 + 2_000_000))),
        created_at: Set(at(T0)),
        expires_at: Set(at(T0 + 600_000_000)),
        ..Default::default()
    }
    .insert(&test.db)
    .await
    .unwrap();
    assert_eq!(
        device_sessions::Entity::find_by_id(saved.id)
            .one(&test.db)
            .await
            .unwrap(),
        Some(saved)
    );
}

async fn app_metrics_round_trip(test: &TestDb) {
    let row = app_metrics::ActiveModel {
        app_id: Set(1),
        minute: Set(29_396_666),
        trace: Set(1),
        debug: Set(2),
        info: Set(3),
        warn: Set(4),
        error: Set(5),
        fatal: Set(6),
        min_id: Set(Some(10)),
        max_id: Set(Some(20)),
    };
    let saved = row.clone().insert(&test.db).await.unwrap();
    let found = app_metrics::Entity::find_by_id((1, 29_396_666))
        .one(&test.db)
        .await
        .unwrap();
    assert_eq!(found, Some(saved));
    // (app_id, minute) is the key.
    assert!(row.insert(&test.db).await.is_err());
}

on_both_databases!(
    users_round_trip,
    identities_round_trip,
    sessions_round_trip,
    apps_and_api_keys_round_trip,
    logs_round_trip,
    device_sessions_round_trip,
    app_metrics_round_trip,
);
