//! Opening the database: an SQLite file tuned for a log workload, or a PostgreSQL pool.
use std::{str::FromStr, time::Duration};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
    sqlx::{
        postgres::PgSslMode,
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
    },
};

/// Which engine a database URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of_url(url: &str) -> Option<Engine> {
        if url.starts_with("sqlite:") {
            Some(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Engine::Postgres)
        } else {
            None
        }
    }
}

/// Opens `url`. For SQLite the file (and its folder) is created when missing, and every
/// connection runs in WAL mode with synchronous=NORMAL, a busy timeout and foreign keys on.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10));
    match Engine::of_url(url) {
        Some(Engine::Sqlite) => {
            let parsed = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbErr::Custom(format!("invalid SQLite URL: {e}")))?;
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let folder = parsed
                .get_filename()
                .parent()
                .filter(|d| !d.as_os_str().is_empty());
            if let (false, Some(dir)) = (in_memory, folder) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
            // An in-memory database exists once per connection: keep exactly one.
            options
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(1);
            options.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
        }
        Some(Engine::Postgres) => {
            options.max_connections(16).min_connections(1);
            if is_loopback(url) && !url.contains("sslmode=") {
                // TLS on the loopback interface protects nothing, and costs the ingest writer
                // 40 ms per commit: sqlx does not set TCP_NODELAY, and a large insert leaves as
                // several TLS records whose last one waits for a delayed ACK. Without TLS it is
                // one write. An explicit `sslmode` in the URL is always respected.
                options.map_sqlx_postgres_opts(|o| o.ssl_mode(PgSslMode::Disable));
            }
        }
        None => {
            return Err(DbErr::Custom(
                "database URL must start with sqlite: or postgres://".into(),
            ));
        }
    }
    Database::connect(options).await
}

/// Whether a PostgreSQL URL names this machine (`localhost`, 127.0.0.1 or ::1).
fn is_loopback(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    matches!(host, "localhost" | "::1") || host.starts_with("127.")
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), waiting up to the busy timeout for another writer to finish. A plain
/// `BEGIN` would read first and ask for the lock only at its first write, and SQLite refuses
/// that upgrade at once ("database is locked", without waiting) whenever another connection
/// or process is writing: a CLI command beside a busy server failed that way. PostgreSQL
/// begins as usual.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Applies every pending migration; returns how many ran.
pub async fn migrate(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let pending = Migrator::get_pending_migrations(db).await?.len();
    Migrator::up(db, None).await?;
    Ok(pending)
}

/// A cheap round trip, for health checks.
pub async fn ping(db: &DatabaseConnection) -> bool {
    let check = db.execute_unprepared("SELECT 1");
    matches!(
        tokio::time::timeout(Duration::from_secs(2), check).await,
        Ok(Ok(_))
    )
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_read_from_the_scheme() {
        assert_eq!(Engine::of_url("sqlite://data/x.db"), Some(Engine::Sqlite));
        assert_eq!(Engine::of_url("postgres://u@h/db"), Some(Engine::Postgres));
        assert_eq!(
            Engine::of_url("postgresql://u@h/db"),
            Some(Engine::Postgres)
        );
        assert_eq!(Engine::of_url("mysql://u@h/db"), None);
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("postgres://postgres@127.0.0.1:5432/db"));
        assert!(is_loopback("postgres://u:p@localhost/db"));
        assert!(is_loopback("postgresql://[::1]:5432/db"));
        assert!(!is_loopback("postgres://u@db.example.com:5432/db"));
        assert!(!is_loopback("postgres://u@10.0.0.5/db?host=127.0.0.1"));
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
