//! Error events in the writer's transaction: each commit upserts the issues its events belong
//! to (one statement per distinct issue), links every event's log line to its issue, then
//! stores the events and adds to the issues' tag counts and hourly counts, each aggregated
//! over the commit first.
//!
//! A resolved issue that gets an event is reopened and marked as a regression in the same
//! upsert, so that two servers sharing a PostgreSQL database cannot both miss or both report it.
use std::collections::{BTreeMap, HashMap};

use sea_orm::{
    DbBackend,
    sqlx::{self, AssertSqlSafe, Database, Decode, Encode, Executor, Row, Type},
};

use super::store::{Bound, Group, anonymous, values};
use crate::model::Level;

/// Events per multi-row INSERT (10 values each).
const EVENT_ROWS: usize = 100;
/// Tag or hour counts per upsert (5 and 3 values each).
const COUNT_ROWS: usize = 200;
const HOUR_US: i64 = 3_600_000_000;

/// An error event on its way to the writer, beside the line it leaves in the log stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// The index of the event's line among its request's lines.
    pub line: usize,
    /// 32 hex digits.
    pub event_id: String,
    /// The grouping hash (docs/grouping.md).
    pub hash: String,
    pub title: String,
    pub culprit: String,
    /// The grouping components as a JSON list.
    pub grouping: String,
    pub level: Level,
    /// UTC µs.
    pub ts: i64,
    pub received_at: i64,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// What the issue counts per value: `environment`, `release`, `level`, `user` and the
    /// SDK's tags, one value per key.
    pub tags: Vec<(String, String)>,
    /// A [`crate::model::issues::EventDetail`] as JSON.
    pub payload: String,
}

/// What a commit did to an issue (for alerts: a new issue, a regression).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssueTouch {
    pub app_id: i64,
    pub issue_id: i64,
    /// The commit created it.
    pub new: bool,
    /// The commit reopened it after it was resolved.
    pub regressed: bool,
}

/// One issue's share of a commit.
struct Share<'a> {
    events: i64,
    first_seen: i64,
    /// The newest event, which names the issue.
    newest: &'a NewEvent,
    received_at: i64,
}

/// Upserts the issue of every event in `groups`. Returns, per group, the issue of each of its
/// lines (empty for a group without events), and what happened to each issue.
pub(super) async fn upsert_issues<DB: Database>(
    conn: &mut DB::Connection,
    backend: DbBackend,
    groups: &[Group<'_>],
) -> Result<(Vec<Vec<Option<i64>>>, Vec<IssueTouch>), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Decode<'q, DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let mut shares: BTreeMap<(i64, &str), Share> = BTreeMap::new();
    for group in groups {
        for event in group.events {
            let share = shares
                .entry((group.app_id, event.hash.as_str()))
                .or_insert(Share {
                    events: 0,
                    first_seen: event.ts,
                    newest: event,
                    received_at: event.received_at,
                });
            share.events += 1;
            share.first_seen = share.first_seen.min(event.ts);
            share.received_at = share.received_at.max(event.received_at);
            if event.ts >= share.newest.ts {
                share.newest = event;
            }
        }
    }
    let sql = upsert_issue_sql(backend);
    let mut ids = HashMap::with_capacity(shares.len());
    let mut touched = Vec::with_capacity(shares.len());
    for ((app_id, hash), share) in &shares {
        let newest = share.newest;
        let row = sqlx::query::<DB>(AssertSqlSafe(sql.clone()))
            .bind(*app_id)
            .bind(*hash)
            .bind(newest.title.as_str())
            .bind(newest.culprit.as_str())
            .bind(newest.level.as_i16())
            .bind(share.first_seen)
            .bind(newest.ts)
            .bind(share.events)
            .bind(newest.grouping.as_str())
            .bind(share.received_at)
            .fetch_one(&mut *conn)
            .await?;
        let issue_id: i64 = row.try_get(0)?;
        let times_seen: i64 = row.try_get(1)?;
        let regressed_at: Option<i64> = row.try_get(2)?;
        ids.insert((*app_id, *hash), issue_id);
        let new = times_seen == share.events;
        touched.push(IssueTouch {
            app_id: *app_id,
            issue_id,
            new,
            regressed: !new && regressed_at == Some(share.received_at),
        });
    }
    let per_line = groups
        .iter()
        .map(|group| {
            if group.events.is_empty() {
                return Vec::new();
            }
            let mut issues = vec![None; group.lines.len()];
            for event in group.events {
                if let Some(slot) = issues.get_mut(event.line) {
                    *slot = ids.get(&(group.app_id, event.hash.as_str())).copied();
                }
            }
            issues
        })
        .collect();
    Ok((per_line, touched))
}

/// Stores the events of `groups` (`ids`: their lines' ids, in order; `issues`: per group, the
/// issue of each line) with their tag and hourly counts. An event id the app already stored
/// is skipped: SDKs send an event again when they did not see the answer.
pub(super) async fn insert_events<DB: Database>(
    conn: &mut DB::Connection,
    backend: DbBackend,
    groups: &[Group<'_>],
    ids: &[i64],
    issues: &[Vec<Option<i64>>],
) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> i16: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
{
    let mut rows = Vec::new();
    let mut offset = 0;
    for (group, issues) in groups.iter().zip(issues) {
        for event in group.events {
            if let Some(Some(issue_id)) = issues.get(event.line) {
                rows.push((
                    group.app_id,
                    *issue_id,
                    ids.get(offset + event.line).copied(),
                    event,
                ));
            }
        }
        offset += group.lines.len();
    }
    if rows.is_empty() {
        return Ok(());
    }
    for chunk in rows.chunks(EVENT_ROWS) {
        let sql = placeholders(
            backend,
            format!(
                "INSERT INTO events (app_id, issue_id, event_id, ts, received_at, level, \
                 environment, \"release\", log_id, payload) VALUES {} \
                 ON CONFLICT (app_id, event_id) DO NOTHING",
                values(chunk.len(), 10, None, None)
            ),
        );
        let mut query = sqlx::query::<DB>(AssertSqlSafe(sql));
        for (app_id, issue_id, log_id, event) in chunk {
            query = query
                .bind(*app_id)
                .bind(*issue_id)
                .bind(event.event_id.as_str())
                .bind(event.ts)
                .bind(event.received_at)
                .bind(event.level.as_i16())
                .bind(event.environment.as_deref())
                .bind(event.release.as_deref())
                .bind(*log_id)
                .bind(event.payload.as_str());
        }
        query.execute(&mut *conn).await?;
    }

    let mut tags: BTreeMap<(i64, &str, &str), (i64, i64)> = BTreeMap::new();
    let mut hours: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (_, issue_id, _, event) in &rows {
        for (key, value) in &event.tags {
            let count = tags
                .entry((*issue_id, key.as_str(), value.as_str()))
                .or_insert((0, event.ts));
            count.0 += 1;
            count.1 = count.1.max(event.ts);
        }
        *hours
            .entry((*issue_id, event.ts.div_euclid(HOUR_US)))
            .or_insert(0) += 1;
    }
    let greatest = match backend {
        DbBackend::Postgres => "GREATEST",
        _ => "max",
    };
    let tags: Vec<_> = tags.into_iter().collect();
    for chunk in tags.chunks(COUNT_ROWS) {
        let sql = placeholders(
            backend,
            format!(
                "INSERT INTO issue_tags (issue_id, key, value, count, last_seen) VALUES {} \
                 ON CONFLICT (issue_id, key, value) DO UPDATE SET \
                 count = issue_tags.count + excluded.count, \
                 last_seen = {greatest}(issue_tags.last_seen, excluded.last_seen)",
                values(chunk.len(), 5, None, None)
            ),
        );
        let mut query: Bound<DB> = sqlx::query(AssertSqlSafe(sql));
        for ((issue_id, key, value), (count, last_seen)) in chunk {
            query = query
                .bind(*issue_id)
                .bind(*key)
                .bind(*value)
                .bind(*count)
                .bind(*last_seen);
        }
        query.execute(&mut *conn).await?;
    }
    let hours: Vec<_> = hours.into_iter().collect();
    for chunk in hours.chunks(COUNT_ROWS) {
        let sql = placeholders(
            backend,
            format!(
                "INSERT INTO issue_hours (issue_id, hour, count) VALUES {} \
                 ON CONFLICT (issue_id, hour) DO UPDATE SET count = issue_hours.count + excluded.count",
                values(chunk.len(), 3, None, None)
            ),
        );
        let mut query: Bound<DB> = sqlx::query(AssertSqlSafe(sql));
        for ((issue_id, hour), count) in chunk {
            query = query.bind(*issue_id).bind(*hour).bind(*count);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The issue upsert: a new issue is unresolved; an existing one counts the events, takes the
/// newest event's title, culprit, level and grouping, and when it was resolved, is reopened
/// and marked as regressed at the commit's last receipt (`$10`).
fn upsert_issue_sql(backend: DbBackend) -> String {
    let (least, greatest) = match backend {
        DbBackend::Postgres => ("LEAST", "GREATEST"),
        _ => ("min", "max"),
    };
    let newer = |column: &str| {
        format!(
            "{column} = CASE WHEN excluded.last_seen >= issues.last_seen \
             THEN excluded.{column} ELSE issues.{column} END"
        )
    };
    placeholders(
        backend,
        format!(
            "INSERT INTO issues (app_id, hash, title, culprit, level, status, first_seen, \
             last_seen, times_seen, grouping) \
             VALUES ($1, $2, $3, $4, $5, 'unresolved', $6, $7, $8, $9) \
             ON CONFLICT (app_id, hash) DO UPDATE SET {}, {}, {}, {}, \
             first_seen = {least}(issues.first_seen, excluded.first_seen), \
             last_seen = {greatest}(issues.last_seen, excluded.last_seen), \
             times_seen = issues.times_seen + excluded.times_seen, \
             status = CASE WHEN issues.status = 'resolved' THEN 'unresolved' ELSE issues.status END, \
             regressed_at = CASE WHEN issues.status = 'resolved' THEN $10 ELSE issues.regressed_at END, \
             resolved_at = CASE WHEN issues.status = 'resolved' THEN NULL ELSE issues.resolved_at END \
             RETURNING id, times_seen, regressed_at",
            newer("title"),
            newer("culprit"),
            newer("level"),
            newer("grouping"),
        ),
    )
}

/// `sql` with SQLite's anonymous parameters where needed. (`$10` in the upsert appears once.)
fn placeholders(backend: DbBackend, sql: String) -> String {
    match backend {
        DbBackend::Postgres => sql,
        _ => anonymous(sql),
    }
}
