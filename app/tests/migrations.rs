//! The schema applies, rolls back completely and applies again, on SQLite and PostgreSQL.
use app::backend::testing::TestDb;
use migration::{Migrator, MigratorTrait, SchemaManager};

const TABLES: [&str; 10] = [
    "users",
    "identities",
    "sessions",
    "apps",
    "api_keys",
    "logs",
    "device_sessions",
    "app_metrics",
    "oauth_states",
    "app_purges",
];

const LOG_INDEXES: [&str; 2] = ["logs_app_ts", "logs_app_level_ts"];

async fn apply_roll_back_and_reapply(test: TestDb) {
    let db = &test.db;
    let manager = SchemaManager::new(db);
    let all = Migrator::migrations().len();
    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len(),
        all
    );

    Migrator::up(db, None).await.expect("migrations apply");
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    for table in TABLES {
        assert!(
            manager.has_table(table).await.unwrap(),
            "{table} exists after up"
        );
    }
    for index in LOG_INDEXES {
        assert!(
            manager.has_index("logs", index).await.unwrap(),
            "{index} exists"
        );
    }

    Migrator::down(db, None)
        .await
        .expect("migrations roll back");
    for table in TABLES {
        assert!(
            !manager.has_table(table).await.unwrap(),
            "{table} is gone after down"
        );
    }
    assert_eq!(
        Migrator::get_pending_migrations(db).await.unwrap().len(),
        all
    );

    Migrator::up(db, None)
        .await
        .expect("migrations apply again after a full rollback");
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    test.teardown().await;
}

#[tokio::test]
async fn sqlite_migrations_apply_and_roll_back() {
    apply_roll_back_and_reapply(TestDb::sqlite_unmigrated().await).await;
}

#[tokio::test]
async fn postgres_migrations_apply_and_roll_back() {
    apply_roll_back_and_reapply(TestDb::postgres_unmigrated().await).await;
}
