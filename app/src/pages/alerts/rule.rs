//! `/apps/{id}/alerts/new`: the form for a new rule, pre-filled from the log view's search.
//! `/apps/{id}/alerts/{rule}`: one rule: where it stands, "Send test" with each channel's
//! answer in place, deleting it, its settings and its history.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{
    FailingBadge, LocalTime, StateBadge, ZoneNote,
    form::{Prefill, RuleForm},
    history::AlertHistory,
    use_offset_min,
};
use crate::{
    api::{
        AppError,
        alerts::{DeleteAlertRule, SaveAlertRule, SendTestAlert, get_alert_rule, list_alerts},
    },
    components::{AppNotFound, AppTabs, FormError, use_app_id, use_hydrated},
    model::{
        alerts::{RuleDetail, RuleView, TestOutcome, alerts_href, rule_href},
        apps::AppView,
    },
};

#[component]
pub fn NewRule() -> impl IntoView {
    let app_id = use_app_id();
    let params = use_query_map();
    let prefill = Memo::new(move |_| {
        params.with(|p| Prefill {
            query: p.get("q").unwrap_or_default(),
            environment: p.get("environment").filter(|e| !e.trim().is_empty()),
        })
    });
    let save = ServerAction::<SaveAlertRule>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(rule_id)) = save.value().get()
            && let Some(app) = app_id.get_untracked()
        {
            navigate(&rule_href(app, rule_id), Default::default());
        }
    });
    // The overview only for the app (the tabs) and whether email can be sent.
    let data = Resource::new(
        move || (app_id.get(), prefill.get()),
        |(id, prefill)| async move {
            let (app, overview) = list_alerts(id.ok_or(AppError::NotFound)?).await?;
            Ok::<_, AppError>((app, overview.email_enabled, prefill))
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((app, email_enabled, prefill)) => view! {
                        <Title text="New alert rule"/>
                        <AppTabs app_id=app.id name=app.name.clone() description=app.description.clone()/>
                        <section class="card rule-settings" aria-labelledby="new-rule-title">
                            <p class="eyebrow"><a href=alerts_href(app.id)>"Alerts"</a>" / new"</p>
                            <h2 id="new-rule-title" class="rule-page-title">"New alert rule"</h2>
                            <RuleForm app_id=app.id rule=None prefill email_enabled save/>
                        </section>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! {
                        <Title text="New alert rule"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn RulePage(
    /// The path's rule id; `None` when it is not a number.
    rule_id: Option<i64>,
) -> impl IntoView {
    let app_id = use_app_id();
    let offset_min = use_offset_min();
    let save = ServerAction::<SaveAlertRule>::new();
    let test = ServerAction::<SendTestAlert>::new();
    let delete = ServerAction::<DeleteAlertRule>::new();
    // Read again after a save that went through; a refused one keeps what was typed.
    let saved = RwSignal::new(0u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            saved.update(|n| *n += 1);
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(())))
            && let Some(app) = app_id.get_untracked()
        {
            navigate(&alerts_href(app), Default::default());
        }
    });
    // One server call per read (see the issue list's `load`).
    let data = Resource::new(
        move || (app_id.get(), saved.get()),
        move |(app, _)| async move {
            match (app, rule_id) {
                (Some(app), Some(rule)) => get_alert_rule(app, rule).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((app, detail)) => view! { <Rule app detail save test delete offset_min/> }.into_any(),
                    // The app's and the rule's absence look the same (another user's app
                    // answers the same): the way back is the app's alerts either way.
                    Err(AppError::NotFound) => view! { <RuleMissing app_id=app_id.get_untracked()/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Alert rule"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RuleMissing(app_id: Option<i64>) -> impl IntoView {
    view! {
        <Title text="Alert rule not found"/>
        <section class="empty-state card">
            <h1>"Alert rule not found"</h1>
            <p>"It may have been deleted, or the app is not yours."</p>
            <p class="actions">
                {app_id.map(|app| view! { <a class="button" href=alerts_href(app)>"Back to the alerts"</a> })}
                <a class="button button-ghost" href="/dashboard">"Your apps"</a>
            </p>
        </section>
    }
}

#[component]
fn Rule(
    app: AppView,
    detail: RuleDetail,
    save: ServerAction<SaveAlertRule>,
    test: ServerAction<SendTestAlert>,
    delete: ServerAction<DeleteAlertRule>,
    offset_min: RwSignal<i32>,
) -> impl IntoView {
    let RuleDetail {
        rule,
        history,
        email_enabled,
    } = detail;
    let app_id = app.id;
    let rule_id = rule.id;
    // A test adds an entry: the history is read again without re-rendering the form, which
    // may hold changes not saved yet.
    let history = RwSignal::new(history);
    let reload = Action::new(move |_: &()| async move { get_alert_rule(app_id, rule_id).await });
    Effect::new(move |ran: Option<()>| {
        let tested = matches!(test.value().get(), Some(Ok(_)));
        if ran.is_some() && tested {
            reload.dispatch(());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((_, detail))) = reload.value().get() {
            history.set(detail.history);
        }
    });
    view! {
        <Title text=rule.name.clone()/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <RuleHeader rule=rule.clone() test delete offset_min/>
        <section class="card rule-settings" aria-labelledby="settings-title">
            <h2 id="settings-title" class="card-title">"Settings"</h2>
            <RuleForm app_id rule=Some(rule) prefill=Prefill::default() email_enabled save/>
        </section>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title" class="card-title">"History"</h2>
            <AlertHistory app_id entries=history offset_min/>
            <ZoneNote offset_min/>
        </section>
    }
}

/// The rule's name, condition and state, with "Send test" and "Delete…".
#[component]
fn RuleHeader(
    rule: RuleView,
    test: ServerAction<SendTestAlert>,
    delete: ServerAction<DeleteAlertRule>,
    offset_min: RwSignal<i32>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let (app_id, rule_id) = (rule.app_id, rule.id);
    // The test's answer exists only in page memory: the button waits for the page's code.
    let testing = move || !hydrated.get() || test.pending().get();
    let deleting = delete.pending();
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let failing = rule.failing_deliveries;
    let last_value = rule
        .last_value
        .filter(|_| rule.kind.has_window())
        .map(|v| rule.value_label(v));
    view! {
        <section class="card rule-header" aria-labelledby="rule-title">
            <div class="rule-heading">
                <div class="rule-heading-text">
                    <p class="eyebrow">
                        <a href=alerts_href(app_id)>"Alerts"</a>
                        {format!(" / #{rule_id}")}
                    </p>
                    <h2 id="rule-title" class="rule-page-title">{rule.name.clone()}</h2>
                    <p class="rule-condition">
                        {rule.condition()}
                        {rule.environment.clone().map(|env| view! { <span class="mono muted">{format!(" · env:{env}")}</span> })}
                    </p>
                    <p class="rule-badges">
                        <StateBadge state=rule.state/>
                        {rule.state_since_us.map(|at| view! {
                            <span class="rule-since">"since " <LocalTime at_us=at offset_min/></span>
                        })}
                        {(!rule.enabled).then(|| view! { <span class="badge rule-disabled">"Disabled"</span> })}
                        <FailingBadge failing/>
                    </p>
                </div>
                <div class="rule-actions">
                    <ActionForm action=test>
                        <input type="hidden" name="app_id" value=app_id/>
                        <input type="hidden" name="rule_id" value=rule_id/>
                        <button class="button button-small" type="submit" disabled=testing>
                            {move || if test.pending().get() { "Sending…" } else { "Send test" }}
                        </button>
                    </ActionForm>
                    <details class="confirm">
                        <summary class="button button-small button-ghost">"Delete…"</summary>
                        <ActionForm action=delete attr:class="confirm-panel">
                            <input type="hidden" name="app_id" value=app_id/>
                            <input type="hidden" name="rule_id" value=rule_id/>
                            <p>{format!("Delete “{}” and its history? It stops notifying at once. This cannot be undone.", rule.name)}</p>
                            <button class="button button-danger button-small" type="submit" disabled=deleting>"Delete rule"</button>
                        </ActionForm>
                    </details>
                </div>
            </div>
            <FormError error=delete_error/>
            <TestOutcomes test/>
            <dl class="detail-list rule-facts">
                {last_value.map(|v| view! { <dt>"Last value"</dt><dd>{v}</dd> })}
                {rule.last_evaluated_us.map(|at| view! { <dt>"Last checked"</dt><dd><LocalTime at_us=at offset_min/></dd> })}
                <dt>"Cooldown"</dt>
                <dd>{match rule.cooldown_minutes { 0 => "none".to_string(), 1 => "1 minute".to_string(), n => format!("{n} minutes") }}</dd>
                <dt>"Notifies"</dt>
                <dd>
                    {if rule.channels.is_empty() {
                        "no channel yet".to_string()
                    } else {
                        rule.channels.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
                    }}
                </dd>
            </dl>
        </section>
    }
}

/// What "Send test" did on each channel, in place.
#[component]
fn TestOutcomes(test: ServerAction<SendTestAlert>) -> impl IntoView {
    let outcome = |outcome: TestOutcome| {
        let (tone, label) = if outcome.ok {
            ("badge badge-ok", "OK")
        } else {
            ("badge badge-danger", "Failed")
        };
        view! {
            <li class="test-outcome" data-ok=outcome.ok.to_string()>
                <span class=format!("{tone} test-outcome-status")>{label}</span>
                <span class="delivery-channel">{outcome.channel.label()}</span>
                <span class="delivery-target mono">{outcome.channel.target.clone()}</span>
                <span class="test-outcome-message" class:delivery-error=!outcome.ok>{outcome.message.clone()}</span>
            </li>
        }
    };
    move || match test.value().get() {
        None => None,
        Some(Ok(outcomes)) if outcomes.is_empty() => Some(
            view! {
                <p class="alert alert-warn" role="status">
                    "This rule has no channel to send to: add one under Channels and save."
                </p>
            }
            .into_any(),
        ),
        Some(Ok(outcomes)) => Some(
            view! {
                <div class="test-result" role="status">
                    <h3 class="detail-heading">"Test sent"</h3>
                    <ul class="test-outcomes" aria-label="Test results">
                        {outcomes.into_iter().map(outcome).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
        ),
        Some(Err(error)) => Some(
            view! { <p class="alert alert-danger" role="alert">{error.to_string()}</p> }.into_any(),
        ),
    }
}
