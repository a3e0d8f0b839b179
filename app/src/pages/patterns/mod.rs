//! `/apps/{id}/patterns`: the app's log lines grouped into templates (docs/patterns.md) over
//! the range the URL names (`statsPeriod`, or `start` and `end`, as in the log view), the
//! largest first, each with its trend and level mix and a link to its lines. One lazy route,
//! split from the main bundle like the issues and alerts.
mod table;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, hooks::use_query_map, lazy_route};

use crate::{
    api::{AppError, patterns::list_patterns},
    components::{AppLayout, AppNotFound, AppTabs, SignedIn, use_app_id},
    model::{
        account::UserView,
        apps::{AppView, compact_count},
        logs::{LogSearch, Period, Range},
        patterns::{MAX_PATTERNS, PatternList, patterns_href},
        query::format_rfc3339,
    },
};
use table::PatternTable;

#[component]
pub fn PatternsPage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <PatternIndex/>
            </AppLayout>
        }/>
    }
}

/// The page's code is split from the main wasm bundle and loaded when it is visited
/// (`cargo leptos build --split`).
pub struct PatternsRoute;

#[lazy_route]
impl LazyRoute for PatternsRoute {
    fn data() -> Self {
        PatternsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <PatternsPage/> }.into_any()
    }
}

/// The server functions' range arguments (`stats_period`, `start`, `end`) for `range`,
/// exactly as the log view's URL spells it (the default, the last 24 hours, left out).
pub(crate) fn range_args(range: Range) -> (Option<String>, Option<String>, Option<String>) {
    let params = LogSearch {
        range,
        ..LogSearch::default()
    }
    .to_params();
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.clone())
    };
    (get("statsPeriod"), get("start"), get("end"))
}

/// `last 24h`, or `selected range` for fixed instants (their UTC bounds in the title).
pub(crate) fn range_label(range: Range) -> String {
    match range {
        Range::Last(period) => format!("last {}", period.as_str()),
        Range::Between { .. } => "selected range".into(),
    }
}

/// Reads the range from the URL and loads the patterns.
#[component]
fn PatternIndex() -> impl IntoView {
    let app_id = use_app_id();
    let params = use_query_map();
    let range = Memo::new(move |_| params.with(|p| LogSearch::from_params(|k| p.get(k)).range));
    let data = Resource::new(
        move || (app_id.get(), range.get()),
        |(id, range)| async move {
            let (stats_period, start, end) = range_args(range);
            list_patterns(id.ok_or(AppError::NotFound)?, stats_period, start, end).await
        },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                let range = range.get_untracked();
                match data.await {
                    Ok((app, list)) => view! { <Patterns app list range/> }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! {
                        <Title text="Patterns"/>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Patterns(app: AppView, list: PatternList, range: Range) -> impl IntoView {
    let app_id = app.id;
    let bounds = format!(
        "{} to {}",
        format_rfc3339(list.start_us),
        format_rfc3339(list.end_us)
    );
    let count = list.patterns.len();
    let summary = match (count, list.total) {
        (0, _) => format!("No lines mined in the {}", range_label(range)),
        (n, total) => format!(
            "{n} pattern{} · {} line{} in the {}",
            if n == 1 { "" } else { "s" },
            compact_count(total),
            if total == 1 { "" } else { "s" },
            range_label(range)
        ),
    };
    let pending = (list.pending_lines > 0).then(|| {
        let n = list.pending_lines;
        let text = if n == 1 {
            "1 line is still being mined".to_string()
        } else {
            format!("{} lines are still being mined", compact_count(n))
        };
        view! {
            <p class="alert pattern-pending" role="status">
                {text} "; reload in a few seconds to count them."
            </p>
        }
    });
    let capped = (count >= MAX_PATTERNS as usize).then(|| {
        view! {
            <p class="zone-note">{format!("The {MAX_PATTERNS} largest patterns of the range.")}</p>
        }
    });
    let body = if count == 0 {
        view! { <NoPatterns app_id range/> }.into_any()
    } else {
        view! { <PatternTable app_id list range/> {capped} }.into_any()
    };
    let logs_href = format!(
        "/apps/{app_id}{}",
        LogSearch {
            range,
            ..LogSearch::default()
        }
        .query_string()
    );
    view! {
        <Title text=format!("{} patterns", app.name)/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <section class="patterns" aria-labelledby="patterns-title">
            <header class="patterns-header">
                <div class="patterns-heading">
                    <h2 id="patterns-title" class="card-title">"Patterns"</h2>
                    <p class="muted patterns-total" title=bounds>{summary}</p>
                </div>
                <div class="patterns-controls">
                    <PeriodPicker app_id range/>
                    <a class="button button-small" href=logs_href>"Log view"</a>
                </div>
            </header>
            {pending}
            {body}
        </section>
    }
}

/// The log view's periods as links: the URL stays the state. A fixed range from the URL
/// shows as "Custom", current but not a link.
#[component]
fn PeriodPicker(app_id: i64, range: Range) -> impl IntoView {
    let periods = Period::ALL
        .into_iter()
        .map(|period| {
            let current = range == Range::Last(period);
            view! {
                <a class="segment" href=patterns_href(app_id, Range::Last(period))
                    aria-current=current.then_some("true")>
                    {period.as_str()}
                </a>
            }
        })
        .collect_view();
    let custom = matches!(range, Range::Between { .. }).then(|| {
        view! { <span class="segment" aria-current="true">"Custom"</span> }
    });
    view! {
        <nav class="segmented" aria-label="Time range">
            {periods}
            {custom}
        </nav>
    }
}

/// Nothing mined in the range: how patterns come about, and where the lines are.
#[component]
fn NoPatterns(app_id: i64, range: Range) -> impl IntoView {
    let logs_href = format!(
        "/apps/{app_id}{}",
        LogSearch {
            range,
            ..LogSearch::default()
        }
        .query_string()
    );
    let short = matches!(
        range,
        Range::Last(Period::M15 | Period::H1 | Period::H24) | Range::Between { .. }
    );
    let wider = short.then(|| {
        view! {
            <a class="button button-small button-ghost" href=patterns_href(app_id, Range::Last(Period::D7))>
                "Last 7 days"
            </a>
        }
    });
    view! {
        <div class="empty-state patterns-empty">
            <span class="status-dot tone-idle" aria-hidden="true"></span>
            <h3>"No patterns yet"</h3>
            <p>
                "Patterns appear as lines arrive: lines that differ only in numbers, ids, addresses "
                "or quoted values share one template, like "
                <code>"payment failed for order <num>"</code>
                ". They are mined in the background, within seconds of each line."
            </p>
            <p class="actions">
                <a class="button button-small button-primary" href=logs_href>"Open the log view"</a>
                {wider}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_arguments_spell_the_url() {
        assert_eq!(range_args(Range::default()), (None, None, None));
        assert_eq!(
            range_args(Range::Last(Period::D14)),
            (Some("14d".into()), None, None)
        );
        let (start_us, end_us) = (1_700_000_000_000_000, 1_700_000_600_000_000);
        assert_eq!(
            range_args(Range::Between { start_us, end_us }),
            (
                None,
                Some(format_rfc3339(start_us)),
                Some(format_rfc3339(end_us))
            )
        );
    }
}
