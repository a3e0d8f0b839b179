//! Alert rules of one app: saving, deleting, the overview and a rule's page, and test sends.
//! The caller has checked that the signed-in user owns the app; every query here is scoped
//! to it, so another app's rule id answers "not found".
mod form;
mod history;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub use form::{RuleForm, RuleSpec};
pub use history::HISTORY_ENTRIES;

use crate::{
    backend::{
        ServiceError,
        alerts::{
            Alerts, Notification, channels,
            evaluate::{self, channels_of},
            notification::{AppRef, IssueRef, RuleRef, Window},
            outbox::{self, NewEntry},
        },
        db::begin_write,
        entities::{alert_deliveries, alert_rules, apps, issues},
    },
    model::{
        alerts::{
            AlertsOverview, Comparison, EntryKind, RuleDetail, RuleKind, RuleState, RuleView,
            TestOutcome, describe, value_label,
        },
        issues::issue_href,
        query::format_rfc3339,
    },
};

/// Rules one app may have.
pub const MAX_RULES_PER_APP: u64 = 100;

fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// The app's rules with their state, and the app's latest history.
pub async fn overview(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
) -> Result<AlertsOverview, ServiceError> {
    let rules = alert_rules::Entity::find()
        .filter(alert_rules::Column::AppId.eq(app.id))
        .order_by_asc(alert_rules::Column::Name)
        .order_by_asc(alert_rules::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = rules.iter().map(|r| r.id).collect();
    let failing = history::failing(db, &ids).await?;
    Ok(AlertsOverview {
        rules: rules
            .into_iter()
            .map(|rule| {
                let failing = failing.get(&rule.id).copied().unwrap_or(0);
                rule_view(rule, failing)
            })
            .collect(),
        history: history::entries(db, app.id, None).await?,
        email_enabled: alerts.email_enabled(),
    })
}

/// Rule `rule_id` of the app with its history.
pub async fn detail(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
    rule_id: i64,
) -> Result<RuleDetail, ServiceError> {
    let rule = owned_rule(db, app.id, rule_id).await?;
    let failing = history::failing(db, &[rule.id]).await?;
    Ok(RuleDetail {
        history: history::entries(db, app.id, Some(rule.id)).await?,
        rule: rule_view(rule, failing.values().sum()),
        email_enabled: alerts.email_enabled(),
    })
}

async fn owned_rule(
    db: &impl sea_orm::ConnectionTrait,
    app_id: i64,
    rule_id: i64,
) -> Result<alert_rules::Model, ServiceError> {
    alert_rules::Entity::find_by_id(rule_id)
        .filter(alert_rules::Column::AppId.eq(app_id))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("alert rule {rule_id}")))
}

pub fn rule_view(rule: alert_rules::Model, failing_deliveries: u32) -> RuleView {
    let kind = RuleKind::parse(&rule.kind).unwrap_or(RuleKind::Threshold);
    RuleView {
        channels: channels_of(&rule).iter().map(|c| c.view()).collect(),
        id: rule.id,
        app_id: rule.app_id,
        name: rule.name,
        kind,
        query: rule.query,
        environment: rule.environment,
        window_minutes: rule.window_minutes.max(0) as u32,
        comparison: Comparison::parse(&rule.comparison).unwrap_or(Comparison::Above),
        threshold: rule.threshold,
        cooldown_minutes: rule.cooldown_minutes.max(0) as u32,
        enabled: rule.enabled,
        state: RuleState::parse(&rule.state).unwrap_or(RuleState::Ok),
        state_since_us: rule.state_since,
        last_value: rule.last_value,
        last_evaluated_us: rule.last_evaluated_at,
        failing_deliveries,
    }
}

/// Creates a rule (`rule_id` none) or changes one of the app's; answers its id. A rule whose
/// kind changes starts again from ok, and an issue rule only alerts on issues from now on.
pub async fn save(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
    rule_id: Option<i64>,
    form: RuleForm,
    now: DateTime<Utc>,
) -> Result<i64, ServiceError> {
    let now_us = micros(now);
    let txn = begin_write(db).await?;
    let existing = match rule_id {
        Some(id) => Some(owned_rule(&txn, app.id, id).await?),
        None => None,
    };
    let previous = existing.as_ref().map(channels_of).unwrap_or_default();
    let spec = form.check(&previous, alerts.email_enabled())?;
    let channels = serde_json::to_string(&spec.channels)
        .map_err(|e| ServiceError::invalid("webhook_url", e.to_string()))?;
    let restart = existing
        .as_ref()
        .is_none_or(|rule| rule.kind != spec.kind.as_str());
    let cursor = if restart {
        match spec.kind {
            RuleKind::NewIssue => issues::Entity::find()
                .select_only()
                .column_as(issues::Column::Id.max(), "max")
                .filter(issues::Column::AppId.eq(app.id))
                .into_tuple::<Option<i64>>()
                .one(&txn)
                .await?
                .flatten()
                .unwrap_or(0),
            RuleKind::Regression => now_us,
            _ => 0,
        }
    } else {
        existing.as_ref().map_or(0, |rule| rule.issue_cursor)
    };
    let mut model: alert_rules::ActiveModel = match existing {
        Some(rule) => rule.into(),
        None => {
            let count = alert_rules::Entity::find()
                .filter(alert_rules::Column::AppId.eq(app.id))
                .count(&txn)
                .await?;
            if count >= MAX_RULES_PER_APP {
                return Err(ServiceError::invalid(
                    "name",
                    format!("an app has at most {MAX_RULES_PER_APP} alert rules"),
                ));
            }
            alert_rules::ActiveModel {
                app_id: Set(app.id),
                created_at: Set(now_us),
                last_notified_at: Set(None),
                lease_owner: Set(None),
                lease_until: Set(None),
                ..Default::default()
            }
        }
    };
    if restart {
        model.state = Set(RuleState::Ok.as_str().into());
        model.state_since = Set(None);
        model.last_value = Set(None);
        model.last_evaluated_at = Set(None);
        model.issue_cursor = Set(cursor);
    }
    model.name = Set(spec.name);
    model.kind = Set(spec.kind.as_str().into());
    model.query = Set(spec.query);
    model.environment = Set(spec.environment);
    model.window_minutes = Set(spec.window_minutes as i32);
    model.comparison = Set(spec.comparison.as_str().into());
    model.threshold = Set(spec.threshold);
    model.cooldown_minutes = Set(spec.cooldown_minutes as i32);
    model.enabled = Set(spec.enabled);
    model.channels = Set(channels);
    model.updated_at = Set(now_us);
    let saved = model.save(&txn).await?;
    let id = saved.id.unwrap();
    txn.commit().await?;
    Ok(id)
}

/// Deletes rule `rule_id` of app `app_id` with its history.
pub async fn delete(
    db: &DatabaseConnection,
    app_id: i64,
    rule_id: i64,
) -> Result<(), ServiceError> {
    let deleted = alert_rules::Entity::delete_many()
        .filter(alert_rules::Column::Id.eq(rule_id))
        .filter(alert_rules::Column::AppId.eq(app_id))
        .exec(db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(ServiceError::NotFound(format!("alert rule {rule_id}")));
    }
    Ok(())
}

/// Sends a sample notification to each channel of the rule now, keeps it in the history as
/// a test, and answers how each channel took it. Window rules send their current value and
/// lines; issue rules the app's latest issue.
pub async fn send_test(
    db: &DatabaseConnection,
    alerts: &Alerts,
    app: &apps::Model,
    rule_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<TestOutcome>, ServiceError> {
    let now_us = micros(now);
    let rule = owned_rule(db, app.id, rule_id).await?;
    let kind = RuleKind::parse(&rule.kind).unwrap_or(RuleKind::Threshold);
    let comparison = Comparison::parse(&rule.comparison).unwrap_or(Comparison::Above);
    let condition = describe(
        kind,
        &rule.query,
        comparison,
        rule.threshold,
        rule.window_minutes.max(0) as u32,
    );
    let mut notification = Notification {
        event: EntryKind::Test,
        rule: RuleRef {
            id: rule.id,
            name: rule.name.clone(),
            kind,
            condition: condition.clone(),
        },
        app: AppRef {
            id: app.id,
            name: app.name.clone(),
        },
        summary: format!("A test of \"{}\" from Lodestar: {condition}", rule.name),
        value: None,
        value_label: None,
        threshold: None,
        window: None,
        issue: None,
        samples: Vec::new(),
        link: String::new(),
        at: format_rfc3339(now_us),
    };
    let link = if kind.has_window() {
        let measured = evaluate::measure(db, &rule, kind, now_us).await?;
        notification.value = Some(measured.value);
        notification.value_label = Some(value_label(kind, measured.value));
        notification.threshold = Some(rule.threshold);
        notification.window = Some(Window {
            start: format_rfc3339(measured.start_us),
            end: format_rfc3339(measured.end_us),
            minutes: rule.window_minutes.max(0) as u32,
        });
        notification.samples = evaluate::sample_lines(db, &rule, kind, &measured).await?;
        evaluate::lines_href(&rule, kind, measured.start_us, measured.end_us)
    } else {
        let latest = issues::Entity::find()
            .filter(issues::Column::AppId.eq(app.id))
            .order_by_desc(issues::Column::LastSeen)
            .one(db)
            .await?;
        match latest {
            Some(issue) => {
                notification.issue = Some(IssueRef {
                    id: issue.id,
                    title: issue.title.clone(),
                    culprit: issue.culprit.clone(),
                });
                issue_href(app.id, issue.id, None)
            }
            None => format!("/apps/{}/issues", app.id),
        }
    };
    notification.link = format!("{}{link}", alerts.public_url);
    let channels = channels_of(&rule);
    let entry = NewEntry {
        rule_id: rule.id,
        app_id: app.id,
        kind: EntryKind::Test,
        dedupe: format!("test:{now_us}:{}", crate::backend::secrets::random_hex(4)),
        value: notification.value,
        issue_id: notification.issue.as_ref().map(|i| i.id),
        summary: notification.summary.clone(),
        link,
        notification: notification.clone(),
        channels: channels.clone(),
        // Recorded as held, so the delivery task leaves them: they are sent here, once.
        notify: false,
    };
    let Some(event_id) = outbox::record(db, entry, now_us).await? else {
        return Err(ServiceError::Conflict(
            "a test is already being sent".into(),
        ));
    };
    let rows = alert_deliveries::Entity::find()
        .filter(alert_deliveries::Column::EventId.eq(event_id))
        .order_by_asc(alert_deliveries::Column::Id)
        .all(db)
        .await?;
    let mut outcomes = Vec::new();
    for (channel, row) in channels.iter().zip(rows) {
        let outcome = channels::send(alerts, channel, &notification, row.id).await;
        outbox::record_test(db, row.id, &outcome, now_us).await?;
        outcomes.push(TestOutcome {
            channel: channel.view(),
            ok: outcome.is_ok(),
            message: match outcome {
                Ok(message) | Err(message) => message,
            },
        });
    }
    Ok(outcomes)
}
