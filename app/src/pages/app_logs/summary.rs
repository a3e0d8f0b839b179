//! The summary card of the log view: for the view's range, lines and errors against the
//! period before, the new patterns, the top error patterns and the spikes, and the digest
//! when an LLM is set up. It loads on its own, so a slow or failing summary never holds up
//! or breaks the lines.
use leptos::prelude::*;

use crate::{
    api::{AppError, patterns::app_summary},
    model::{
        apps::compact_count,
        logs::Range,
        patterns::{PatternBrief, Summary, change_label, pattern_lines_href, patterns_href},
    },
    pages::patterns::{range_args, range_label},
};

/// Patterns each list of the card names at most.
const LIST_MAX: usize = 5;

/// The summary of app `app_id` over `range`, read from the server.
pub async fn load_summary(app_id: Option<i64>, range: Range) -> Result<Summary, AppError> {
    let (stats_period, start, end) = range_args(range);
    app_summary(app_id.ok_or(AppError::NotFound)?, stats_period, start, end).await
}

#[component]
pub fn SummaryCard(
    app_id: i64,
    range: Range,
    summary: Resource<Result<Summary, AppError>>,
) -> impl IntoView {
    view! {
        <section class="card summary-card" aria-labelledby="summary-title">
            <header class="summary-header">
                <h2 id="summary-title" class="card-title">"Summary"</h2>
                <span class="muted summary-range">{range_label(range)}</span>
                <a class="summary-all" href=patterns_href(app_id, range)>"All patterns →"</a>
            </header>
            <Transition fallback=|| view! { <SummarySkeleton/> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(summary) => view! { <SummaryBody app_id range summary/> }.into_any(),
                        Err(error) => view! {
                            <p class="alert alert-danger summary-error" role="alert">
                                "The summary could not load: " {error.to_string()}
                            </p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SummarySkeleton() -> impl IntoView {
    view! {
        <div class="summary-skeleton" aria-busy="true" aria-label="Loading the summary">
            <span class="skeleton skeleton-text"></span>
            <span class="skeleton skeleton-text"></span>
            <span class="skeleton skeleton-text"></span>
        </div>
    }
}

#[component]
fn SummaryBody(app_id: i64, range: Range, summary: Summary) -> impl IntoView {
    let Summary {
        lines,
        lines_before,
        errors,
        errors_before,
        new_patterns,
        top_errors,
        spikes,
        digest,
        digest_note,
        ..
    } = summary;
    let list = |id: &'static str, title: &'static str, items: Vec<PatternBrief>, spikes: bool| {
        (!items.is_empty()).then(|| {
            let items = items
                .into_iter()
                .take(LIST_MAX)
                .map(|brief| view! { <BriefItem app_id range brief spike=spikes/> })
                .collect_view();
            view! {
                <div class="summary-list">
                    <h3 id=id class="detail-heading">{title}</h3>
                    <ul aria-labelledby=id>{items}</ul>
                </div>
            }
        })
    };
    let lists = vec![
        list("summary-new", "New patterns", new_patterns, false),
        list("summary-errors", "Top error patterns", top_errors, false),
        list("summary-spikes", "Spikes", spikes, true),
    ];
    let any_list = lists.iter().any(Option::is_some);
    let digest = digest.map(|text| {
        view! {
            <div class="summary-digest">
                <h3 class="detail-heading">"Digest"</h3>
                <p class="digest-text">{text}</p>
            </div>
        }
    });
    let note = digest_note.map(|note| view! { <p class="muted summary-note">{note}</p> });
    view! {
        <dl class="summary-facts">
            <Fact label="Lines" now=lines before=lines_before more_is_bad=false/>
            <Fact label="Errors" now=errors before=errors_before more_is_bad=true/>
        </dl>
        {any_list.then(|| view! { <div class="summary-lists">{lists}</div> })}
        {digest}
        {note}
    }
}

/// A count of the range beside its change from the period before.
#[component]
fn Fact(label: &'static str, now: i64, before: i64, more_is_bad: bool) -> impl IntoView {
    let change = change_label(now, before);
    let tone = match (more_is_bad, now.cmp(&before)) {
        (true, std::cmp::Ordering::Greater) => "summary-change tone-danger",
        (true, std::cmp::Ordering::Less) => "summary-change tone-ok",
        _ => "summary-change",
    };
    view! {
        <div class="summary-fact">
            <dt>{label}</dt>
            <dd>
                <span class="stat-value" title=format!("{now}")>{compact_count(now)}</span>
                <span class=tone title="Against the period before, as long as this one">{change}</span>
                <span class="summary-before">{format!("{} before", compact_count(before))}</span>
            </dd>
        </div>
    }
}

/// One pattern of a list: its template (a link to its lines), its lines and, for a spike,
/// the lines of the period before.
#[component]
fn BriefItem(app_id: i64, range: Range, brief: PatternBrief, spike: bool) -> impl IntoView {
    let template = if brief.search.is_empty() {
        view! { <span class="summary-template mono">{brief.template.clone()}</span> }.into_any()
    } else {
        view! {
            <a class="summary-template mono" href=pattern_lines_href(app_id, &brief.search, range)>
                {brief.template.clone()}
            </a>
        }
        .into_any()
    };
    let count = if spike {
        format!(
            "{} vs {} ({})",
            compact_count(brief.count),
            compact_count(brief.before),
            change_label(brief.count, brief.before)
        )
    } else {
        compact_count(brief.count)
    };
    view! {
        <li class="summary-item">
            {template}
            <span class="summary-count" title=format!("{} lines in the range, {} in the period before", brief.count, brief.before)>
                {count}
            </span>
        </li>
    }
}
