//! The issue list's filter box and status toggles.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::{
    api::AppError,
    model::issues::{IssueFilter, IssueStatus, issue_list_href, with_status},
};

/// The filter box (checked while typing, the server's refusal shown in place) and the
/// status toggles. A GET form and links: the URL is the view.
#[component]
pub fn FilterBar(app_id: i64, query: String, server_error: Option<AppError>) -> impl IntoView {
    let action = format!("/apps/{app_id}/issues");
    let text = RwSignal::new(query.clone());
    let error = Memo::new(move |_| {
        text.with(|q| {
            IssueFilter::parse(q)
                .err()
                .map(|e| format!("{} (at character {})", e.message, e.position + 1))
        })
    });
    let typed = query.clone();
    let shown_error = Signal::derive(move || {
        error.get().or_else(|| {
            server_error
                .as_ref()
                .filter(|_| text.with(|t| *t == typed))
                .map(ToString::to_string)
        })
    });
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if error.get_untracked().is_none() {
            navigate(
                &issue_list_href(app_id, &text.get_untracked(), 0),
                Default::default(),
            );
        }
    };
    let current = IssueFilter::parse(&query).ok().map(|f| f.status);
    let toggles = [
        ("Unresolved", Some(IssueStatus::Unresolved)),
        ("Resolved", Some(IssueStatus::Resolved)),
        ("Ignored", Some(IssueStatus::Ignored)),
        ("All", None),
    ]
    .into_iter()
    .map(|(label, status)| {
        let href = issue_list_href(app_id, &with_status(&query, status), 0);
        view! {
            <a class="segment" href=href aria-current=(current == Some(status)).then_some("true")>{label}</a>
        }
    })
    .collect_view();
    view! {
        <div class="issue-filters">
            <form class="search-bar issue-search" method="get" action=action role="search" on:submit=submit>
                <div class="search-field" class:field-invalid=move || shown_error.with(Option::is_some)>
                    <label class="visually-hidden" for="issue-query">"Filter issues"</label>
                    <input id="issue-query" class="search-input mono" type="search" name="query"
                        autocomplete="off" spellcheck="false"
                        placeholder="is:unresolved level:error env:production checkout"
                        value=query.clone()
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                        aria-invalid=move || shown_error.with(Option::is_some).to_string()
                        aria-describedby="issue-query-feedback"/>
                    <button class="button button-primary" type="submit">"Search"</button>
                </div>
                <div id="issue-query-feedback" class="query-feedback" aria-live="polite">
                    {move || match shown_error.get() {
                        Some(message) => view! { <p class="field-error" role="alert">{message}</p> }.into_any(),
                        None => view! {
                            <p class="field-hint">
                                <code>"is:"</code> "unresolved, resolved, ignored or all; " <code>"level:"</code> ", "
                                <code>"env:"</code> ", " <code>"release:"</code> "; other words must appear in the title or culprit."
                            </p>
                        }.into_any(),
                    }}
                </div>
            </form>
            <nav class="segmented" aria-label="Status">{toggles}</nav>
        </div>
    }
}
