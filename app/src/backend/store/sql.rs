//! SQL text with its values, and running it on either engine through sqlx.
//!
//! Fragments are written with `?` placeholders and carry their values in order, so they can be
//! nested and concatenated freely; on PostgreSQL the finished statement's `?` are numbered
//! `$1, $2, …` just before it runs. (SQLite keeps `?`: with `$N` sqlx looks every parameter's
//! name up, a linear search each; see `ingest/store.rs`.)
use std::sync::Arc;

use sea_orm::{
    DatabaseConnection, DbBackend, DbErr, RuntimeErr,
    sqlx::{self, AssertSqlSafe, FromRow, postgres::PgRow, sqlite::SqliteRow},
};

/// Which SQL dialect a fragment is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(db: &DatabaseConnection) -> Engine {
        match db.get_database_backend() {
            DbBackend::Postgres => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }
}

/// A bound value.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(i64),
    Float(f64),
    Text(String),
}

/// SQL with `?` placeholders, and the value of each in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fragment {
    pub sql: String,
    pub params: Vec<Param>,
}

impl Fragment {
    pub fn new(sql: &str) -> Fragment {
        Fragment {
            sql: sql.to_string(),
            params: Vec::new(),
        }
    }

    /// Appends SQL text (never a value: values go through [`Fragment::bind`]).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: Param) -> &mut Self {
        self.sql.push('?');
        self.params.push(value);
        self
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.bind(Param::Int(value))
    }

    pub fn text(&mut self, value: impl Into<String>) -> &mut Self {
        self.bind(Param::Text(value.into()))
    }

    /// Appends another fragment, its values after ours.
    pub fn append(&mut self, other: &Fragment) -> &mut Self {
        self.sql.push_str(&other.sql);
        self.params.extend(other.params.iter().cloned());
        self
    }
}

/// Runs `query` and decodes every row as `T`.
///
/// On PostgreSQL the statement is not kept prepared: an unnamed statement is planned with the
/// actual values, so `message ILIKE '%rare%'` can pick the trigram index and a common term the
/// time index, where a cached generic plan would guess the same for both.
pub async fn fetch_all<T>(db: &DatabaseConnection, query: &Fragment) -> Result<Vec<T>, DbErr>
where
    T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
{
    let rows = match Engine::of(db) {
        Engine::Postgres => {
            let mut q =
                sqlx::query_as::<_, T>(AssertSqlSafe(numbered(&query.sql))).persistent(false);
            for param in &query.params {
                q = match param {
                    Param::Int(v) => q.bind(*v),
                    Param::Float(v) => q.bind(*v),
                    Param::Text(v) => q.bind(v.as_str()),
                };
            }
            q.fetch_all(db.get_postgres_connection_pool()).await
        }
        Engine::Sqlite => {
            let mut q = sqlx::query_as::<_, T>(AssertSqlSafe(query.sql.clone()));
            for param in &query.params {
                q = match param {
                    Param::Int(v) => q.bind(*v),
                    Param::Float(v) => q.bind(*v),
                    Param::Text(v) => q.bind(v.as_str()),
                };
            }
            q.fetch_all(db.get_sqlite_connection_pool()).await
        }
    };
    rows.map_err(|e| DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))))
}

/// Runs `query` for its one row.
pub async fn fetch_one<T>(db: &DatabaseConnection, query: &Fragment) -> Result<T, DbErr>
where
    T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
{
    fetch_all(db, query)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DbErr::RecordNotFound("an aggregate returned no row".into()))
}

/// `sql` with each `?` outside string literals replaced by `$1`, `$2`, … (PostgreSQL).
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut in_literal = false;
    for c in sql.chars() {
        match c {
            '\'' => {
                in_literal = !in_literal;
                out.push(c);
            }
            '?' if !in_literal => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_literals() {
        assert_eq!(
            numbered("a = ? AND b LIKE '?' AND c IN (?, ?)"),
            "a = $1 AND b LIKE '?' AND c IN ($2, $3)"
        );
        assert_eq!(numbered("x = 'it''s' OR y = ?"), "x = 'it''s' OR y = $1");
    }

    #[test]
    fn fragments_keep_values_in_order() {
        let mut inner = Fragment::new("b = ");
        inner.int(2);
        let mut f = Fragment::new("a = ");
        f.text("1").push(" AND ").append(&inner);
        assert_eq!(f.sql, "a = ? AND b = ?");
        assert_eq!(f.params, vec![Param::Text("1".into()), Param::Int(2)]);
    }
}
