//! Stored lines as the view shows them ([`LogRow`]); attributes travel as the JSON object's
//! text (PostgreSQL spells jsonb its own way: `{"a": 1}`).
use sea_orm::sqlx::{self, ColumnIndex, Decode, FromRow, Row, Type};

use crate::{
    backend::ingest::LiveLine,
    model::{Level, logs::LogRow},
};

use super::sql::Engine;

/// The columns a [`Line`] is read from, in order.
pub fn columns(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => {
            "id, ts, level, service, environment, \"release\", message, attributes, trace_id, issue_id"
        }
        Engine::Postgres => {
            "id, ts, level, service, environment, \"release\", message, \
             attributes::text AS attributes, trace_id, issue_id"
        }
    }
}

/// A row selected with [`columns`].
pub struct Line(pub LogRow);

impl<'r, R> FromRow<'r, R> for Line
where
    R: Row,
    usize: ColumnIndex<R>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    i16: Decode<'r, R::Database> + Type<R::Database>,
    String: Decode<'r, R::Database> + Type<R::Database>,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        let level: i16 = row.try_get(2)?;
        Ok(Line(LogRow {
            id: row.try_get(0)?,
            ts: row.try_get(1)?,
            level: Level::from_i16(level).unwrap_or(Level::Info),
            service: row.try_get(3)?,
            environment: row.try_get(4)?,
            release: row.try_get(5)?,
            message: row.try_get(6)?,
            attributes: row.try_get(7)?,
            trace_id: row.try_get(8)?,
            issue_id: row.try_get(9)?,
        }))
    }
}

/// A line from the live bus as the view shows it.
pub fn live_row(live: &LiveLine) -> LogRow {
    let line = &live.line;
    LogRow {
        id: live.id,
        ts: line.ts,
        level: line.level,
        service: line.service.clone(),
        environment: line.environment.clone(),
        release: line.release.clone(),
        message: line.message.clone(),
        attributes: line.attributes.clone(),
        trace_id: line.trace_id.clone(),
        issue_id: line.issue_id,
    }
}
