//! Apps and API keys through the real router, on both engines: the server functions the
//! pages call, field errors, the key shown once, and a cross-tenant matrix.
mod common;

use app::{
    backend::{
        db,
        entities::{api_keys, apps},
        secrets::sha256_hex,
        services::{self, users},
        testing::TestDb,
    },
    on_both_databases,
};
use axum::{Router, http::StatusCode};
use common::{Answer, call, page, router, sign_up};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use serde_json::Value;

async fn create_app(router: &Router, token: &str, name: &str) -> Value {
    let answer = call(
        router,
        "apps/create",
        &[("name", name), ("description", "payments")],
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()
}

fn field_error(answer: &Answer) -> (String, String) {
    let body = answer.json();
    let invalid = &body["Invalid"];
    (
        invalid["field"].as_str().unwrap_or_default().to_string(),
        invalid["message"].as_str().unwrap_or_default().to_string(),
    )
}

async fn register_an_app_see_the_key_once_and_manage_keys(test: &TestDb) {
    let router = router(test);
    let ada = sign_up(&router, "Ada", "ada@example.com").await;

    let created = create_app(&router, &ada, "checkout").await;
    let key = created["api_key"].as_str().unwrap().to_string();
    let app_id = created["app"]["id"].as_i64().unwrap();
    assert!(key.starts_with("sk_") && key.len() >= 46, "{key}");
    let dsn = created["app"]["dsn"].as_str().unwrap();
    assert!(
        dsn.starts_with("http://") && dsn.ends_with(&format!("@127.0.0.1:3000/{app_id}")),
        "{dsn}"
    );

    // Only the digest is stored, and no later answer or page shows the key again.
    let stored = api_keys::Entity::find().all(&test.db).await.unwrap();
    assert_eq!(stored[0].key_sha256, sha256_hex(&key));
    let keys = call(
        &router,
        "apps/settings",
        &[("app_id", &app_id.to_string())],
        Some(&ada),
    )
    .await;
    assert_eq!(keys.status, StatusCode::OK, "{}", keys.body);
    assert!(!keys.body.contains(&key));
    assert_eq!(keys.json()["keys"][0]["prefix"], key[..10]);
    for path in [
        "/dashboard".to_string(),
        format!("/apps/{app_id}"),
        format!("/apps/{app_id}/settings"),
    ] {
        let shown = page(&router, &path, Some(&ada)).await;
        assert_eq!(shown.status, StatusCode::OK, "{path}");
        assert!(shown.body.contains("checkout"), "{path}");
        assert!(!shown.body.contains(&key), "{path} shows the key again");
    }

    // A second key, then revoking it: the revoked key no longer authenticates, the first does.
    let second = call(
        &router,
        "apps/create_key",
        &[("app_id", &app_id.to_string()), ("name", "worker")],
        Some(&ada),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let second = second.json();
    let second_key = second["api_key"].as_str().unwrap().to_string();
    let second_id = second["key"]["id"].as_i64().unwrap().to_string();
    assert!(
        services::api_keys::authenticate(&test.db, &second_key)
            .await
            .unwrap()
            .is_some()
    );
    let revoked = call(
        &router,
        "apps/revoke_key",
        &[("app_id", &app_id.to_string()), ("key_id", &second_id)],
        Some(&ada),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    let listed = call(
        &router,
        "apps/settings",
        &[("app_id", &app_id.to_string())],
        Some(&ada),
    )
    .await;
    assert!(
        listed.json()["keys"][1]["revoked"].is_string(),
        "{}",
        listed.body
    );
    assert!(
        services::api_keys::authenticate(&test.db, &second_key)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        services::api_keys::authenticate(&test.db, &key)
            .await
            .unwrap()
            .is_some()
    );

    // Without a session, nothing answers.
    let anonymous = call(&router, "apps/list", &[], None).await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous.body
    );
}

async fn mistakes_are_reported_on_their_field(test: &TestDb) {
    let router = router(test);
    let ada = sign_up(&router, "Ada", "ada@example.com").await;
    create_app(&router, &ada, "checkout").await;

    let long = "x".repeat(65);
    for (name, message) in [
        ("", "Give the app a name."),
        ("   ", "Give the app a name."),
        (long.as_str(), "Must be at most 64 characters."),
        (" checkout ", "You already have an app named \"checkout\"."),
    ] {
        let answer = call(
            &router,
            "apps/create",
            &[("name", name), ("description", "")],
            Some(&ada),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{name:?}: {}",
            answer.body
        );
        assert_eq!(
            field_error(&answer),
            ("name".into(), message.into()),
            "{name:?}"
        );
    }
    let missing = call(&router, "apps/create", &[("description", "")], Some(&ada)).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    let bad_id = call(&router, "apps/settings", &[("app_id", "abc")], Some(&ada)).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST, "{}", bad_id.body);
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 1);

    let second = create_app(&router, &ada, "billing").await;
    let id = second["app"]["id"].as_i64().unwrap().to_string();
    let rename = call(
        &router,
        "apps/update",
        &[("app_id", &id), ("name", "checkout"), ("description", "")],
        Some(&ada),
    )
    .await;
    assert_eq!(field_error(&rename).0, "name", "{}", rename.body);
    let wrong_confirmation = call(
        &router,
        "apps/delete",
        &[("app_id", &id), ("confirm_name", "checkout")],
        Some(&ada),
    )
    .await;
    assert_eq!(field_error(&wrong_confirmation).0, "confirm_name");
    assert_eq!(apps::Entity::find().count(&test.db).await.unwrap(), 2);
}

/// Every server function of apps and keys, called by Bob on Ada's app or key: not found, and
/// nothing changes.
async fn another_users_app_and_keys_are_not_found(test: &TestDb) {
    let router = router(test);
    let ada = sign_up(&router, "Ada", "ada@example.com").await;
    let bob = sign_up(&router, "Bob", "bob@example.com").await;
    let created = create_app(&router, &ada, "checkout").await;
    let app_id = created["app"]["id"].as_i64().unwrap().to_string();
    let key_id = api_keys::Entity::find()
        .one(&test.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let bobs = create_app(&router, &bob, "bob's app").await;
    let bobs_app = bobs["app"]["id"].as_i64().unwrap().to_string();
    let before = (
        apps::Entity::find().all(&test.db).await.unwrap(),
        api_keys::Entity::find().all(&test.db).await.unwrap(),
    );

    let a = app_id.as_str();
    let calls: [(&str, Vec<(&str, &str)>); 8] = [
        ("apps/settings", vec![("app_id", a)]),
        ("apps/overview", vec![("app_id", a)]),
        (
            "apps/update",
            vec![("app_id", a), ("name", "mine"), ("description", "")],
        ),
        ("apps/rotate_dsn", vec![("app_id", a)]),
        (
            "apps/delete",
            vec![("app_id", a), ("confirm_name", "checkout")],
        ),
        ("apps/create_key", vec![("app_id", a), ("name", "stolen")]),
        ("apps/revoke_key", vec![("app_id", a), ("key_id", &key_id)]),
        // Ada's key through Bob's own app.
        (
            "apps/revoke_key",
            vec![("app_id", &bobs_app), ("key_id", &key_id)],
        ),
    ];
    for (function, form) in &calls {
        let answer = call(&router, function, form, Some(&bob)).await;
        assert_eq!(
            answer.status,
            StatusCode::NOT_FOUND,
            "{function}: {}",
            answer.body
        );
        assert_eq!(
            answer.json(),
            Value::String("NotFound".into()),
            "{function}"
        );
    }
    let listed = call(&router, "apps/list", &[], Some(&bob)).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "bob's app");
    for path in [
        format!("/apps/{app_id}"),
        format!("/apps/{app_id}/settings"),
    ] {
        let shown = page(&router, &path, Some(&bob)).await;
        assert_eq!(shown.status, StatusCode::NOT_FOUND, "{path}");
        assert!(shown.body.contains("App not found"), "{path}");
        assert!(!shown.body.contains("checkout"), "{path}");
    }
    let after = (
        apps::Entity::find().all(&test.db).await.unwrap(),
        api_keys::Entity::find().all(&test.db).await.unwrap(),
    );
    assert_eq!(before, after, "nothing of Ada's changed");
}

async fn deleting_an_app_refuses_its_keys_at_once(test: &TestDb) {
    let router = router(test);
    let ada = sign_up(&router, "Ada", "ada@example.com").await;
    let created = create_app(&router, &ada, "checkout").await;
    let key = created["api_key"].as_str().unwrap();
    let app_id = created["app"]["id"].as_i64().unwrap().to_string();

    let deleted = call(
        &router,
        "apps/delete",
        &[("app_id", &app_id), ("confirm_name", "checkout")],
        Some(&ada),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(
        services::api_keys::authenticate(&test.db, key)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        services::purges::is_pending(&test.db, app_id.parse().unwrap())
            .await
            .unwrap()
    );
    let gone = page(&router, &format!("/apps/{app_id}"), Some(&ada)).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let again = create_app(&router, &ada, "checkout").await;
    assert_ne!(
        again["app"]["id"].as_i64().unwrap().to_string(),
        app_id,
        "ids are not reused"
    );
}

/// A CLI command beside a busy server: apps are created (a read, then writes) while another
/// connection holds the write lock and while each other's transactions run. On SQLite a
/// transaction that read before asking for the lock was refused at once ("database is
/// locked"); every creation must wait its turn instead.
async fn apps_are_created_while_others_write(test: &TestDb) {
    let ada = users::create(&test.db, "ada@example.com", common::PASSWORD, None)
        .await
        .unwrap();
    let other = db::connect(&test.url).await.unwrap();
    let busy = db::begin_write(&other).await.unwrap();
    busy.execute_unprepared("UPDATE users SET name = name")
        .await
        .unwrap();
    let creations: Vec<_> = (0..12)
        .map(|n| {
            let db = test.db.clone();
            tokio::spawn(async move {
                services::apps::create(&db, ada.id, &format!("service-{n}"), "").await
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    busy.commit().await.unwrap();
    for creation in creations {
        if let Err(error) = creation.await.unwrap() {
            panic!("an app was refused while another connection wrote: {error}");
        }
    }
    let count = apps::Entity::find().count(&test.db).await.unwrap();
    assert_eq!(count, 12);
    other.close().await.unwrap();
}

on_both_databases!(
    register_an_app_see_the_key_once_and_manage_keys,
    apps_are_created_while_others_write,
    mistakes_are_reported_on_their_field,
    another_users_app_and_keys_are_not_found,
    deleting_an_app_refuses_its_keys_at_once,
);
