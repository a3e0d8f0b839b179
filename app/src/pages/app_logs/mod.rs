//! `/apps/{id}`: the app's logs. Health, the volume histogram and the newest lines on load;
//! new lines stream in live; the URL holds the search, so views can be shared.
mod live;
mod summary;
mod toolbar;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, hooks::use_navigate, hooks::use_query_map, lazy_route};

use crate::{
    api::{
        AppError,
        logs::{load_logs, older_logs},
    },
    components::{
        AppLayout, AppNotFound, AppTabs, LogTable, QuickStart, Secret, SignedIn, VolumeChart,
        use_app_id,
    },
    model::{
        account::UserView,
        apps::{Target, compact_count},
        logs::{HealthState, Histogram, LogRow, LogSearch, LogView, Range, zone_label},
        patterns::Summary,
    },
};
use live::LiveStatus;
#[cfg(feature = "hydrate")]
use live::{Feed, Handlers};
use summary::{SummaryCard, load_summary};
use toolbar::SearchToolbar;

/// Lines the table keeps; older ones are dropped as new ones arrive ("Load older" brings
/// them back).
const MAX_ROWS: usize = 1_000;
/// Scrolled further than this, the user is reading: new lines are counted, not shown.
#[cfg(feature = "hydrate")]
const READING_SCROLL_PX: f64 = 240.0;

#[component]
pub fn AppLogsPage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <AppLogs/>
            </AppLayout>
        }/>
    }
}

#[component]
fn AppLogs() -> impl IntoView {
    let app_id = use_app_id();
    let params = use_query_map();
    let search = Memo::new(move |_| params.with(|p| LogSearch::from_params(|k| p.get(k))));
    let data = Resource::new(
        move || (app_id.get(), search.get()),
        |(id, search)| async move { load_logs(id.ok_or(AppError::NotFound)?, search).await },
    );
    // The summary card's own read: it follows the range only (not the query or environment),
    // and the card waits for it in its own Transition, so a change of search never waits for
    // it and its error stays inside the card.
    let range = Memo::new(move |_| search.with(|s| s.range));
    let summary = Resource::new(
        move || (app_id.get(), range.get()),
        |(id, range)| load_summary(id, range),
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                let search = search.get_untracked();
                match data.await {
                    Ok(view) => view! { <Logs view search summary/> }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! { <BadSearch error search/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The URL's search could not run (a query that does not parse, a bad range): say why and
/// offer the toolbar to fix it.
#[component]
fn BadSearch(error: AppError, search: LogSearch) -> impl IntoView {
    let app_id = use_app_id().get_untracked().unwrap_or_default();
    let navigate = use_navigate();
    let on_search = Callback::new(move |s: LogSearch| {
        navigate(
            &format!("/apps/{app_id}{}", s.query_string()),
            Default::default(),
        )
    });
    view! {
        <Title text="Logs"/>
        <SearchToolbar app_id search environments=vec![] offset_min=Signal::stored(0) on_search/>
        <p class="alert alert-danger" role="alert">"This search could not run: " {error.to_string()}</p>
    }
}

#[component]
fn Logs(
    view: LogView,
    search: LogSearch,
    summary: Resource<Result<Summary, AppError>>,
) -> impl IntoView {
    let app = view.app.clone();
    let app_id = app.id;
    let navigate = use_navigate();
    let go = Callback::new(move |s: LogSearch| {
        navigate(
            &format!("/apps/{app_id}{}", s.query_string()),
            Default::default(),
        )
    });

    // The browser's zone, once hydrated (the server renders UTC).
    let offset_min = RwSignal::new(0i32);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        offset_min.set(-(js_sys::Date::new_0().get_timezone_offset() as i32));
    });

    let rows = RwSignal::new(view.page.lines.clone());
    let next = RwSignal::new(view.page.next);
    let histogram = RwSignal::new(view.histogram.clone());
    let pending = RwSignal::new(Vec::<LogRow>::new());
    let paused = RwSignal::new(false);
    let gap = RwSignal::new(None::<u64>);
    let is_live = matches!(search.range, Range::Last(_));
    let status = RwSignal::new(if is_live {
        LiveStatus::Connecting
    } else {
        LiveStatus::Off
    });
    let waiting = view.latest_id == 0;
    let seen_any = RwSignal::new(!waiting);

    let show = move |mut new: Vec<LogRow>| {
        rows.update(|rows| {
            new.append(rows);
            *rows = new;
            if rows.len() > MAX_ROWS {
                rows.truncate(MAX_ROWS);
                next.set(rows.last().map(LogRow::cursor));
            }
        });
    };
    let flush = move || {
        let waiting_rows = pending.try_update(std::mem::take).unwrap_or_default();
        if !waiting_rows.is_empty() {
            show(waiting_rows);
        }
    };
    let on_lines = Callback::new(move |arrived: Vec<LogRow>| {
        seen_any.set(true);
        histogram.update(|h| count_into(h, &arrived));
        let newest_first: Vec<LogRow> = arrived.into_iter().rev().collect();
        if paused.get_untracked() || reading() {
            pending.update(|p| {
                let mut all = newest_first;
                all.append(p);
                all.truncate(MAX_ROWS);
                *p = all;
            });
        } else {
            show(newest_first);
        }
    });
    let on_gap = Callback::new(move |missed: u64| gap.set(Some(missed)));

    if is_live {
        let url = format!("/apps/{app_id}/logs/live{}", search.query_string());
        let after = view.latest_id;
        // Browser only: the server never opens the feed, and a thread-local value must not
        // be touched by the cleanup that ends a render, which may run on another thread
        // (it panicked there and cut the page off mid-stream).
        #[cfg(feature = "hydrate")]
        {
            let feed = StoredValue::new_local(None::<Feed>);
            Effect::new(move |_| {
                let handlers = Handlers {
                    status,
                    on_lines,
                    on_gap,
                };
                feed.set_value(Some(Feed::open(url.clone(), after, handlers)));
            });
            on_cleanup(move || feed.set_value(None));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (url, after, status, on_lines, on_gap);
        #[cfg(feature = "hydrate")]
        {
            // Back at the top while live: show what was counted.
            let handle = window_event_listener(leptos::ev::scroll, move |_| {
                if !paused.get_untracked() && !reading() {
                    flush();
                }
            });
            on_cleanup(move || handle.remove());
        }
    }

    let older = {
        let search = search.clone();
        Action::new(move |before: &crate::model::logs::Cursor| {
            let (search, before) = (search.clone(), *before);
            async move { older_logs(app_id, search, before).await }
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(page)) = older.value().get() {
            rows.update(|rows| rows.extend(page.lines));
            next.set(page.next);
        }
    });

    let export = |format: &str| {
        let qs = search.query_string();
        let sep = if qs.is_empty() { '?' } else { '&' };
        format!("/apps/{app_id}/logs/export{qs}{sep}format={format}")
    };
    let (csv, ndjson) = (export("csv"), export("ndjson"));
    let health = view.health;
    let tone = match health.state {
        HealthState::Quiet => "tone-idle",
        HealthState::Good => "tone-ok",
        HealthState::Degraded => "tone-warn",
        HealthState::Critical => "tone-danger",
    };
    let target = Target {
        base_url: app.base_url.clone(),
        api_key: "sk_…".into(),
        dsn: app.dsn.clone(),
    };
    let range_label = match search.range {
        Range::Last(period) => format!("last {}", period.as_str()),
        Range::Between { .. } => "selected range".into(),
    };
    let zoom = {
        let search = search.clone();
        Callback::new(move |(start_us, end_us): (i64, i64)| {
            go.run(LogSearch {
                range: Range::Between { start_us, end_us },
                ..search.clone()
            })
        })
    };
    let add_filter = {
        let search = search.clone();
        Callback::new(move |term: String| {
            let q = if search.q.trim().is_empty() {
                term
            } else {
                format!("{} {term}", search.q.trim())
            };
            go.run(LogSearch {
                q,
                ..search.clone()
            })
        })
    };
    let fresh_from = Signal::stored(view.latest_id);
    let clear = LogSearch {
        q: String::new(),
        ..search.clone()
    };
    let wider = LogSearch {
        range: Range::Last(crate::model::logs::Period::D7),
        ..search.clone()
    };
    let (clear_href, wider_href) = (
        format!("/apps/{app_id}{}", clear.query_string()),
        format!("/apps/{app_id}{}", wider.query_string()),
    );
    let has_query = !search.q.trim().is_empty();

    view! {
        <Title text=app.name.clone()/>
        <AppTabs app_id name=app.name.clone() description=app.description.clone()/>
        <dl class="stats stats-strip card health-strip">
            <div>
                <dt>"Health"</dt>
                <dd class="stat-value stat-text" title="From the share of error and fatal lines in the last 5 minutes: Good ≤ 1 %, Degraded ≤ 10 %, Critical above.">
                    <span class=format!("status-dot {tone}") aria-hidden="true"></span>
                    {health.state.label()}
                </dd>
            </div>
            <div>
                <dt>"Errors (24h)"</dt>
                <dd class="stat-value" class:tone-danger={health.errors_24h > 0}>{compact_count(health.errors_24h)}</dd>
            </div>
            <div>
                <dt>"Logs/min"</dt>
                <dd class="stat-value">{format_rate(health.per_minute)}</dd>
            </div>
            <div>
                <dt>"Lines (" {range_label.clone()} ")"</dt>
                <dd class="stat-value">{move || compact_count(histogram.with(Histogram::total) as i64)}</dd>
            </div>
        </dl>
        <SearchToolbar app_id search=search.clone() environments=view.environments.clone() offset_min on_search=go/>
        <section class="card chart-card" aria-label="Volume">
            <VolumeChart histogram offset_min on_zoom=zoom/>
        </section>
        // Under the search and the volume, so that they stay where the eye looks first.
        <SummaryCard app_id range=search.range summary/>
        <section class="card logs-card" aria-labelledby="lines-title">
            <header class="logs-header">
                <div class="live-state">
                    <span class=move || format!("status-dot {}", status.get().tone()) aria-hidden="true"></span>
                    <h2 id="lines-title" class="card-title">"Lines"</h2>
                    <span class="badge live-badge" data-testid="live-status">{move || status.get().label()}</span>
                </div>
                <div class="actions">
                    {move || {
                        let n = pending.with(Vec::len);
                        (n > 0).then(|| view! {
                            <button type="button" class="button button-small button-primary new-lines"
                                on:click=move |_| {
                                    paused.set(false);
                                    flush();
                                    #[cfg(feature = "hydrate")]
                                    window().scroll_to_with_x_and_y(0.0, 0.0);
                                }>
                                {format!("{n} new line{}", if n == 1 { "" } else { "s" })}
                            </button>
                        })
                    }}
                    {is_live.then(|| view! {
                        <button type="button" class="button button-small" aria-pressed=move || paused.get().to_string()
                            on:click=move |_| {
                                let now = !paused.get_untracked();
                                paused.set(now);
                                if !now { flush(); }
                            }>
                            {move || if paused.get() { "Resume" } else { "Pause" }}
                        </button>
                    })}
                    <a class="button button-small" href=csv.clone() download>"Export CSV"</a>
                    <a class="button button-small" href=ndjson.clone() download>"Export NDJSON"</a>
                </div>
            </header>
            {move || gap.get().map(|missed| view! {
                <p class="alert alert-warn" role="status">
                    {format!("{missed} lines arrived faster than this view shows them. ")}
                    <a href=format!("/apps/{app_id}") on:click=move |_| gap.set(None)>"Reload the newest"</a>
                </p>
            })}
            {
                let target = target.clone();
                let (clear_href, wider_href) = (clear_href.clone(), wider_href.clone());
                move || {
                    if !rows.with(Vec::is_empty) {
                        return view! {
                            <LogTable app_id rows offset_min on_filter=add_filter fresh_from/>
                        }.into_any();
                    }
                    if !seen_any.get() {
                        return view! {
                            <div class="empty-state">
                                <span class="status-dot tone-idle" aria-hidden="true"></span>
                                <h3>"Waiting for the first line"</h3>
                                <p>"Send one with a snippet below, using the API key you saved when you created the app. It appears here within a second."</p>
                                <QuickStart target=target.clone()>
                                    "Replace " <code>"sk_…"</code> " with your key. Lost it? "
                                    <a href=format!("/apps/{app_id}/settings#keys")>"Create a new key"</a> "."
                                </QuickStart>
                                <h4 class="subheading">"DSN for official Sentry SDKs"</h4>
                                <Secret text=target.dsn.clone() label="Copy DSN"/>
                            </div>
                        }.into_any();
                    }
                    view! {
                        <div class="empty-state">
                            <h3>"No lines match"</h3>
                            <p>{format!("Nothing in the {range_label} matches this search.")}</p>
                            <p class="actions">
                                <a class="button button-small" href=wider_href.clone()>"Search the last 7 days"</a>
                                {has_query.then(|| view! { <a class="button button-small button-ghost" href=clear_href.clone()>"Clear the query"</a> })}
                            </p>
                        </div>
                    }.into_any()
                }
            }
            {move || next.get().map(|cursor| view! {
                <div class="load-older">
                    <button type="button" class="button" disabled=move || older.pending().get()
                        on:click=move |_| { older.dispatch(cursor); }>
                        {move || if older.pending().get() { "Loading…" } else { "Load older" }}
                    </button>
                    {move || match older.value().get() {
                        Some(Err(e)) => Some(view! { <p class="field-error" role="alert">{e.to_string()}</p> }),
                        _ => None,
                    }}
                </div>
            })}
            <p class="zone-note">{move || format!("Times in {}.", zone_label(offset_min.get()))}</p>
        </section>
    }
}

/// Whether the user has scrolled down to read: new lines are then counted, not shown.
fn reading() -> bool {
    #[cfg(feature = "hydrate")]
    {
        window().scroll_y().unwrap_or(0.0) > READING_SCROLL_PX
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Adds live lines to the histogram; for a period ending now, the window slides forward.
fn count_into(h: &mut Histogram, rows: &[LogRow]) {
    if h.bucket_us <= 0 || h.counts.is_empty() {
        return;
    }
    for row in rows {
        while row.ts >= h.end_us() {
            h.counts.remove(0);
            h.counts.push([0; 6]);
            h.start_us += h.bucket_us;
        }
        if row.ts >= h.start_us {
            let i = ((row.ts - h.start_us) / h.bucket_us) as usize;
            if let Some(bucket) = h.counts.get_mut(i) {
                bucket[row.level as usize] += 1;
            }
        }
    }
}

fn format_rate(per_minute: f64) -> String {
    if per_minute >= 100.0 {
        compact_count(per_minute.round() as i64)
    } else {
        format!("{per_minute:.1}")
    }
}

/// The page's code is split from the main wasm bundle and loaded when the route is visited
/// (`cargo leptos build --split`).
pub struct AppLogsRoute;

#[lazy_route]
impl LazyRoute for AppLogsRoute {
    fn data() -> Self {
        AppLogsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <AppLogsPage/> }.into_any()
    }
}
