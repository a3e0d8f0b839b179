//! What else an event carried: breadcrumbs, the request, the user, contexts and extra data,
//! the SDK and runtime, tags (this event's and the issue's most frequent), and why its events
//! were grouped together. Sections with nothing to show are left out.
use leptos::prelude::*;

use super::LevelBadge;
use crate::{
    components::term,
    model::{
        account::encode_query_value,
        issues::{BreadcrumbView, EventDetail, RequestView, TagCounts, UserView, grouping_parts},
        logs::local_time,
        query::Field,
    },
};

#[component]
pub fn Breadcrumbs(crumbs: Vec<BreadcrumbView>) -> impl IntoView {
    (!crumbs.is_empty()).then(|| {
        let count = crumbs.len();
        let items = crumbs
            .into_iter()
            .map(|crumb| {
                let kind = crumb
                    .category
                    .clone()
                    .or_else(|| crumb.ty.clone())
                    .unwrap_or_else(|| "default".into());
                view! {
                    <li class="crumb">
                        <span class="crumb-time mono">
                            {crumb.ts.map(|ts| local_time(ts, 0, false)).unwrap_or_default()}
                        </span>
                        <span class="crumb-kind mono">{kind}</span>
                        <span class="crumb-level">{crumb.level.map(|level| view! { <LevelBadge level/> })}</span>
                        <div class="crumb-body">
                            {crumb.message.clone().map(|m| view! { <p class="crumb-message mono">{m}</p> })}
                            {crumb.data.clone().map(|data| view! {
                                <details class="crumb-data">
                                    <summary>"Data"</summary>
                                    <pre class="code-block">{data}</pre>
                                </details>
                            })}
                        </div>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="crumbs-title">
                <header class="card-header">
                    <h2 id="crumbs-title" class="card-title">"Breadcrumbs"</h2>
                    <span class="muted crumb-note">{format!("{count}, the oldest first · times in UTC")}</span>
                </header>
                <ol class="breadcrumbs">{items}</ol>
            </section>
        }
    })
}

#[component]
pub fn RequestSection(request: Option<RequestView>) -> impl IntoView {
    request.map(|request| {
        let line = [request.method.clone(), request.url.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let headers = (!request.headers.is_empty()).then(|| {
            let rows = request
                .headers
                .iter()
                .map(|(name, value)| {
                    view! { <tr><th scope="row" class="mono">{name.clone()}</th><td class="mono wrap">{value.clone()}</td></tr> }
                })
                .collect_view();
            view! {
                <h3 class="detail-heading">"Headers"</h3>
                <div class="table-wrap">
                    <table class="table table-compact kv-table"><tbody>{rows}</tbody></table>
                </div>
            }
        });
        view! {
            <section class="card" aria-labelledby="request-title">
                <h2 id="request-title" class="card-title">"Request"</h2>
                {(!line.is_empty()).then(|| view! { <p class="request-line mono">{line}</p> })}
                {headers}
                {request.query_string.clone().filter(|q| !q.is_empty()).map(|q| view! {
                    <h3 class="detail-heading">"Query string"</h3>
                    <pre class="code-block">{q}</pre>
                })}
                {request.data.clone().map(|data| view! {
                    <h3 class="detail-heading">"Body"</h3>
                    <pre class="code-block">{data}</pre>
                })}
            </section>
        }
    })
}

#[component]
pub fn UserSection(user: Option<UserView>) -> impl IntoView {
    user.filter(|user| user.key().is_some()).map(|user| {
        let fields = [
            ("ID", user.id),
            ("Email", user.email),
            ("Username", user.username),
            ("IP address", user.ip_address),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| (name, v)))
        .map(|(name, value)| view! { <dt>{name}</dt><dd class="mono">{value}</dd> })
        .collect_view();
        view! {
            <section class="card" aria-labelledby="user-title">
                <h2 id="user-title" class="card-title">"User"</h2>
                <dl class="detail-list">{fields}</dl>
            </section>
        }
    })
}

/// The SDK's contexts (runtime, OS, browser…) and the event's extra data, as JSON text.
#[component]
pub fn Contexts(contexts: Vec<(String, String)>, extra: Option<String>) -> impl IntoView {
    (!contexts.is_empty() || extra.is_some()).then(|| {
        let items = contexts
            .into_iter()
            .map(|(name, json)| {
                view! {
                    <div class="context-item">
                        <h3 class="detail-heading">{name}</h3>
                        <pre class="code-block">{json}</pre>
                    </div>
                }
            })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="contexts-title">
                <h2 id="contexts-title" class="card-title">"Contexts"</h2>
                <div class="context-grid">
                    {items}
                    {extra.map(|json| view! {
                        <div class="context-item">
                            <h3 class="detail-heading">"Extra"</h3>
                            <pre class="code-block">{json}</pre>
                        </div>
                    })}
                </div>
            </section>
        }
    })
}

/// Where the event came from: the SDK, platform, logger, transaction, host and trace.
#[component]
pub fn Runtime(app_id: i64, detail: EventDetail) -> impl IntoView {
    let fields: Vec<(&str, String)> = [
        ("SDK", detail.sdk),
        ("Platform", detail.platform),
        ("Logger", detail.logger),
        ("Transaction", detail.transaction),
        ("Server", detail.server_name),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.filter(|v| !v.is_empty()).map(|v| (name, v)))
    .collect();
    let trace = detail.trace_id.filter(|t| !t.is_empty());
    (!fields.is_empty() || trace.is_some()).then(|| {
        let plain = fields
            .into_iter()
            .map(|(name, value)| view! { <dt>{name}</dt><dd class="mono">{value}</dd> })
            .collect_view();
        let trace = trace.map(|trace| {
            let href = format!(
                "/apps/{app_id}?q={}",
                encode_query_value(&term(Field::Trace, &trace))
            );
            view! {
                <dt>"Trace"</dt>
                <dd class="mono"><a href=href title="Log lines of this trace (last 24 hours)">{trace}</a></dd>
            }
        });
        view! {
            <section class="card" aria-labelledby="sdk-title">
                <h2 id="sdk-title" class="card-title">"SDK and runtime"</h2>
                <dl class="detail-list">{plain}{trace}</dl>
            </section>
        }
    })
}

/// This event's tags, then each key's most frequent values over all of the issue's events.
#[component]
pub fn Tags(event_tags: Vec<(String, String)>, counts: Vec<TagCounts>) -> impl IntoView {
    (!event_tags.is_empty() || !counts.is_empty()).then(|| {
        let pills = (!event_tags.is_empty()).then(|| {
            let items = event_tags
                .into_iter()
                .map(|(key, value)| {
                    view! {
                        <li class="tag-pill"><span class="tag-key">{key}</span><span class="tag-value">{value}</span></li>
                    }
                })
                .collect_view();
            view! {
                <h3 class="detail-heading">"This event"</h3>
                <ul class="tag-pills">{items}</ul>
            }
        });
        let summary = (!counts.is_empty()).then(|| {
            let keys = counts
                .into_iter()
                .map(|tag| view! { <TagDistribution tag/> })
                .collect_view();
            view! {
                <h3 class="detail-heading">"All events of this issue"</h3>
                <div class="tag-grid">{keys}</div>
            }
        });
        view! {
            <section class="card" aria-labelledby="tags-title">
                <h2 id="tags-title" class="card-title">"Tags"</h2>
                {pills}
                {summary}
            </section>
        }
    })
}

#[component]
fn TagDistribution(tag: TagCounts) -> impl IntoView {
    let listed: i64 = tag.values.iter().map(|(_, n)| n).sum();
    let others = tag.total - listed;
    let values = tag
        .values
        .iter()
        .map(|(value, count)| {
            let percent = tag.percent(*count);
            view! {
                <li class="tag-row">
                    <span class="tag-row-value mono" title=value.clone()>{value.clone()}</span>
                    <span class="tag-row-share">{format!("{percent}%")}</span>
                    <span class="tag-bar" aria-hidden="true">
                        <span class="tag-bar-fill" style=format!("width: {percent}%")></span>
                    </span>
                    <span class="visually-hidden">{format!("{count} events")}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="tag-card">
            <p class="tag-card-head">
                <span class="tag-key mono">{tag.key.clone()}</span>
                <span class="muted">{format!(
                    "{} value{} · {} event{}",
                    tag.distinct, if tag.distinct == 1 { "" } else { "s" },
                    tag.total, if tag.total == 1 { "" } else { "s" },
                )}</span>
            </p>
            <ul class="tag-rows">{values}</ul>
            {(others > 0).then(|| view! {
                <p class="muted tag-others">{format!("{others} more with other values")}</p>
            })}
        </div>
    }
}

/// Why these events are one issue: the rule and what it hashed.
#[component]
pub fn Grouping(grouping: Vec<String>, fingerprint: Vec<String>) -> impl IntoView {
    let explained = grouping_parts(&grouping).map(|(rule, parts)| {
        let rule = match rule {
            "exception" => "the raised exception".to_string(),
            "message" => "the message".to_string(),
            "fingerprint" => "the SDK's fingerprint".to_string(),
            other => other.to_string(),
        };
        let parts = parts
            .into_iter()
            .map(|(name, part)| {
                let value = if part.is_empty() {
                    "(none)".to_string()
                } else {
                    part.to_string()
                };
                view! {
                    <dt>{name.unwrap_or("part")}</dt>
                    <dd class="mono">{value}</dd>
                }
            })
            .collect_view();
        view! {
            <p class="muted">{format!("Grouped by {rule}, from:")}</p>
            <dl class="detail-list grouping-parts">{parts}</dl>
        }
    });
    (explained.is_some() || !fingerprint.is_empty()).then(|| view! {
        <section class="card" aria-labelledby="grouping-title">
            <h2 id="grouping-title" class="card-title">"Grouping"</h2>
            {explained}
            {(!fingerprint.is_empty()).then(|| view! {
                <p class="muted grouping-fingerprint">"This event's fingerprint: " <span class="mono">{fingerprint.join(" ")}</span></p>
            })}
            <p class="field-hint">"Events whose parts are the same are one issue."</p>
        </section>
    })
}
