//! `/apps/{id}/issues/{issue}`: one issue and one of its events (`event`: `newest` when
//! absent, `oldest`, or an event's id), with the way to the others, the exception chain and
//! its stack traces, breadcrumbs, tags and the request. Everything the SDK sent is text.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{
    LevelBadge, StatusBadges,
    event_context::{Breadcrumbs, Contexts, Grouping, RequestSection, Runtime, Tags, UserSection},
    exception::{Exceptions, StackTrace},
};
use crate::{
    api::{
        AppError,
        issues::{UpdateIssues, get_issue},
    },
    components::{AppTabs, use_app_id, use_hydrated},
    model::{
        apps::{AppView, ago, compact_count},
        issues::{
            EventNav, EventView, IssueAction, IssueSummary, IssueView, issue_href, issue_list_href,
        },
        logs::{LogSearch, Range},
        query::format_rfc3339,
    },
};

/// Around an event's instant, the span its log line is looked for in.
const LOG_WINDOW_US: i64 = 5 * 60 * 1_000_000;

#[component]
pub fn Issue() -> impl IntoView {
    let app_id = use_app_id();
    let params = use_params_map();
    let issue_id = Memo::new(move |_| {
        params
            .read()
            .get("issue_id")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let query = use_query_map();
    let event = Memo::new(move |_| query.read().get("event").filter(|e| !e.is_empty()));
    let status = ServerAction::<UpdateIssues>::new();
    let delete = ServerAction::<UpdateIssues>::new();
    // One server call per read (see the list's `load`).
    let data = Resource::new(
        move || {
            (
                app_id.get(),
                issue_id.get(),
                event.get(),
                status.version().get(),
            )
        },
        |(app, issue, event, _)| async move {
            match (app, issue) {
                (Some(app), Some(issue)) => get_issue(app, issue, event).await,
                _ => Err(AppError::NotFound),
            }
        },
    );
    let navigate = use_navigate();
    Effect::new(move |_| {
        if matches!(delete.value().get(), Some(Ok(())))
            && let Some(app) = app_id.get_untracked()
        {
            navigate(&issue_list_href(app, "", 0), Default::default());
        }
    });
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((app, view)) => view! { <IssueDetail app view status delete/> }.into_any(),
                    // The app's and the issue's absence look the same (another user's app
                    // answers the same): the way back is the app's list either way.
                    Err(AppError::NotFound) => view! { <IssueMissing app_id=app_id.get_untracked()/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Issue"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IssueMissing(app_id: Option<i64>) -> impl IntoView {
    view! {
        <Title text="Issue not found"/>
        <section class="empty-state card">
            <h1>"Issue not found"</h1>
            <p>"It may have been deleted, the event asked for may be gone, or the app is not yours."</p>
            <p class="actions">
                {app_id.map(|app| view! { <a class="button" href=issue_list_href(app, "", 0)>"Back to the issues"</a> })}
                <a class="button button-ghost" href="/dashboard">"Your apps"</a>
            </p>
        </section>
    }
}

#[component]
fn IssueDetail(
    app: AppView,
    view: IssueView,
    status: ServerAction<UpdateIssues>,
    delete: ServerAction<UpdateIssues>,
) -> impl IntoView {
    let IssueView {
        issue,
        grouping,
        event,
        nav,
        tags,
        as_of_us,
    } = view;
    let app_id = app.id;
    // Sentry's order: what broke first, then the tags, then where it ran.
    let (broke, ran) = match event.clone() {
        Some(event) => {
            let detail = event.detail;
            let trace = if !detail.exceptions.is_empty() {
                Some(view! { <Exceptions exceptions=detail.exceptions.clone()/> }.into_any())
            } else if !detail.thread_frames.is_empty() {
                Some(view! { <StackTrace frames=detail.thread_frames.clone()/> }.into_any())
            } else {
                None
            };
            let message = detail
                .message
                .clone()
                .filter(|m| !m.is_empty())
                .map(|message| {
                    view! {
                        <section class="card" aria-labelledby="message-title">
                            <h2 id="message-title" class="card-title">"Message"</h2>
                            <pre class="mono detail-message">{message}</pre>
                        </section>
                    }
                });
            let broke = view! {
                {trace}
                {message}
                <Breadcrumbs crumbs=detail.breadcrumbs.clone()/>
            };
            let ran = view! {
                <RequestSection request=detail.request.clone()/>
                <UserSection user=detail.user.clone()/>
                <Contexts contexts=detail.contexts.clone() extra=detail.extra.clone()/>
                <Runtime app_id detail/>
            };
            (Some(broke), Some(ran))
        }
        None => (None, None),
    };
    let event_tags = event
        .as_ref()
        .map(|e| e.detail.tags.clone())
        .unwrap_or_default();
    let fingerprint = event
        .as_ref()
        .map(|e| e.detail.fingerprint.clone())
        .unwrap_or_default();
    view! {
        <Title text=issue.title.clone()/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <IssueHeader app_id issue=issue.clone() as_of_us status delete/>
        <EventCard app_id issue=issue.clone() event nav as_of_us/>
        {broke}
        <Tags event_tags counts=tags/>
        {ran}
        <Grouping grouping fingerprint/>
    }
}

/// Title, culprit, where the issue stands, its numbers and what can be done with it.
#[component]
fn IssueHeader(
    app_id: i64,
    issue: IssueSummary,
    as_of_us: i64,
    status: ServerAction<UpdateIssues>,
    delete: ServerAction<UpdateIssues>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let busy = move || !hydrated.get() || status.pending().get() || delete.pending().get();
    let issue_id = issue.id;
    let buttons = [
        IssueAction::Resolve,
        IssueAction::Ignore,
        IssueAction::Reopen,
    ]
    .into_iter()
    .filter(|action| action.applies_to(issue.status))
    .map(|action| {
        let primary = action == IssueAction::Resolve;
        view! {
            <button type="button" class="button button-small" class:button-primary=primary disabled=busy
                on:click=move |_| {
                    status.dispatch(UpdateIssues { app_id, ids: vec![issue_id], action: action.as_str().into() });
                }>
                {action.label()}
            </button>
        }
    })
    .collect_view();
    let error = move || {
        let failed =
            |action: ServerAction<UpdateIssues>| action.value().get().and_then(Result::err);
        failed(status).or_else(|| failed(delete))
    };
    let seen = |at: i64| {
        view! { <time datetime=format_rfc3339(at) title=format_rfc3339(at)>{ago(as_of_us, at)}</time> }
    };
    let events = issue.events;
    view! {
        <section class="card issue-header" aria-labelledby="issue-title">
            <div class="issue-heading">
                <div class="issue-heading-text">
                    <p class="eyebrow">
                        <a href=issue_list_href(app_id, "", 0)>"Issues"</a>
                        {format!(" / #{issue_id}")}
                    </p>
                    <h2 id="issue-title" class="issue-page-title">{issue.title.clone()}</h2>
                    {(!issue.culprit.is_empty()).then(|| view! { <p class="issue-culprit mono">{issue.culprit.clone()}</p> })}
                    <p class="issue-badges">
                        <LevelBadge level=issue.level/>
                        <StatusBadges status=issue.status regressed=issue.regressed/>
                    </p>
                </div>
                <div class="issue-actions">
                    {buttons}
                    <details class="confirm">
                        <summary class="button button-small button-ghost">"Delete…"</summary>
                        <div class="confirm-panel">
                            <p>{format!(
                                "Delete this issue and its {} event{}? Their log lines stay, unlinked. This cannot be undone.",
                                compact_count(events), if events == 1 { "" } else { "s" }
                            )}</p>
                            <button type="button" class="button button-danger button-small" disabled=busy
                                on:click=move |_| {
                                    delete.dispatch(UpdateIssues { app_id, ids: vec![issue_id], action: IssueAction::Delete.as_str().into() });
                                }>
                                "Delete issue"
                            </button>
                        </div>
                    </details>
                </div>
            </div>
            {move || error().map(|e| view! { <p class="alert alert-danger" role="alert">{e.to_string()}</p> })}
            <dl class="stats issue-stats">
                <div><dt>"Events"</dt><dd class="stat-value">{compact_count(issue.events)}</dd></div>
                <div><dt>"Users"</dt><dd class="stat-value">{compact_count(issue.users)}</dd></div>
                <div><dt>"First seen"</dt><dd class="stat-value stat-text">{seen(issue.first_seen_us)}</dd></div>
                <div><dt>"Last seen"</dt><dd class="stat-value stat-text">{seen(issue.last_seen_us)}</dd></div>
            </dl>
        </section>
    }
}

/// Which event this is, the way to its neighbours, and its headline fields.
#[component]
fn EventCard(
    app_id: i64,
    issue: IssueSummary,
    event: Option<EventView>,
    nav: EventNav,
    as_of_us: i64,
) -> impl IntoView {
    let issue_id = issue.id;
    let Some(event) = event else {
        return view! {
            <section class="card" aria-labelledby="event-title">
                <h2 id="event-title" class="card-title">"Events"</h2>
                <p class="muted">"None of this issue's events is stored any more."</p>
            </section>
        }
        .into_any();
    };
    let link = |target: Option<i64>, label: &'static str, rel: Option<&'static str>| match target
        .filter(|id| *id != event.id)
    {
        Some(id) => view! {
            <a class="segment" href=issue_href(app_id, issue_id, Some(id)) rel=rel>{label}</a>
        }
        .into_any(),
        None => view! { <span class="segment" aria-disabled="true">{label}</span> }.into_any(),
    };
    let log_href = event.log_id.map(|_| {
        let search = LogSearch {
            q: format!("issue:{issue_id}"),
            range: Range::Between {
                start_us: event.ts - LOG_WINDOW_US,
                end_us: event.ts + LOG_WINDOW_US,
            },
            environment: None,
        };
        format!("/apps/{app_id}{}", search.query_string())
    });
    let truncated = event.detail.truncated.clone();
    view! {
        <section class="card event-card" aria-labelledby="event-title">
            <header class="card-header event-header">
                <h2 id="event-title" class="card-title">
                    {format!("Event {} of {}", nav.position, compact_count(issue.events.max(nav.position)))}
                </h2>
                <nav class="segmented" aria-label="Events of this issue">
                    {link(nav.newest, "Newest", None)}
                    {link(nav.newer, "Newer", Some("prev"))}
                    {link(nav.older, "Older", Some("next"))}
                    {link(nav.oldest, "Oldest", None)}
                </nav>
            </header>
            <dl class="detail-list event-meta">
                <dt>"Event ID"</dt>
                <dd class="mono">{event.event_id.clone()}</dd>
                <dt>"Time"</dt>
                <dd>
                    <time class="mono" datetime=format_rfc3339(event.ts)>{format_rfc3339(event.ts)}</time>
                    <span class="muted">{format!(" · {}", ago(as_of_us, event.ts))}</span>
                </dd>
                <dt>"Level"</dt>
                <dd><LevelBadge level=event.level/></dd>
                {event.environment.clone().map(|env| view! { <dt>"Environment"</dt><dd class="mono">{env}</dd> })}
                {event.release.clone().map(|release| view! { <dt>"Release"</dt><dd class="mono">{release}</dd> })}
                {log_href.map(|href| view! {
                    <dt>"Log"</dt>
                    <dd><a href=href>"View log line"</a></dd>
                })}
            </dl>
            {(!truncated.is_empty()).then(|| view! {
                <p class="alert alert-warn" role="status">
                    {format!("Cut to fit the limits: {}.", truncated.join(", "))}
                </p>
            })}
        </section>
    }
    .into_any()
}
