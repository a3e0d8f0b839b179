//! The app and key services on both engines: keys, ownership, headline numbers, deletion
//! with its background purge.
use app::{
    backend::{
        ServiceError,
        entities::{api_keys, app_metrics, apps as app_rows, logs},
        secrets::sha256_hex,
        services::{api_keys as keys, apps, purges, users},
        testing::TestDb,
    },
    on_both_databases,
};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};

async fn user(db: &DatabaseConnection, email: &str) -> i64 {
    users::create(db, email, "correct horse battery", None)
        .await
        .unwrap()
        .id
}

async fn lines(db: &DatabaseConnection, app_id: i64, count: usize, ts: i64) {
    let rows = (0..count).map(|i| logs::ActiveModel {
        app_id: Set(app_id),
        ts: Set(ts + i as i64),
        received_at: Set(ts),
        level: Set(2),
        service: Set("api".into()),
        environment: Set(None),
        release: Set(None),
        message: Set(format!("line {i}")),
        attributes: Set(serde_json::json!({})),
        trace_id: Set(None),
        issue_id: Set(None),
        ..Default::default()
    });
    logs::Entity::insert_many(rows).exec(db).await.unwrap();
}

async fn metric(db: &DatabaseConnection, app_id: i64, minute: i64, info: i64, error: i64) {
    app_metrics::Entity::insert(app_metrics::ActiveModel {
        app_id: Set(app_id),
        minute: Set(minute),
        trace: Set(0),
        debug: Set(0),
        info: Set(info),
        warn: Set(0),
        error: Set(error),
        fatal: Set(1),
        min_id: Set(None),
        max_id: Set(None),
    })
    .exec(db)
    .await
    .unwrap();
}

async fn lines_of(db: &DatabaseConnection, app_id: i64) -> u64 {
    logs::Entity::find()
        .filter(logs::Column::AppId.eq(app_id))
        .count(db)
        .await
        .unwrap()
}

async fn keys_are_created_listed_and_revoked_at_once(test: &TestDb) {
    let db = &test.db;
    let ada = user(db, "ada@example.com").await;
    let (app, first) = apps::create(db, ada, "checkout", "").await.unwrap();
    let second = keys::create_owned(db, ada, app.id, " worker ")
        .await
        .unwrap();
    assert_eq!(second.record.name, "worker");
    assert_ne!(first.key, second.key);
    assert_eq!(second.record.key_sha256, sha256_hex(&second.key));
    assert_eq!(second.record.display_prefix, second.key[..10]);

    let (owned, listed) = keys::list_owned(db, ada, app.id).await.unwrap();
    assert_eq!(owned.id, app.id);
    let names: Vec<_> = listed.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["Default", "worker"]);

    let found = keys::authenticate(db, &second.key).await.unwrap().unwrap();
    assert_eq!(found.id, second.record.id);
    let revoked = keys::revoke_owned(db, ada, app.id, second.record.id)
        .await
        .unwrap();
    let at = revoked.revoked_at.expect("revoked");
    assert!(keys::authenticate(db, &second.key).await.unwrap().is_none());
    assert!(keys::authenticate(db, &first.key).await.unwrap().is_some());
    let again = keys::revoke_owned(db, ada, app.id, second.record.id)
        .await
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(at),
        "revoking twice keeps the first time"
    );

    for bad in ["", "  ", &"k".repeat(65)] {
        let invalid = keys::create_owned(db, ada, app.id, bad).await;
        assert!(
            matches!(invalid, Err(ServiceError::Invalid { field: "name", .. })),
            "{bad:?}"
        );
    }
}

async fn apps_are_renamed_rotated_and_unique_per_owner(test: &TestDb) {
    let db = &test.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let (checkout, _) = apps::create(db, ada, "checkout", "").await.unwrap();
    apps::create(db, ada, "billing", "").await.unwrap();
    apps::create(db, bob, "checkout", "")
        .await
        .expect("names are unique per owner only");

    let clash = apps::update(db, ada, checkout.id, "billing", "").await;
    assert!(
        matches!(clash, Err(ServiceError::Invalid { field: "name", .. })),
        "{clash:?}"
    );
    let same = apps::update(db, ada, checkout.id, "checkout", "now with a description").await;
    assert_eq!(same.unwrap().description, "now with a description");
    let renamed = apps::update(db, ada, checkout.id, " payments ", "")
        .await
        .unwrap();
    assert_eq!(renamed.name, "payments");
    let long = apps::update(db, ada, checkout.id, "payments", &"d".repeat(1001)).await;
    assert!(matches!(
        long,
        Err(ServiceError::Invalid {
            field: "description",
            ..
        })
    ));

    let rotated = apps::rotate_public_key(db, ada, checkout.id).await.unwrap();
    assert_ne!(rotated.public_key, checkout.public_key);
    assert_eq!(rotated.public_key.len(), 32);
    let names: Vec<_> = apps::list(db, ada)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["billing", "payments"]);
}

async fn headline_numbers_cover_the_last_24_hours(test: &TestDb) {
    let db = &test.db;
    let ada = user(db, "ada@example.com").await;
    let (busy, _) = apps::create(db, ada, "busy", "").await.unwrap();
    let (quiet, _) = apps::create(db, ada, "quiet", "").await.unwrap();
    let now = Utc::now();
    let minute = now.timestamp() / 60;
    metric(db, busy.id, minute, 5, 2).await; // 5 info + 2 error + 1 fatal
    metric(db, busy.id, minute - 60, 10, 0).await; // 10 info + 1 fatal, an hour ago
    metric(db, busy.id, minute - 25 * 60, 1_000, 1_000).await; // yesterday: not counted
    let newest = now.timestamp_micros() - 5_000_000;
    lines(db, busy.id, 3, newest - 2).await;

    let activity = apps::activity(db, &[quiet.id, busy.id], now).await.unwrap();
    assert_eq!(activity[0], apps::Activity::default());
    assert_eq!(activity[1].lines_24h, 19);
    assert_eq!(activity[1].errors_24h, 4);
    assert_eq!(activity[1].last_line_us, Some(newest));
}

async fn deleted_apps_lose_keys_at_once_and_lines_in_the_background(test: &TestDb) {
    let db = &test.db;
    let ada = user(db, "ada@example.com").await;
    let (kept, _) = apps::create(db, ada, "kept", "").await.unwrap();
    let (doomed, key) = apps::create(db, ada, "doomed", "").await.unwrap();
    let now = Utc::now().timestamp_micros();
    lines(db, doomed.id, 12, now).await;
    lines(db, kept.id, 3, now).await;
    metric(db, doomed.id, now / 60_000_000, 12, 0).await;

    let wrong = apps::delete(db, ada, doomed.id, "kept").await;
    assert!(matches!(
        wrong,
        Err(ServiceError::Invalid {
            field: "confirm_name",
            ..
        })
    ));
    apps::delete(db, ada, doomed.id, " doomed ").await.unwrap();
    assert!(
        app_rows::Entity::find_by_id(doomed.id)
            .one(db)
            .await
            .unwrap()
            .is_none()
    );
    assert!(keys::authenticate(db, &key.key).await.unwrap().is_none());
    let orphans = api_keys::Entity::find()
        .filter(api_keys::Column::AppId.eq(doomed.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(orphans, 0, "keys go with the app");
    assert!(purges::is_pending(db, doomed.id).await.unwrap());
    assert_eq!(
        lines_of(db, doomed.id).await,
        12,
        "lines wait for the purge"
    );

    // A new app never takes the deleted one's id, so it cannot inherit its lines.
    let (next, _) = apps::create(db, ada, "next", "").await.unwrap();
    assert!(next.id > doomed.id);

    assert_eq!(purges::run_pending(db, 5).await.unwrap(), 12);
    assert_eq!(lines_of(db, doomed.id).await, 0);
    assert_eq!(
        lines_of(db, kept.id).await,
        3,
        "other apps keep their lines"
    );
    let metrics = app_metrics::Entity::find()
        .filter(app_metrics::Column::AppId.eq(doomed.id))
        .count(db)
        .await
        .unwrap();
    assert_eq!(metrics, 0);
    assert!(!purges::is_pending(db, doomed.id).await.unwrap());
    assert_eq!(
        purges::run_pending(db, 5).await.unwrap(),
        0,
        "nothing left to do"
    );
}

/// Bob acting on Ada's app or key: not found, and nothing of Ada's changes.
async fn another_owner_cannot_touch_an_app_or_its_keys(test: &TestDb) {
    let db = &test.db;
    let ada = user(db, "ada@example.com").await;
    let bob = user(db, "bob@example.com").await;
    let (app, key) = apps::create(db, ada, "checkout", "").await.unwrap();
    let (bobs, _) = apps::create(db, bob, "mine", "").await.unwrap();
    let key_id = key.record.id;
    let snapshot = || async {
        (
            app_rows::Entity::find().all(db).await.unwrap(),
            api_keys::Entity::find().all(db).await.unwrap(),
        )
    };
    let before = snapshot().await;

    let not_found = |result: Result<(), ServiceError>, what: &str| {
        assert!(
            matches!(result, Err(ServiceError::NotFound(_))),
            "{what}: {result:?}"
        );
    };
    not_found(apps::owned(db, bob, app.id).await.map(drop), "owned");
    not_found(
        apps::update(db, bob, app.id, "x", "").await.map(drop),
        "update",
    );
    not_found(
        apps::rotate_public_key(db, bob, app.id).await.map(drop),
        "rotate",
    );
    not_found(apps::delete(db, bob, app.id, "checkout").await, "delete");
    not_found(
        keys::list_owned(db, bob, app.id).await.map(drop),
        "list keys",
    );
    not_found(
        keys::create_owned(db, bob, app.id, "k").await.map(drop),
        "create key",
    );
    not_found(
        keys::revoke_owned(db, bob, app.id, key_id).await.map(drop),
        "revoke",
    );
    not_found(
        keys::revoke_owned(db, bob, bobs.id, key_id).await.map(drop),
        "revoke via own app",
    );
    let listed = apps::list(db, bob).await.unwrap();
    assert_eq!(listed.len(), 1);

    assert_eq!(before, snapshot().await);
}

on_both_databases!(
    keys_are_created_listed_and_revoked_at_once,
    apps_are_renamed_rotated_and_unique_per_owner,
    headline_numbers_cover_the_last_24_hours,
    deleted_apps_lose_keys_at_once_and_lines_in_the_background,
    another_owner_cannot_touch_an_app_or_its_keys,
);
