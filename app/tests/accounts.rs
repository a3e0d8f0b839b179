//! The account and app services on both engines: what the CLI and, later, the UI rely on.
use app::{
    backend::{
        ServiceError,
        entities::api_keys,
        secrets::sha256_hex,
        services::{self, apps, users},
        testing::TestDb,
    },
    on_both_databases,
};
use sea_orm::EntityTrait;

async fn users_are_created_with_argon2id_and_unique_emails(test: &TestDb) {
    let db = &test.db;
    let ada = users::create(db, " Ada@Example.COM ", "correct horse battery", None)
        .await
        .unwrap();
    assert_eq!(ada.email, "ada@example.com");
    assert_eq!(ada.name, "ada");
    let phc = ada.password_hash.clone().unwrap();
    assert!(phc.starts_with("$argon2id$"));
    assert!(users::verify_password("correct horse battery".into(), phc).await);

    let duplicate = users::create(db, "ADA@example.com", "another password", None).await;
    assert!(
        matches!(duplicate, Err(ServiceError::Conflict(_))),
        "{duplicate:?}"
    );
    let short = users::create(db, "bob@example.com", "short", None).await;
    assert!(matches!(
        short,
        Err(ServiceError::Invalid {
            field: "password",
            ..
        })
    ));
    let listed = users::list(db).await.unwrap();
    assert_eq!(listed.len(), 1);
}

async fn apps_get_a_first_key_stored_only_as_a_digest(test: &TestDb) {
    let db = &test.db;
    let ada = users::create(db, "ada@example.com", "correct horse battery", Some("Ada"))
        .await
        .unwrap();
    let (app, key) = apps::create(db, ada.id, "checkout", "payments")
        .await
        .unwrap();
    assert_eq!(app.public_key.len(), 32);
    assert!(key.key.starts_with("sk_"));

    let stored = api_keys::Entity::find().all(db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].key_sha256, sha256_hex(&key.key));
    assert_eq!(stored[0].display_prefix, key.key[..10]);
    assert!(
        !format!("{stored:?}").contains(&key.key),
        "the clear key is not stored"
    );

    let found = services::api_keys::authenticate(db, &key.key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.app_id, app.id);
    assert!(
        services::api_keys::authenticate(db, "sk_unknown")
            .await
            .unwrap()
            .is_none()
    );

    let duplicate = apps::create(db, ada.id, " checkout ", "").await;
    assert!(
        matches!(duplicate, Err(ServiceError::Invalid { field: "name", .. })),
        "{duplicate:?}"
    );
    for bad in ["", "   ", &"x".repeat(65)] {
        let invalid = apps::create(db, ada.id, bad, "").await;
        assert!(
            matches!(invalid, Err(ServiceError::Invalid { field: "name", .. })),
            "{bad:?}"
        );
    }
}

on_both_databases!(
    users_are_created_with_argon2id_and_unique_emails,
    apps_get_a_first_key_stored_only_as_a_digest,
);
