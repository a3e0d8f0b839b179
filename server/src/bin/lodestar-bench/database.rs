//! A fresh, empty database per measurement, so that every run starts from the same state and
//! never touches a real installation's data.
use std::{
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

use app::backend::{
    db,
    testing::{DEFAULT_PG_ADMIN_URL, TestDb},
};
use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn title(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

/// An empty database and the data folder (server secret, SQLite file) the binary runs with.
pub struct FreshDatabase {
    test_db: TestDb,
    pub data_dir: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl FreshDatabase {
    /// An unmigrated database: the binary under test applies its own migrations, as it would
    /// on a new installation. PostgreSQL being down is an error, never a skipped section.
    pub async fn create(engine: Engine) -> Result<Self, String> {
        let test_db = match engine {
            Engine::Sqlite => TestDb::sqlite_unmigrated().await,
            Engine::Postgres => {
                check_postgres().await?;
                TestDb::postgres_unmigrated().await
            }
        };
        let data_dir = std::env::temp_dir().join(format!(
            "lodestar-bench-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(e) = std::fs::create_dir_all(&data_dir) {
            test_db.teardown().await;
            return Err(format!("cannot create {}: {e}", data_dir.display()));
        }
        Ok(FreshDatabase { test_db, data_dir })
    }

    pub fn url(&self) -> &str {
        &self.test_db.url
    }

    /// Drops the database (or removes the SQLite folder) and the data folder.
    pub async fn teardown(self) {
        self.test_db.teardown().await;
        std::fs::remove_dir_all(&self.data_dir).ok();
    }
}

/// Connects once to the admin database first: `TestDb` panics when PostgreSQL is down (right
/// for tests), and a benchmark should say so in one line instead.
async fn check_postgres() -> Result<(), String> {
    let admin_url =
        std::env::var("LODESTAR_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.into());
    let admin = db::connect(&admin_url).await.map_err(|e| {
        format!(
            "PostgreSQL is unreachable at {} ({e}). Start it with `make postgres` or set \
             LODESTAR_TEST_PG_URL.",
            db::redact_url(&admin_url)
        )
    })?;
    admin.close().await.ok();
    Ok(())
}
