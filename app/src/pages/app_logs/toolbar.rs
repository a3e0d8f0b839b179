//! The search toolbar: the query (validated while typing, the error pointed at), the time
//! range, the environment and level quick filters, and "Set alert" to start an alert rule
//! from the search. Every control is a link or a GET form, so the URL holds the view and it
//! works before the page's code has loaded.
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::{
    Level,
    alerts::new_rule_href,
    logs::{LogSearch, Period, Range},
    query::{self, CmpOp, Expr, Field, ParseError, Value},
};

/// The level filters offered as one-click chips: label and lowest level (None: all).
const LEVEL_CHIPS: [(&str, Option<Level>); 4] = [
    ("All levels", None),
    ("Debug+", Some(Level::Debug)),
    ("Warn+", Some(Level::Warn)),
    ("Errors", Some(Level::Error)),
];

/// `q` with its top-level level conditions replaced by `level:>=min` (or removed).
pub fn with_min_level(q: &str, min: Option<Level>) -> String {
    let Ok(parsed) = query::parse(q) else {
        return q.to_string();
    };
    let is_level = |e: &Expr| {
        matches!(
            e,
            Expr::Is {
                field: Field::Level,
                ..
            } | Expr::Compare {
                field: Field::Level,
                ..
            }
        )
    };
    let mut terms: Vec<Expr> = match parsed {
        None => Vec::new(),
        Some(Expr::And(terms)) => terms.into_iter().filter(|e| !is_level(e)).collect(),
        Some(e) if is_level(&e) => Vec::new(),
        Some(e) => vec![e],
    };
    if let Some(level) = min {
        let condition = if level == Level::Fatal {
            Expr::Is {
                field: Field::Level,
                values: vec![Value::Level(level)],
            }
        } else {
            Expr::Compare {
                field: Field::Level,
                op: CmpOp::Ge,
                value: Value::Level(level),
            }
        };
        terms.insert(0, condition);
    }
    match terms.len() {
        0 => String::new(),
        1 => terms.remove(0).to_string(),
        _ => Expr::And(terms).to_string(),
    }
}

/// The lowest level a query's top-level `level:>=x` asks for, to light its chip.
fn min_level(q: &str) -> Option<Level> {
    let terms = match query::parse(q).ok()?? {
        Expr::And(terms) => terms,
        e => vec![e],
    };
    terms.into_iter().find_map(|e| match e {
        Expr::Compare {
            field: Field::Level,
            op: CmpOp::Ge,
            value: Value::Level(l),
        } => Some(l),
        _ => None,
    })
}

#[component]
pub fn SearchToolbar(
    app_id: i64,
    search: LogSearch,
    environments: Vec<String>,
    /// The browser's zone, minutes east of UTC.
    #[prop(into)]
    offset_min: Signal<i32>,
    on_search: Callback<LogSearch>,
) -> impl IntoView {
    let action = format!("/apps/{app_id}");
    // The search in the URL (not what is typed but not searched yet) starts the rule.
    let params = use_query_map();
    let alert_href = move || {
        new_rule_href(
            app_id,
            &params.with(|p| LogSearch::from_params(|k| p.get(k))),
        )
    };
    let text = RwSignal::new(search.q.clone());
    let error = Memo::new(move |_| text.with(|q| query::parse(q).err()));
    let base = search.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if error.get_untracked().is_some() {
            return;
        }
        on_search.run(LogSearch {
            q: text.get_untracked(),
            ..base.clone()
        });
    };
    let link = {
        let action = action.clone();
        move |s: LogSearch| format!("{action}{}", s.query_string())
    };
    let periods = {
        let search = search.clone();
        let link = link.clone();
        Period::ALL
            .into_iter()
            .filter(|p| *p != Period::D14)
            .map(|period| {
                let current = search.range == Range::Last(period);
                let href = link(LogSearch { range: Range::Last(period), ..search.clone() });
                view! {
                    <a class="segment" href=href aria-current=current.then_some("true")>{period.as_str()}</a>
                }
            })
            .collect_view()
    };
    let chips = {
        let search = search.clone();
        let current = min_level(&search.q);
        LEVEL_CHIPS
            .into_iter()
            .map(|(label, level)| {
                let q = with_min_level(&search.q, level);
                let href = link(LogSearch { q, ..search.clone() });
                let tone = level.map(|l| format!("chip level-chip-{}", l.name())).unwrap_or("chip".into());
                view! { <a class=tone href=href aria-current=(current == level).then_some("true")>{label}</a> }
            })
            .collect_view()
    };
    let range_inputs = match search.range {
        Range::Last(period) => {
            view! { <input type="hidden" name="statsPeriod" value=period.as_str()/> }.into_any()
        }
        Range::Between { start_us, end_us } => view! {
            <input type="hidden" name="start" value=query::format_rfc3339(start_us)/>
            <input type="hidden" name="end" value=query::format_rfc3339(end_us)/>
        }
        .into_any(),
    };
    let env_search = search.clone();
    let on_env = move |ev: leptos::ev::Event| {
        let env = event_target_value(&ev);
        on_search.run(LogSearch {
            environment: (!env.is_empty()).then_some(env),
            ..env_search.clone()
        });
    };
    let selected_env = search.environment.clone().unwrap_or_default();
    let mut env_options = environments;
    if !selected_env.is_empty() && !env_options.contains(&selected_env) {
        env_options.insert(0, selected_env.clone());
    }
    let env_options = env_options
        .into_iter()
        .map(|env| {
            let selected = env == selected_env;
            view! { <option value=env.clone() selected=selected>{env.clone()}</option> }
        })
        .collect_view();
    view! {
        <form class="search-bar" method="get" action=action.clone() role="search" on:submit=submit>
            <div class="search-field" class:field-invalid=move || error.with(Option::is_some)>
                <label class="visually-hidden" for="log-query">"Search lines"</label>
                <input
                    id="log-query"
                    class="search-input mono"
                    type="search"
                    name="q"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="level:error timeout   service:api   attr.user_id:42   (a OR b) !env:dev"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby="query-feedback"
                />
                <button class="button button-primary" type="submit">"Search"</button>
                <a class="button set-alert" href=alert_href title="Start an alert rule that watches this search">"Set alert"</a>
            </div>
            {range_inputs}
            <label class="env-select">
                <span class="visually-hidden">"Environment"</span>
                <select name="environment" on:change=on_env>
                    <option value="" selected=selected_env.is_empty()>"All environments"</option>
                    {env_options}
                </select>
            </label>
            <QueryFeedback text=text error=error/>
        </form>
        <div class="view-controls">
            <nav class="segmented" aria-label="Time range">
                {periods}
                <CustomRange search=search.clone() offset_min on_search/>
            </nav>
            <nav class="chips" aria-label="Level">{chips}</nav>
        </div>
    }
}

/// Under the query: the error with a caret at its position, or a hint.
#[component]
fn QueryFeedback(text: RwSignal<String>, error: Memo<Option<ParseError>>) -> impl IntoView {
    view! {
        <div id="query-feedback" class="query-feedback" aria-live="polite">
            {move || match error.get() {
                Some(e) => {
                    let before: String = text.with(|t| t.chars().take(e.position).collect());
                    let rest: String = text.with(|t| t.chars().skip(e.position).collect());
                    view! {
                        <p class="field-error" role="alert">{e.to_string()}</p>
                        <p class="query-echo mono" aria-hidden="true">
                            {before}<span class="query-caret"></span><mark>{rest}</mark>
                        </p>
                    }
                    .into_any()
                }
                None => view! {
                    <p class="field-hint">
                        "Words match the message, case-insensitively. Fields: level, service, env, release, message, trace, timestamp, issue, attr.key; "
                        <code>"OR"</code> ", " <code>"!"</code> " and parentheses combine them."
                    </p>
                }
                .into_any(),
            }}
        </div>
    }
}

/// "Custom": two local date-time inputs, applied as a fixed range.
#[component]
fn CustomRange(
    search: LogSearch,
    offset_min: Signal<i32>,
    on_search: Callback<LogSearch>,
) -> impl IntoView {
    let is_custom = matches!(search.range, Range::Between { .. });
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let apply = move |_| {
        let offset = i64::from(offset_min.get_untracked()) * 60_000_000;
        let read = |v: String| query::parse_rfc3339(&format!("{v}:00Z")).map(|t| t - offset);
        match (read(start.get_untracked()), read(end.get_untracked())) {
            (Some(start_us), Some(end_us)) if start_us < end_us => {
                problem.set(None);
                on_search.run(LogSearch {
                    range: Range::Between { start_us, end_us },
                    ..search.clone()
                });
            }
            (Some(_), Some(_)) => problem.set(Some("The end must be after the start.")),
            _ => problem.set(Some("Pick both a start and an end.")),
        }
    };
    view! {
        <details class="custom-range">
            <summary class="segment" aria-current=is_custom.then_some("true")>"Custom"</summary>
            <div class="custom-range-panel card">
                <label class="field">
                    <span>"From (local time)"</span>
                    <input type="datetime-local" on:input=move |ev| start.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"To"</span>
                    <input type="datetime-local" on:input=move |ev| end.set(event_target_value(&ev))/>
                </label>
                {move || problem.get().map(|p| view! { <p class="field-error">{p}</p> })}
                <button type="button" class="button button-small button-primary" on:click=apply>"Apply"</button>
            </div>
        </details>
    }
}
