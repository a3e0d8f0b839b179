//! Real databases for tests: a migrated SQLite file or a PostgreSQL database created for one
//! test and dropped after it. PostgreSQL being unreachable is a test failure, never a skip.
//!
//! Suites run on both engines with [`crate::on_both_databases!`].
use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{db, secrets};

/// The PostgreSQL server tests create their databases on (override with LODESTAR_TEST_PG_URL).
pub const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// Every test database's name starts with this, so leftovers are easy to find and drop.
pub const PG_TEST_DB_PREFIX: &str = "lodestar_test_";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct TestDb {
    pub db: DatabaseConnection,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteDir(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    /// A fresh, migrated SQLite file.
    pub async fn sqlite() -> Self {
        Self::migrated(Self::sqlite_unmigrated().await).await
    }

    /// A fresh, migrated PostgreSQL database.
    pub async fn postgres() -> Self {
        Self::migrated(Self::postgres_unmigrated().await).await
    }

    /// An empty SQLite file (for migration tests).
    pub async fn sqlite_unmigrated() -> Self {
        let dir = std::env::temp_dir().join(format!("lodestar-test-{}", unique_suffix()));
        std::fs::create_dir_all(&dir).expect("create a temporary folder");
        let url = format!("sqlite://{}", dir.join("lodestar.db").display());
        let db = db::connect(&url)
            .await
            .expect("open the SQLite test database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::SqliteDir(dir),
        }
    }

    /// An empty PostgreSQL database (for migration tests).
    pub async fn postgres_unmigrated() -> Self {
        let admin_url =
            std::env::var("LODESTAR_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.into());
        let admin = db::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is required for this test and is unreachable at {} ({e}). \
                 Start it (see README) or set LODESTAR_TEST_PG_URL.",
                db::redact_url(&admin_url)
            )
        });
        let name = format!("{PG_TEST_DB_PREFIX}{}", unique_suffix());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the PostgreSQL test database");
        admin.close().await.ok();
        let (base, _) = admin_url
            .rsplit_once('/')
            .expect("admin URL names a database");
        let url = format!("{base}/{name}");
        let db = db::connect(&url)
            .await
            .expect("open the PostgreSQL test database");
        TestDb {
            db,
            url,
            cleanup: Cleanup::PostgresDatabase { admin_url, name },
        }
    }

    async fn migrated(self) -> Self {
        db::migrate(&self.db).await.expect("migrations apply");
        self
    }

    /// Closes the connection and removes the database.
    pub async fn teardown(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::SqliteDir(dir) => {
                std::fs::remove_dir_all(dir).ok();
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(admin) = db::connect(&admin_url).await {
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                        .ok();
                    admin.close().await.ok();
                }
            }
        }
    }
}

fn unique_suffix() -> String {
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        secrets::random_hex(3)
    )
}

/// Defines each listed `async fn name(db: &TestDb)` as two tests, `sqlite::name` and
/// `postgres::name`, each on a fresh migrated database.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::backend::testing::TestDb::sqlite().await;
                    super::$name(&db).await;
                    db.teardown().await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::backend::testing::TestDb::postgres().await;
                    super::$name(&db).await;
                    db.teardown().await;
                }
            )+
        }
    };
}
