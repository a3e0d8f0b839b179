//! `/apps/{id}/alerts`: the app's rules (what fires each, where it stands, where it
//! notifies) and the latest history of all of them.
use leptos::prelude::*;
use leptos_meta::Title;

use super::{FailingBadge, LocalTime, StateBadge, ZoneNote, history::AlertHistory, use_offset_min};
use crate::{
    api::{AppError, alerts::list_alerts},
    components::{AppNotFound, AppTabs, use_app_id},
    model::{
        alerts::{AlertsOverview, RuleState, RuleView, new_rule_href, rule_href},
        apps::AppView,
        logs::LogSearch,
    },
};

#[component]
pub fn AlertList() -> impl IntoView {
    let app_id = use_app_id();
    let offset_min = use_offset_min();
    let data = Resource::new(
        move || app_id.get(),
        |id| async move { list_alerts(id.ok_or(AppError::NotFound)?).await },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((app, overview)) => view! { <Alerts app overview offset_min/> }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Alerts"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Alerts(app: AppView, overview: AlertsOverview, offset_min: RwSignal<i32>) -> impl IntoView {
    let app_id = app.id;
    let AlertsOverview { rules, history, .. } = overview;
    let new_href = new_rule_href(app_id, &LogSearch::default());
    let has_rules = !rules.is_empty();
    let body = if has_rules {
        view! { <RuleTable app_id rules offset_min/> }.into_any()
    } else {
        view! { <NoRules app_id new_href=new_href.clone()/> }.into_any()
    };
    view! {
        <Title text=format!("{} alerts", app.name)/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <section class="alert-rules" aria-labelledby="rules-title">
            <header class="alert-rules-header">
                <h2 id="rules-title" class="card-title">"Alert rules"</h2>
                {has_rules.then(|| view! {
                    <a class="button button-primary button-small" href=new_href.clone()>"New alert rule"</a>
                })}
            </header>
            {body}
        </section>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title" class="card-title">"History"</h2>
            <AlertHistory app_id entries=history offset_min/>
            <ZoneNote offset_min/>
        </section>
    }
}

/// No rule yet: what rules do, and the two ways to start one.
#[component]
fn NoRules(app_id: i64, new_href: String) -> impl IntoView {
    view! {
        <div class="empty-state alerts-empty">
            <span class="status-dot tone-idle" aria-hidden="true"></span>
            <h3>"No alert rules yet"</h3>
            <p>
                "A rule watches this app and tells a webhook, Slack or an inbox when something needs you: "
                "more (or fewer) lines matching a search than you expect, a climbing error rate, "
                "a new kind of error or one that comes back after it was resolved."
            </p>
            <p class="actions">
                <a class="button button-primary" href=new_href>"New alert rule"</a>
            </p>
            <p class="field-hint">
                "Tip: " <strong>"Set alert"</strong> " on the "
                <a href=format!("/apps/{app_id}")>"log view"</a>
                " starts a rule from the search you are looking at."
            </p>
        </div>
    }
}

#[component]
fn RuleTable(app_id: i64, rules: Vec<RuleView>, offset_min: RwSignal<i32>) -> impl IntoView {
    let rows = rules
        .into_iter()
        .map(|rule| view! { <RuleRow app_id rule offset_min/> })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table rule-table">
                <thead>
                    <tr>
                        <th scope="col">"Rule"</th>
                        <th scope="col" class="col-state">"State"</th>
                        <th scope="col" class="num">"Last value"</th>
                        <th scope="col" class="col-channels">"Channels"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <ZoneNote offset_min/>
    }
}

#[component]
fn RuleRow(app_id: i64, rule: RuleView, offset_min: RwSignal<i32>) -> impl IntoView {
    let since = match (rule.state, rule.state_since_us) {
        (_, Some(at)) => {
            view! { <span class="rule-since">"since " <LocalTime at_us=at offset_min/></span> }
                .into_any()
        }
        (RuleState::Ok, None) => view! { <span class="rule-since">"never fired"</span> }.into_any(),
        (_, None) => ().into_any(),
    };
    let last_value = match (rule.kind.has_window(), rule.last_value) {
        (true, Some(value)) => rule.value_label(value),
        _ => "—".to_string(),
    };
    let failing = rule.failing_deliveries;
    let channels = if rule.channels.is_empty() {
        view! { <span class="muted">"None"</span> }.into_any()
    } else {
        rule.channels
            .iter()
            .map(|channel| {
                view! {
                    <span class="badge badge-secondary channel-badge" title=channel.target.clone()>
                        {channel.label()}
                    </span>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <tr class:is-disabled=!rule.enabled>
            <td class="rule-cell">
                <a class="rule-name" href=rule_href(app_id, rule.id)>{rule.name.clone()}</a>
                <p class="rule-meta">
                    <span class="rule-condition">{rule.condition()}</span>
                    {rule.environment.clone().map(|env| view! { <span class="mono muted">{format!("env:{env}")}</span> })}
                    {(!rule.enabled).then(|| view! { <span class="badge rule-disabled">"Disabled"</span> })}
                    <FailingBadge failing/>
                </p>
            </td>
            <td class="col-state">
                <div class="rule-state-cell">
                    <StateBadge state=rule.state/>
                    {since}
                </div>
            </td>
            <td class="num">{last_value}</td>
            <td class="col-channels">
                <div class="channel-badges">{channels}</div>
            </td>
        </tr>
    }
}
