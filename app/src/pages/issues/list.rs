//! `/apps/{id}/issues`: the app's issues, the most recently seen first. The URL holds the
//! filter (`query`, `is:unresolved` when absent) and the page (`page`, from 0), so a view can
//! be shared and the back button works; the filter box and status toggles work without
//! JavaScript. Checked issues can be resolved, ignored, reopened or deleted together.
use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::{
    LevelBadge, StatusBadges, bulk_actions::BulkActions, filter_bar::FilterBar, no_issues::NoIssues,
};
use crate::{
    api::{
        AppError,
        apps::app_overview,
        issues::{UpdateIssues, list_issues},
    },
    components::{AppNotFound, AppTabs, use_app_id},
    model::{
        apps::{AppView, ago, compact_count},
        issues::{
            DEFAULT_ISSUE_QUERY, IssueFilter, IssueList, IssueSummary, SPARKLINE_HOURS, issue_href,
            issue_list_href,
        },
        query::format_rfc3339,
    },
};

/// What the list shows: the app for the header, then the page of issues or why the filter
/// was refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Loaded {
    app: AppView,
    list: Result<IssueList, AppError>,
}

/// One server call per read: on the server, a context lookup after an earlier call's awaits
/// can find the render's owner gone (it panicked). A filter that does not parse (the server
/// reads it with the same parser) is refused here, and only the app is read, for the header.
async fn load(app_id: i64, query: String, page: u32) -> Result<Loaded, AppError> {
    match IssueFilter::parse(&query) {
        Ok(_) => {
            let (app, list) = list_issues(app_id, query, page).await?;
            Ok(Loaded {
                app,
                list: Ok(list),
            })
        }
        Err(error) => {
            let (app, _) = app_overview(app_id).await?;
            let message = format!("{} (at character {})", error.message, error.position + 1);
            Ok(Loaded {
                app,
                list: Err(AppError::Invalid {
                    field: "query".into(),
                    message,
                }),
            })
        }
    }
}

#[component]
pub fn IssueList() -> impl IntoView {
    let app_id = use_app_id();
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params
            .read()
            .get("query")
            .unwrap_or_else(|| DEFAULT_ISSUE_QUERY.to_string())
    });
    let page = Memo::new(move |_| {
        params
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    });
    let update = ServerAction::<UpdateIssues>::new();
    let data = Resource::new(
        move || {
            (
                app_id.get(),
                query.get(),
                page.get(),
                update.version().get(),
            )
        },
        |(id, query, page, _)| async move { load(id.ok_or(AppError::NotFound)?, query, page).await },
    );
    // Whether the app has any issue at all, to tell "no errors yet" from "nothing matches"
    // on an empty page. Read alongside (not after) the list, and again only when the app
    // changes or issues are acted on.
    let any = Resource::new(
        move || (app_id.get(), update.version().get()),
        |(id, _)| async move {
            let (_, all) = list_issues(id.ok_or(AppError::NotFound)?, "is:all".into(), 0).await?;
            Ok::<bool, AppError>(!all.issues.is_empty())
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                let (query, page) = (query.get_untracked(), page.get_untracked());
                match data.await {
                    Ok(loaded) => {
                        let empty = loaded.list.as_ref().is_ok_and(|l| l.issues.is_empty());
                        let any = if empty { any.await.unwrap_or(true) } else { true };
                        view! { <Issues loaded any query page update/> }.into_any()
                    }
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Issues"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Issues(
    loaded: Loaded,
    /// Whether the app has any issue at all.
    any: bool,
    query: String,
    page: u32,
    update: ServerAction<UpdateIssues>,
) -> impl IntoView {
    let Loaded { app, list } = loaded;
    let app_id = app.id;
    let server_error = list.as_ref().err().cloned();
    let body = match list {
        Err(_) => None,
        Ok(list) if list.issues.is_empty() => {
            Some(view! { <NoIssues app=app.clone() query=query.clone() page any/> }.into_any())
        }
        Ok(list) => {
            Some(view! { <IssueTable app_id list query=query.clone() page update/> }.into_any())
        }
    };
    view! {
        <Title text=format!("{} issues", app.name)/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <FilterBar app_id query server_error/>
        {body}
    }
}

#[component]
fn IssueTable(
    app_id: i64,
    list: IssueList,
    query: String,
    page: u32,
    update: ServerAction<UpdateIssues>,
) -> impl IntoView {
    let ids: Vec<i64> = list.issues.iter().map(|i| i.id).collect();
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let all_selected = {
        let ids = ids.clone();
        Memo::new(move |_| {
            selected.with(|s| !ids.is_empty() && ids.iter().all(|id| s.contains(id)))
        })
    };
    let some_selected = move || selected.with(|s| !s.is_empty());
    let toggle_all = {
        let ids = ids.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            selected.set(if on {
                ids.iter().copied().collect()
            } else {
                BTreeSet::new()
            });
        }
    };
    let as_of = list.as_of_us;
    let rows = list
        .issues
        .into_iter()
        .map(|issue| view! { <IssueRow app_id issue as_of selected/> })
        .collect_view();
    let newer = (page > 0).then(|| issue_list_href(app_id, &query, page - 1));
    let older = list
        .has_more
        .then(|| issue_list_href(app_id, &query, page + 1));
    view! {
        <section class="issues-card" aria-labelledby="issues-title">
            <h2 id="issues-title" class="visually-hidden">"Issues"</h2>
            <BulkActions app_id selected update/>
            <div class="table-wrap">
                <table class="table issue-table">
                    <thead>
                        <tr>
                            <th scope="col" class="col-check">
                                <input type="checkbox" aria-label="Select every issue on this page"
                                    prop:checked=all_selected
                                    prop:indeterminate=move || some_selected() && !all_selected.get()
                                    on:change=toggle_all/>
                            </th>
                            <th scope="col">"Issue"</th>
                            <th scope="col" class="col-spark">"Last 24h"</th>
                            <th scope="col" class="num">"Events"</th>
                            <th scope="col" class="num">"Users"</th>
                            <th scope="col" class="col-seen">"Last seen"</th>
                            <th scope="col" class="col-status">"Status"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {(newer.is_some() || older.is_some()).then(|| view! {
                <nav class="pager" aria-label="Pages">
                    {pager_link(newer, "Newer", "prev")}
                    <span class="muted pager-page">{format!("Page {}", page + 1)}</span>
                    {pager_link(older, "Older", "next")}
                </nav>
            })}
        </section>
    }
}

/// A page link, or the same words greyed out where there is no such page.
fn pager_link(href: Option<String>, label: &'static str, rel: &'static str) -> AnyView {
    match href {
        Some(href) => {
            view! { <a class="button button-small" href=href rel=rel>{label}</a> }.into_any()
        }
        None => view! { <span class="button button-small" aria-disabled="true">{label}</span> }
            .into_any(),
    }
}

#[component]
fn IssueRow(
    app_id: i64,
    issue: IssueSummary,
    as_of: i64,
    selected: RwSignal<BTreeSet<i64>>,
) -> impl IntoView {
    let id = issue.id;
    let checked = move || selected.with(|s| s.contains(&id));
    let on_check = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        selected.update(|s| {
            if on {
                s.insert(id);
            } else {
                s.remove(&id);
            }
        });
    };
    let seen = |at: i64| {
        view! { <time datetime=format_rfc3339(at) title=format_rfc3339(at)>{ago(as_of, at)}</time> }
    };
    view! {
        <tr class:is-selected=checked>
            <td class="col-check">
                <input type="checkbox" aria-label=format!("Select “{}”", issue.title)
                    prop:checked=checked on:change=on_check/>
            </td>
            <td class="issue-cell">
                <a class="issue-title" href=issue_href(app_id, id, None)>{issue.title.clone()}</a>
                <p class="issue-meta">
                    <LevelBadge level=issue.level/>
                    {(!issue.culprit.is_empty()).then(|| view! { <span class="issue-culprit mono">{issue.culprit.clone()}</span> })}
                </p>
            </td>
            <td class="col-spark"><Sparkline counts=issue.sparkline.clone()/></td>
            <td class="num">{compact_count(issue.events)}</td>
            <td class="num">{compact_count(issue.users)}</td>
            <td class="col-seen">
                <span class="nowrap">{seen(issue.last_seen_us)}</span>
                <span class="issue-first">"first " {seen(issue.first_seen_us)}</span>
            </td>
            <td class="col-status">
                <div class="issue-status-cell"><StatusBadges status=issue.status regressed=issue.regressed/></div>
            </td>
        </tr>
    }
}

/// Events per hour over the last 24 hours, oldest on the left.
#[component]
fn Sparkline(counts: Vec<i64>) -> impl IntoView {
    let total: i64 = counts.iter().sum();
    let label = format!(
        "{total} event{} in the last 24 hours",
        if total == 1 { "" } else { "s" }
    );
    view! { <crate::components::Sparkline counts bars=SPARKLINE_HOURS label/> }
}
