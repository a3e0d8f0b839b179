//! The issue list's bulk actions on the checked issues.
use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::{api::issues::UpdateIssues, components::use_hydrated, model::issues::IssueAction};

/// Resolve, ignore, reopen or delete the checked issues, then read the page again.
#[component]
pub fn BulkActions(
    app_id: i64,
    selected: RwSignal<BTreeSet<i64>>,
    update: ServerAction<UpdateIssues>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let pending = update.pending();
    let count = move || selected.with(BTreeSet::len);
    let idle = move || !hydrated.get() || pending.get() || count() == 0;
    let run = move |action: IssueAction| {
        let ids: Vec<i64> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        update.dispatch(UpdateIssues {
            app_id,
            ids,
            action: action.as_str().into(),
        });
    };
    let button = move |action: IssueAction| {
        view! {
            <button type="button" class="button button-small" disabled=idle on:click=move |_| run(action)>
                {action.label()}
            </button>
        }
    };
    view! {
        <div class="bulk-bar" role="toolbar" aria-label="Actions on the checked issues">
            <span class="bulk-count" aria-live="polite">
                {move || match count() {
                    0 => "Check issues to act on them".to_string(),
                    1 => "1 issue checked".to_string(),
                    n => format!("{n} issues checked"),
                }}
            </span>
            {button(IssueAction::Resolve)}
            {button(IssueAction::Ignore)}
            {button(IssueAction::Reopen)}
            // Deleting reads the page again, which closes this.
            <details class="confirm">
                <summary class="button button-small button-ghost" aria-disabled=move || idle().then_some("true")
                    on:click=move |ev| if idle() { ev.prevent_default(); }>
                    "Delete…"
                </summary>
                <div class="confirm-panel">
                    <p>{move || format!(
                        "Delete {} and {} events? Their log lines stay, unlinked. This cannot be undone.",
                        match count() { 1 => "this issue".to_string(), n => format!("these {n} issues") },
                        if count() == 1 { "its" } else { "their" },
                    )}</p>
                    <button type="button" class="button button-danger button-small" disabled=idle
                        on:click=move |_| run(IssueAction::Delete)>
                        "Delete"
                    </button>
                </div>
            </details>
            {move || pending.get().then(|| view! { <span class="form-status muted" role="status">"Working…"</span> })}
            {move || update.value().get().and_then(Result::err).map(|e| view! {
                <p class="field-error" role="alert">{e.to_string()}</p>
            })}
        </div>
    }
}
