//! Issues of one app: the filtered list with its counts and sparklines, one issue with one
//! of its events and its tag counts, and status changes. The caller has checked that the
//! signed-in user owns `app_id`; every query here is scoped to it, so another app's issue id
//! answers "not found".
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, Query},
};

use crate::{
    backend::{
        ServiceError,
        db::begin_write,
        entities::{events, issue_hours, issue_tags, issues, logs},
    },
    model::{
        Level,
        issues::{
            EventChoice, EventDetail, EventNav, EventView, ISSUES_PER_PAGE, IssueAction,
            IssueFilter, IssueList, IssueStatus, IssueSummary, IssueView, SPARKLINE_HOURS,
            TagCounts,
        },
    },
};

const HOUR_US: i64 = 3_600_000_000;
/// Issues one bulk action may name.
pub const MAX_BULK: usize = 1_000;
/// Tag keys the issue page lists, and values per key.
const MAX_TAG_KEYS: usize = 40;
const MAX_TAG_VALUES: u64 = 10;
/// The tag key "users affected" counts.
pub const USER_TAG: &str = "user";

/// One page (0-based) of the app's issues that match `filter`, most recently seen first.
pub async fn list(
    db: &DatabaseConnection,
    app_id: i64,
    filter: &IssueFilter,
    page: u32,
    now: DateTime<Utc>,
) -> Result<IssueList, ServiceError> {
    let mut query = issues::Entity::find().filter(issues::Column::AppId.eq(app_id));
    if let Some(status) = filter.status {
        query = query.filter(issues::Column::Status.eq(status.as_str()));
    }
    if let Some(level) = filter.level {
        query = query.filter(issues::Column::Level.eq(level.as_i16()));
    }
    for (key, value) in [
        ("environment", &filter.environment),
        ("release", &filter.release),
    ] {
        if let Some(value) = value {
            let tagged = Query::select()
                .column(issue_tags::Column::IssueId)
                .from(issue_tags::Entity)
                .and_where(issue_tags::Column::Key.eq(key))
                .and_where(issue_tags::Column::Value.eq(value.as_str()))
                .to_owned();
            query = query.filter(issues::Column::Id.in_subquery(tagged));
        }
    }
    for word in &filter.words {
        let pattern = format!("%{}%", like_escape(&word.to_lowercase()));
        let lower = |column: issues::Column| Expr::expr(Func::lower(Expr::col(column)));
        query = query.filter(
            Condition::any()
                .add(lower(issues::Column::Title).like(like_pattern(&pattern)))
                .add(lower(issues::Column::Culprit).like(like_pattern(&pattern))),
        );
    }
    let rows = query
        .order_by_desc(issues::Column::LastSeen)
        .order_by_desc(issues::Column::Id)
        .offset(u64::from(page) * ISSUES_PER_PAGE as u64)
        .limit(ISSUES_PER_PAGE as u64 + 1)
        .all(db)
        .await?;
    let has_more = rows.len() > ISSUES_PER_PAGE;
    let rows: Vec<_> = rows.into_iter().take(ISSUES_PER_PAGE).collect();
    let issues = summaries(db, rows, now).await?;
    Ok(IssueList {
        issues,
        has_more,
        as_of_us: now.timestamp_micros(),
    })
}

/// The app's issue `issue_id` with the chosen event, its neighbours and the issue's tags.
pub async fn view(
    db: &DatabaseConnection,
    app_id: i64,
    issue_id: i64,
    choice: &EventChoice,
    now: DateTime<Utc>,
) -> Result<IssueView, ServiceError> {
    let issue = owned(db, app_id, issue_id).await?;
    let grouping = serde_json::from_str(&issue.grouping).unwrap_or_default();
    let of_issue = || events::Entity::find().filter(events::Column::IssueId.eq(issue_id));
    let newest = || {
        of_issue()
            .order_by_desc(events::Column::Ts)
            .order_by_desc(events::Column::Id)
    };
    let oldest = || {
        of_issue()
            .order_by_asc(events::Column::Ts)
            .order_by_asc(events::Column::Id)
    };
    let event = match choice {
        EventChoice::Newest => newest().one(db).await?,
        EventChoice::Oldest => oldest().one(db).await?,
        EventChoice::Id(id) => {
            let found = of_issue()
                .filter(events::Column::Id.eq(*id))
                .one(db)
                .await?;
            Some(found.ok_or_else(|| ServiceError::NotFound("event".into()))?)
        }
    };
    let id_of = |row: Option<events::Model>| row.map(|row| row.id);
    let mut nav = EventNav {
        newest: id_of(newest().one(db).await?),
        oldest: id_of(oldest().one(db).await?),
        ..EventNav::default()
    };
    if let Some(event) = &event {
        let after = Condition::any().add(events::Column::Ts.gt(event.ts)).add(
            Condition::all()
                .add(events::Column::Ts.eq(event.ts))
                .add(events::Column::Id.gt(event.id)),
        );
        let before = Condition::any().add(events::Column::Ts.lt(event.ts)).add(
            Condition::all()
                .add(events::Column::Ts.eq(event.ts))
                .add(events::Column::Id.lt(event.id)),
        );
        nav.newer = id_of(oldest().filter(after.clone()).one(db).await?);
        nav.older = id_of(newest().filter(before).one(db).await?);
        nav.position = of_issue().filter(after).count(db).await? as i64 + 1;
    }
    let tags = tag_counts(db, issue_id).await?;
    let mut summary = summaries(db, vec![issue], now).await?;
    Ok(IssueView {
        issue: summary
            .pop()
            .ok_or_else(|| ServiceError::NotFound("issue".into()))?,
        grouping,
        event: event.map(event_view),
        nav,
        tags,
        as_of_us: now.timestamp_micros(),
    })
}

/// Applies `action` to the app's issues `ids`. When one of them is not the app's, nothing
/// changes and the answer is "not found".
pub async fn apply(
    db: &DatabaseConnection,
    app_id: i64,
    ids: &[i64],
    action: IssueAction,
    now: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(ServiceError::invalid("ids", "select at least one issue"));
    }
    if ids.len() > MAX_BULK {
        return Err(ServiceError::invalid(
            "ids",
            format!("at most {MAX_BULK} issues at a time"),
        ));
    }
    let txn = begin_write(db).await?;
    let found = issues::Entity::find()
        .filter(issues::Column::AppId.eq(app_id))
        .filter(issues::Column::Id.is_in(ids.clone()))
        .count(&txn)
        .await?;
    if found != ids.len() as u64 {
        return Err(ServiceError::NotFound("issue".into()));
    }
    let now_us = now.timestamp_micros();
    let update = || {
        issues::Entity::update_many()
            .filter(issues::Column::AppId.eq(app_id))
            .filter(issues::Column::Id.is_in(ids.clone()))
    };
    let status = |status: IssueStatus| Expr::value(status.as_str());
    let changed = match action {
        IssueAction::Resolve => {
            update()
                .col_expr(issues::Column::Status, status(IssueStatus::Resolved))
                .col_expr(issues::Column::ResolvedAt, Expr::value(now_us))
                .col_expr(
                    issues::Column::RegressedAt,
                    Expr::value(Option::<i64>::None),
                )
                .exec(&txn)
                .await?
                .rows_affected
        }
        IssueAction::Ignore => {
            update()
                .col_expr(issues::Column::Status, status(IssueStatus::Ignored))
                .exec(&txn)
                .await?
                .rows_affected
        }
        IssueAction::Reopen => {
            update()
                .col_expr(issues::Column::Status, status(IssueStatus::Unresolved))
                .col_expr(issues::Column::ResolvedAt, Expr::value(Option::<i64>::None))
                .exec(&txn)
                .await?
                .rows_affected
        }
        IssueAction::Delete => delete(&txn, app_id, &ids).await?,
    };
    txn.commit().await?;
    Ok(changed)
}

/// Deletes issues `ids` of the app with their events and counts; their log lines stay,
/// no longer linked.
async fn delete(db: &impl ConnectionTrait, app_id: i64, ids: &[i64]) -> Result<u64, ServiceError> {
    let ids = ids.to_vec();
    events::Entity::delete_many()
        .filter(events::Column::AppId.eq(app_id))
        .filter(events::Column::IssueId.is_in(ids.clone()))
        .exec(db)
        .await?;
    issue_tags::Entity::delete_many()
        .filter(issue_tags::Column::IssueId.is_in(ids.clone()))
        .exec(db)
        .await?;
    issue_hours::Entity::delete_many()
        .filter(issue_hours::Column::IssueId.is_in(ids.clone()))
        .exec(db)
        .await?;
    logs::Entity::update_many()
        .col_expr(logs::Column::IssueId, Expr::value(Option::<i64>::None))
        .filter(logs::Column::IssueId.is_in(ids.clone()))
        .filter(logs::Column::AppId.eq(app_id))
        .exec(db)
        .await?;
    Ok(issues::Entity::delete_many()
        .filter(issues::Column::AppId.eq(app_id))
        .filter(issues::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected)
}

/// Removes every issue of a deleted app, with events and counts (its lines go with the purge).
pub async fn delete_app_issues(db: &impl ConnectionTrait, app_id: i64) -> Result<(), ServiceError> {
    let of_app = Query::select()
        .column(issues::Column::Id)
        .from(issues::Entity)
        .and_where(issues::Column::AppId.eq(app_id))
        .to_owned();
    issue_tags::Entity::delete_many()
        .filter(issue_tags::Column::IssueId.in_subquery(of_app.clone()))
        .exec(db)
        .await?;
    issue_hours::Entity::delete_many()
        .filter(issue_hours::Column::IssueId.in_subquery(of_app))
        .exec(db)
        .await?;
    events::Entity::delete_many()
        .filter(events::Column::AppId.eq(app_id))
        .exec(db)
        .await?;
    issues::Entity::delete_many()
        .filter(issues::Column::AppId.eq(app_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The event ids (of `event_ids`) the app already stored: an SDK that did not see our answer
/// sends the same event again.
pub async fn known_event_ids(
    db: &DatabaseConnection,
    app_id: i64,
    event_ids: &[&str],
) -> Result<Vec<String>, ServiceError> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct Row {
        event_id: String,
    }
    Ok(events::Entity::find()
        .select_only()
        .column(events::Column::EventId)
        .filter(events::Column::AppId.eq(app_id))
        .filter(events::Column::EventId.is_in(event_ids.iter().copied()))
        .into_model::<Row>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.event_id)
        .collect())
}

async fn owned(
    db: &DatabaseConnection,
    app_id: i64,
    issue_id: i64,
) -> Result<issues::Model, ServiceError> {
    issues::Entity::find_by_id(issue_id)
        .filter(issues::Column::AppId.eq(app_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound("issue".into()))
}

/// The rows as the list shows them, with users affected and the last 24 hours' counts.
async fn summaries(
    db: &DatabaseConnection,
    rows: Vec<issues::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<IssueSummary>, ServiceError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    #[derive(FromQueryResult)]
    struct Users {
        issue_id: i64,
        users: i64,
    }
    let users: HashMap<i64, i64> = issue_tags::Entity::find()
        .select_only()
        .column(issue_tags::Column::IssueId)
        .column_as(issue_tags::Column::Value.count(), "users")
        .filter(issue_tags::Column::IssueId.is_in(ids.clone()))
        .filter(issue_tags::Column::Key.eq(USER_TAG))
        .group_by(issue_tags::Column::IssueId)
        .into_model::<Users>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.issue_id, row.users))
        .collect();
    let this_hour = now.timestamp_micros().div_euclid(HOUR_US);
    let first_hour = this_hour - SPARKLINE_HOURS as i64 + 1;
    let mut sparklines: HashMap<i64, Vec<i64>> = HashMap::new();
    for hour in issue_hours::Entity::find()
        .filter(issue_hours::Column::IssueId.is_in(ids))
        .filter(issue_hours::Column::Hour.between(first_hour, this_hour))
        .all(db)
        .await?
    {
        let line = sparklines
            .entry(hour.issue_id)
            .or_insert_with(|| vec![0; SPARKLINE_HOURS]);
        line[(hour.hour - first_hour) as usize] += hour.count;
    }
    Ok(rows
        .into_iter()
        .map(|row| IssueSummary {
            id: row.id,
            users: users.get(&row.id).copied().unwrap_or(0),
            sparkline: sparklines
                .remove(&row.id)
                .unwrap_or_else(|| vec![0; SPARKLINE_HOURS]),
            title: row.title,
            culprit: row.culprit,
            level: Level::from_i16(row.level).unwrap_or(Level::Error),
            status: IssueStatus::parse(&row.status).unwrap_or(IssueStatus::Unresolved),
            regressed: row.regressed_at.is_some(),
            events: row.times_seen,
            first_seen_us: row.first_seen,
            last_seen_us: row.last_seen,
        })
        .collect())
}

/// The issue's tag keys, most used first, each with its most frequent values.
async fn tag_counts(
    db: &DatabaseConnection,
    issue_id: i64,
) -> Result<Vec<TagCounts>, ServiceError> {
    #[derive(FromQueryResult)]
    struct Key {
        key: String,
        total: i64,
        distinct: i64,
    }
    let keys = issue_tags::Entity::find()
        .select_only()
        .column(issue_tags::Column::Key)
        .column_as(issue_tags::Column::Count.sum().cast_as("BIGINT"), "total")
        .column_as(issue_tags::Column::Value.count(), "distinct")
        .filter(issue_tags::Column::IssueId.eq(issue_id))
        .group_by(issue_tags::Column::Key)
        .into_model::<Key>()
        .all(db)
        .await?;
    let mut keys: Vec<Key> = keys;
    keys.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    keys.truncate(MAX_TAG_KEYS);
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let values = issue_tags::Entity::find()
            .filter(issue_tags::Column::IssueId.eq(issue_id))
            .filter(issue_tags::Column::Key.eq(key.key.as_str()))
            .order_by_desc(issue_tags::Column::Count)
            .order_by_asc(issue_tags::Column::Value)
            .limit(MAX_TAG_VALUES)
            .all(db)
            .await?;
        out.push(TagCounts {
            key: key.key,
            total: key.total,
            distinct: key.distinct,
            values: values
                .into_iter()
                .map(|row| (row.value, row.count))
                .collect(),
        });
    }
    Ok(out)
}

fn event_view(row: events::Model) -> EventView {
    let detail = serde_json::from_str::<EventDetail>(&row.payload).unwrap_or_else(|error| {
        tracing::warn!(%error, event = row.id, "an event's stored payload did not decode");
        EventDetail::default()
    });
    EventView {
        id: row.id,
        event_id: row.event_id,
        ts: row.ts,
        received_at: row.received_at,
        level: Level::from_i16(row.level).unwrap_or(Level::Error),
        environment: row.environment,
        release: row.release,
        log_id: row.log_id,
        detail,
    }
}

/// `text` with LIKE's wildcards escaped (by `\`).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn like_pattern(pattern: &str) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')
}
