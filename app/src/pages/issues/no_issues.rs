//! What the issue list shows instead of a table: how to send a first error, or that the
//! filter matches nothing.
use leptos::prelude::*;

use crate::{
    components::{CopyButton, Secret},
    model::{
        apps::AppView,
        issues::{DEFAULT_ISSUE_QUERY, issue_list_href, sentry_snippet},
    },
};

/// No issue on this page: none yet (how to send some), none matching, or past the last page.
#[component]
pub fn NoIssues(app: AppView, query: String, page: u32, any: bool) -> impl IntoView {
    let app_id = app.id;
    if !any {
        let snippet = sentry_snippet(&app.dsn);
        return view! {
            <section class="empty-state issue-empty" aria-labelledby="no-issues-title">
                <span class="status-dot tone-idle" aria-hidden="true"></span>
                <h3 id="no-issues-title">"No errors yet"</h3>
                <p>
                    "Point any official Sentry SDK at this app's DSN: each kind of error becomes one issue here, "
                    "with its stack trace, breadcrumbs and how often it happens."
                </p>
                <Secret text=app.dsn.clone() label="Copy DSN" testid="issues-dsn"/>
                <div class="quick-start issue-snippet">
                    <div class="quick-start-bar">
                        <span class="issue-snippet-label">"Python"</span>
                        <CopyButton text=snippet.clone() label="Copy snippet"/>
                    </div>
                    <pre class="code-block"><code>{snippet}</code></pre>
                    <p class="quick-start-note">
                        "JavaScript, Go, Ruby, Java and the other Sentry SDKs take the same DSN in their "
                        <code>"init"</code> "."
                    </p>
                </div>
            </section>
        }
        .into_any();
    }
    if page > 0 {
        return view! {
            <section class="empty-state" aria-labelledby="no-issues-title">
                <h3 id="no-issues-title">"No more issues"</h3>
                <p>"This page is past the end of the list."</p>
                <a class="button button-small" href=issue_list_href(app_id, &query, 0)>"First page"</a>
            </section>
        }
        .into_any();
    }
    let is_default = query.trim().is_empty() || query.trim() == DEFAULT_ISSUE_QUERY;
    let (title, text) = if is_default {
        (
            "No unresolved issues",
            "Every issue of this app is resolved or ignored.".to_string(),
        )
    } else {
        (
            "No issues match",
            format!("Nothing matches “{}”.", query.trim()),
        )
    };
    view! {
        <section class="empty-state" aria-labelledby="no-issues-title">
            <h3 id="no-issues-title">{title}</h3>
            <p>{text}</p>
            <p class="actions">
                {if is_default {
                    view! { <a class="button button-small" href=issue_list_href(app_id, "is:all", 0)>"Show all issues"</a> }.into_any()
                } else {
                    view! { <a class="button button-small" href=issue_list_href(app_id, DEFAULT_ISSUE_QUERY, 0)>"Clear filter"</a> }.into_any()
                }}
            </p>
        </section>
    }
    .into_any()
}
