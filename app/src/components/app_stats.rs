use leptos::prelude::*;

use super::CopyButton;
use crate::model::apps::{AppSummary, compact_count};

/// An app's headline numbers: lines and errors of the last 24 hours, and its newest line.
#[component]
pub fn AppStats(
    summary: AppSummary,
    #[prop(default = "stats")] class: &'static str,
) -> impl IntoView {
    let has_errors = summary.errors_24h > 0;
    view! {
        <dl class=class>
            <div>
                <dt>"Lines (24h)"</dt>
                <dd class="stat-value">{compact_count(summary.lines_24h)}</dd>
            </div>
            <div>
                <dt>"Errors (24h)"</dt>
                <dd class="stat-value" class:tone-danger=has_errors>{compact_count(summary.errors_24h)}</dd>
            </div>
            <div>
                <dt>"Last line"</dt>
                <dd class="stat-value stat-text">{summary.last_line()}</dd>
            </div>
        </dl>
    }
}

/// A value to copy (an API key, a DSN), shown whole in monospace with its copy button.
#[component]
pub fn Secret(
    text: String,
    /// For the copy button's accessible name ("Copy API key").
    label: &'static str,
    /// The `data-testid` end-to-end tests find it by.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// More buttons after the copy button.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="secret-row">
            <code class="secret mono" data-testid=testid>{text.clone()}</code>
            <CopyButton text label/>
            {children.map(|more| more())}
        </div>
    }
}
