//! Evaluating rules at an instant the caller gives (the server's clock, or a test's).
//!
//! Window rules: the value over `[now - window, now)` is compared with the threshold; a rule
//! that is ok (or resolved) and breached fires, a firing one no longer breached resolves.
//! Both are notified, except that a firing within the cooldown of the last notification is
//! recorded with its deliveries held, and then so is its resolve.
//!
//! Issue rules: every issue created (new issue) or reopened (regression) since the rule's
//! cursor is an entry, notified unless the rule notified within its cooldown.
//!
//! Every rule is taken under a lease (a row update that succeeds for one server) before it is
//! evaluated, and its new state is written with its entries in one transaction, only while
//! the lease is still this server's.
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};

use super::{
    Alerts,
    notification::{AppRef, IssueRef, Notification, RuleRef, SampleLine, Window},
    outbox::{self, NewEntry},
};
use crate::{
    backend::{
        entities::{alert_rules, apps, issues},
        store::{self, LogFilter},
    },
    model::{
        alerts::{self as model, Channel, Comparison, EntryKind, RuleKind, RuleState},
        issues::issue_href,
        logs::{LogSearch, Range},
        query::{self, format_rfc3339},
    },
};

const SECOND_US: i64 = 1_000_000;
const MINUTE_US: i64 = 60 * SECOND_US;
/// How long a server holds a rule it evaluates.
const LEASE_US: i64 = 60 * SECOND_US;
/// Lines sent with a firing.
pub const SAMPLES: u32 = 5;
/// Issues one pass looks at per rule.
const ISSUES_PER_PASS: u64 = 100;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Rules evaluated.
    pub rules: usize,
    /// History entries recorded.
    pub entries: usize,
}

/// A window rule's value at an instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub value: f64,
    pub start_us: i64,
    pub end_us: i64,
}

/// What a window rule does after a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Stay,
    Fire { notify: bool },
    Resolve { notify: bool },
}

/// The rule's move from `state` given whether it is `breached` now.
pub fn step(rule: &alert_rules::Model, breached: bool, now_us: i64) -> Step {
    let state = RuleState::parse(&rule.state).unwrap_or(RuleState::Ok);
    match (state, breached) {
        (RuleState::Firing, false) => Step::Resolve {
            // The resolve is told where the firing was.
            notify: notified_since(rule, rule.state_since.unwrap_or(i64::MIN)),
        },
        (RuleState::Ok | RuleState::Resolved, true) => Step::Fire {
            notify: out_of_cooldown(rule.cooldown_minutes, rule.last_notified_at, now_us),
        },
        _ => Step::Stay,
    }
}

/// Whether a rule whose cooldown is `cooldown_minutes` and that last notified at
/// `last_notified` may notify at `now_us`.
fn out_of_cooldown(cooldown_minutes: i32, last_notified: Option<i64>, now_us: i64) -> bool {
    let cooldown = i64::from(cooldown_minutes.max(0)) * MINUTE_US;
    last_notified.is_none_or(|last| now_us.saturating_sub(last) >= cooldown)
}

fn notified_since(rule: &alert_rules::Model, since_us: i64) -> bool {
    rule.last_notified_at.is_some_and(|last| last >= since_us)
}

/// Measures a window rule over the window ending at `now_us`.
pub async fn measure(
    db: &DatabaseConnection,
    rule: &alert_rules::Model,
    kind: RuleKind,
    now_us: i64,
) -> Result<Measure, DbErr> {
    let minutes = i64::from(rule.window_minutes.clamp(
        model::MIN_WINDOW_MINUTES as i32,
        model::MAX_WINDOW_MINUTES as i32,
    ));
    let (start_us, end_us) = (now_us - minutes * MINUTE_US, now_us);
    let parsed = match kind {
        RuleKind::Threshold => query::parse(&rule.query)
            .map_err(|e| DbErr::Custom(format!("the rule's search does not parse: {e}")))?,
        _ => None,
    };
    let filter = LogFilter {
        app_id: rule.app_id,
        start_us,
        end_us,
        environment: rule.environment.as_deref(),
        query: parsed.as_ref(),
    };
    let histogram = store::histogram(db, &filter, 1).await?;
    let (all, errors) = (histogram.total(), histogram.errors());
    let value = match kind {
        RuleKind::ErrorRate if all == 0 => 0.0,
        RuleKind::ErrorRate => errors as f64 * 100.0 / all as f64,
        _ => all as f64,
    };
    Ok(Measure {
        value,
        start_us,
        end_us,
    })
}

/// Evaluates every enabled rule due at `now_us` (window rules measured at least `interval`
/// ago, and every issue rule).
pub async fn evaluate_due(
    db: &DatabaseConnection,
    alerts: &Alerts,
    now_us: i64,
) -> Result<Pass, DbErr> {
    let interval_us = i64::try_from(alerts.config.interval.as_micros()).unwrap_or(i64::MAX);
    let rules = alert_rules::Entity::find()
        .filter(alert_rules::Column::Enabled.eq(true))
        .order_by_asc(alert_rules::Column::Id)
        .all(db)
        .await?;
    let mut pass = Pass::default();
    for rule in rules {
        let Some(kind) = RuleKind::parse(&rule.kind) else {
            continue;
        };
        // A little early is on time: the ticks of the task drift.
        let due = rule
            .last_evaluated_at
            .is_none_or(|last| now_us - last >= interval_us - SECOND_US);
        if kind.has_window() && !due {
            continue;
        }
        match evaluate_rule(db, alerts, rule, kind, now_us).await {
            Ok(Some(entries)) => {
                pass.rules += 1;
                pass.entries += entries;
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "evaluating an alert rule failed; will retry"),
        }
    }
    Ok(pass)
}

/// Evaluates one rule if this server gets its lease; answers the entries recorded, or
/// `None` when another server holds the rule.
pub async fn evaluate_rule(
    db: &DatabaseConnection,
    alerts: &Alerts,
    rule: alert_rules::Model,
    kind: RuleKind,
    now_us: i64,
) -> Result<Option<usize>, DbErr> {
    if !lease(db, rule.id, &alerts.owner, now_us).await? {
        return Ok(None);
    }
    let Some(app) = apps::Entity::find_by_id(rule.app_id).one(db).await? else {
        return Ok(None);
    };
    let result = if kind.has_window() {
        window_rule(db, alerts, &app, &rule, kind, now_us).await
    } else {
        issue_rule(db, alerts, &app, &rule, kind, now_us).await
    };
    if result.is_err() {
        release(db, rule.id, &alerts.owner).await.ok();
    }
    result.map(Some)
}

async fn window_rule(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
    rule: &alert_rules::Model,
    kind: RuleKind,
    now_us: i64,
) -> Result<usize, DbErr> {
    let measured = measure(db, rule, kind, now_us).await?;
    let comparison = match kind {
        RuleKind::ErrorRate => Comparison::Above,
        _ => Comparison::parse(&rule.comparison).unwrap_or(Comparison::Above),
    };
    let breached = comparison.breached(measured.value, rule.threshold);
    let step = step(rule, breached, now_us);
    let txn = db.begin().await?;
    let mut update = settle(rule.id, &alerts.owner, now_us)
        .col_expr(alert_rules::Column::LastValue, Expr::value(measured.value));
    let entry = match step {
        Step::Stay => None,
        Step::Fire { notify } | Step::Resolve { notify } => {
            let (state, kind_of_entry, dedupe) = match step {
                Step::Fire { .. } => (
                    RuleState::Firing,
                    EntryKind::Fired,
                    format!("fired:{now_us}"),
                ),
                _ => (
                    RuleState::Resolved,
                    EntryKind::Resolved,
                    format!("resolved:{}", rule.state_since.unwrap_or_default()),
                ),
            };
            update = update
                .col_expr(alert_rules::Column::State, Expr::value(state.as_str()))
                .col_expr(alert_rules::Column::StateSince, Expr::value(now_us));
            if notify {
                update = update.col_expr(alert_rules::Column::LastNotifiedAt, Expr::value(now_us));
            }
            let samples = if kind_of_entry == EntryKind::Fired {
                sample_lines(db, rule, kind, &measured).await?
            } else {
                Vec::new()
            };
            Some(window_entry(
                alerts,
                app,
                rule,
                kind,
                comparison,
                &measured,
                kind_of_entry,
                dedupe,
                samples,
                notify,
                now_us,
            ))
        }
    };
    if update.exec(&txn).await?.rows_affected != 1 {
        // The lease ran out and another server took the rule over.
        return Ok(0);
    }
    let mut recorded = 0;
    if let Some(entry) = entry {
        let notify = entry.notify;
        if outbox::record(&txn, entry, now_us).await?.is_some() {
            recorded = 1;
        }
        txn.commit().await?;
        if notify {
            alerts.deliveries_waiting.notify_one();
        }
    } else {
        txn.commit().await?;
    }
    Ok(recorded)
}

/// The lines a window rule counted, newest first (error rates: the errors).
pub async fn sample_lines(
    db: &DatabaseConnection,
    rule: &alert_rules::Model,
    kind: RuleKind,
    measured: &Measure,
) -> Result<Vec<SampleLine>, DbErr> {
    let watched = model::watched_query(kind, &rule.query);
    let parsed = query::parse(&watched).ok().flatten();
    let filter = LogFilter {
        app_id: rule.app_id,
        start_us: measured.start_us,
        end_us: measured.end_us,
        environment: rule.environment.as_deref(),
        query: parsed.as_ref(),
    };
    let page = store::page(db, &filter, None, SAMPLES).await?;
    Ok(page.lines.iter().map(SampleLine::from_row).collect())
}

/// The log view of what a window rule watched over `measured`'s window.
pub fn lines_href(rule: &alert_rules::Model, kind: RuleKind, start_us: i64, end_us: i64) -> String {
    let search = LogSearch {
        q: model::watched_query(kind, &rule.query),
        range: Range::Between { start_us, end_us },
        environment: rule.environment.clone(),
    };
    format!("/apps/{}{}", rule.app_id, search.query_string())
}

#[allow(clippy::too_many_arguments)]
fn window_entry(
    alerts: &Alerts,
    app: &apps::Model,
    rule: &alert_rules::Model,
    kind: RuleKind,
    comparison: Comparison,
    measured: &Measure,
    entry: EntryKind,
    dedupe: String,
    samples: Vec<SampleLine>,
    notify: bool,
    now_us: i64,
) -> NewEntry {
    let condition = model::describe(
        kind,
        &rule.query,
        comparison,
        rule.threshold,
        rule.window_minutes.max(0) as u32,
    );
    let value_label = model::value_label(kind, measured.value);
    let summary = match entry {
        EntryKind::Resolved => format!("Back to normal: {value_label} ({condition})"),
        _ => format!("{value_label}: {condition}"),
    };
    let link = lines_href(rule, kind, measured.start_us, measured.end_us);
    let notification = Notification {
        event: entry,
        rule: RuleRef {
            id: rule.id,
            name: rule.name.clone(),
            kind,
            condition,
        },
        app: AppRef {
            id: app.id,
            name: app.name.clone(),
        },
        summary: summary.clone(),
        value: Some(measured.value),
        value_label: Some(value_label),
        threshold: Some(rule.threshold),
        window: Some(Window {
            start: format_rfc3339(measured.start_us),
            end: format_rfc3339(measured.end_us),
            minutes: rule.window_minutes.max(0) as u32,
        }),
        issue: None,
        samples,
        link: format!("{}{link}", alerts.public_url),
        at: format_rfc3339(now_us),
    };
    NewEntry {
        rule_id: rule.id,
        app_id: rule.app_id,
        kind: entry,
        dedupe,
        value: Some(measured.value),
        issue_id: None,
        summary,
        link,
        notification,
        channels: channels_of(rule),
        notify,
    }
}

/// The rule's channels; unreadable ones (never written so) are left out.
pub fn channels_of(rule: &alert_rules::Model) -> Vec<Channel> {
    serde_json::from_str(&rule.channels).unwrap_or_default()
}

async fn issue_rule(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
    rule: &alert_rules::Model,
    kind: RuleKind,
    now_us: i64,
) -> Result<usize, DbErr> {
    let mut find = issues::Entity::find().filter(issues::Column::AppId.eq(rule.app_id));
    find = match kind {
        RuleKind::NewIssue => find
            .filter(issues::Column::Id.gt(rule.issue_cursor))
            .order_by_asc(issues::Column::Id),
        _ => find
            .filter(issues::Column::RegressedAt.gt(rule.issue_cursor))
            .order_by_asc(issues::Column::RegressedAt),
    };
    let found = find.limit(ISSUES_PER_PASS).all(db).await?;
    if found.is_empty() {
        release(db, rule.id, &alerts.owner).await?;
        return Ok(0);
    }
    let txn = db.begin().await?;
    let mut cursor = rule.issue_cursor;
    let mut last_notified = rule.last_notified_at;
    let mut recorded = 0;
    let mut notified = false;
    for issue in &found {
        let (dedupe, position) = match kind {
            RuleKind::NewIssue => (format!("issue:{}", issue.id), issue.id),
            _ => {
                let at = issue.regressed_at.unwrap_or_default();
                (format!("regression:{}:{at}", issue.id), at)
            }
        };
        cursor = cursor.max(position);
        let notify = out_of_cooldown(rule.cooldown_minutes, last_notified, now_us);
        let entry = issue_entry(alerts, app, rule, kind, issue, dedupe, notify, now_us);
        if outbox::record(&txn, entry, now_us).await?.is_some() {
            recorded += 1;
            if notify {
                last_notified = Some(now_us);
                notified = true;
            }
        }
    }
    let mut update = settle(rule.id, &alerts.owner, now_us)
        .col_expr(alert_rules::Column::IssueCursor, Expr::value(cursor));
    if let Some(last) = last_notified {
        update = update.col_expr(alert_rules::Column::LastNotifiedAt, Expr::value(last));
    }
    if recorded > 0 {
        update = update
            .col_expr(alert_rules::Column::StateSince, Expr::value(now_us))
            .col_expr(alert_rules::Column::LastValue, Expr::value(recorded as f64));
    }
    if update.exec(&txn).await?.rows_affected != 1 {
        return Ok(0);
    }
    txn.commit().await?;
    if notified {
        alerts.deliveries_waiting.notify_one();
    }
    Ok(recorded)
}

#[allow(clippy::too_many_arguments)]
fn issue_entry(
    alerts: &Alerts,
    app: &apps::Model,
    rule: &alert_rules::Model,
    kind: RuleKind,
    issue: &issues::Model,
    dedupe: String,
    notify: bool,
    now_us: i64,
) -> NewEntry {
    let condition = model::describe(kind, "", Comparison::Above, 0.0, 0);
    let summary = match kind {
        RuleKind::NewIssue => format!("New issue: {}", issue.title),
        _ => format!("Regression: {}", issue.title),
    };
    let link = issue_href(app.id, issue.id, None);
    let notification = Notification {
        event: EntryKind::Fired,
        rule: RuleRef {
            id: rule.id,
            name: rule.name.clone(),
            kind,
            condition,
        },
        app: AppRef {
            id: app.id,
            name: app.name.clone(),
        },
        summary: summary.clone(),
        value: None,
        value_label: None,
        threshold: None,
        window: None,
        issue: Some(IssueRef {
            id: issue.id,
            title: issue.title.clone(),
            culprit: issue.culprit.clone(),
        }),
        samples: Vec::new(),
        link: format!("{}{link}", alerts.public_url),
        at: format_rfc3339(now_us),
    };
    NewEntry {
        rule_id: rule.id,
        app_id: rule.app_id,
        kind: EntryKind::Fired,
        dedupe,
        value: None,
        issue_id: Some(issue.id),
        summary,
        link,
        notification,
        channels: channels_of(rule),
        notify,
    }
}

/// Takes rule `id` for `owner` until `now + LEASE`, unless another server holds it.
pub async fn lease(
    db: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now_us: i64,
) -> Result<bool, DbErr> {
    let taken = alert_rules::Entity::update_many()
        .col_expr(alert_rules::Column::LeaseOwner, Expr::value(owner))
        .col_expr(
            alert_rules::Column::LeaseUntil,
            Expr::value(now_us + LEASE_US),
        )
        .filter(alert_rules::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(alert_rules::Column::LeaseUntil.is_null())
                .add(alert_rules::Column::LeaseUntil.lt(now_us))
                .add(alert_rules::Column::LeaseOwner.eq(owner)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Gives rule `id`'s lease back, if `owner` still holds it.
async fn release(db: &impl ConnectionTrait, id: i64, owner: &str) -> Result<(), DbErr> {
    unlease(id, owner).exec(db).await?;
    Ok(())
}

/// The update that ends `owner`'s lease on rule `id` (it changes nothing once another
/// server took the rule over).
fn unlease(id: i64, owner: &str) -> sea_orm::UpdateMany<alert_rules::Entity> {
    alert_rules::Entity::update_many()
        .col_expr(
            alert_rules::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            alert_rules::Column::LeaseUntil,
            Expr::value(Option::<i64>::None),
        )
        .filter(alert_rules::Column::Id.eq(id))
        .filter(alert_rules::Column::LeaseOwner.eq(owner))
}

/// [`unlease`], recording that the rule was evaluated at `now_us`.
fn settle(id: i64, owner: &str, now_us: i64) -> sea_orm::UpdateMany<alert_rules::Entity> {
    unlease(id, owner).col_expr(alert_rules::Column::LastEvaluatedAt, Expr::value(now_us))
}
