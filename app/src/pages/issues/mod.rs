//! The app's issues: error events grouped as docs/grouping.md describes. The list
//! (`/apps/{id}/issues`) and one issue with one of its events (`/apps/{id}/issues/{issue}`).
//! Both are one lazy route (`/apps/:id/issues/:issue_id?`), split from the main bundle: each
//! route costs it matching and loading code, and the two pages share most of theirs.
mod bulk_actions;
mod detail;
mod event_context;
mod exception;
mod filter_bar;
mod list;
mod no_issues;

use leptos::prelude::*;
use leptos_router::{LazyRoute, hooks::use_params_map, lazy_route};

use crate::{
    components::{AppLayout, SignedIn},
    model::{Level, account::UserView, issues::IssueStatus},
};

#[component]
pub fn IssuesPage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <IssueSection/>
            </AppLayout>
        }/>
    }
}

/// The list without an issue id in the path, the issue with one; going from one to the
/// other keeps the layout (and its list of apps).
#[component]
fn IssueSection() -> impl IntoView {
    let params = use_params_map();
    let one_issue = Memo::new(move |_| params.read().get("issue_id").is_some());
    move || {
        if one_issue.get() {
            view! { <detail::Issue/> }.into_any()
        } else {
            view! { <list::IssueList/> }.into_any()
        }
    }
}

/// The pages' code is split from the main wasm bundle and loaded when one is visited
/// (`cargo leptos build --split`).
pub struct IssuesRoute;

#[lazy_route]
impl LazyRoute for IssuesRoute {
    fn data() -> Self {
        IssuesRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <IssuesPage/> }.into_any()
    }
}

/// A level in the log view's colours.
#[component]
fn LevelBadge(level: Level) -> impl IntoView {
    let name = level.name();
    view! { <span class=format!("badge level-{name}")>{name}</span> }
}

/// Where an issue stands, and "Regression" when a new event reopened it after it was resolved.
#[component]
fn StatusBadges(status: IssueStatus, regressed: bool) -> impl IntoView {
    let tone = match status {
        IssueStatus::Unresolved => "badge badge-warn",
        IssueStatus::Resolved => "badge badge-ok",
        IssueStatus::Ignored => "badge",
    };
    view! {
        <span class=format!("{tone} issue-status")>{status.label()}</span>
        {regressed.then(|| view! {
            <span class="badge badge-danger issue-regression" title="Resolved before, then seen again">"Regression"</span>
        })}
    }
}
