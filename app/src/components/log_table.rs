//! The log table: time, level, service and message per line; a line opens to show every
//! field and attribute, and ids filter the view on click. Log text is always text.
use leptos::prelude::*;

use crate::model::{
    logs::{LogRow, local_time},
    query::{Expr, Field, Value},
};

/// The page of the issue a line belongs to.
fn issue_href(app_id: i64, issue_id: i64) -> String {
    format!("/apps/{app_id}/issues/{issue_id}")
}

/// The query term that selects lines whose `field` is `value` (quoted as needed).
pub fn term(field: Field, value: &str) -> String {
    Expr::is(field, Value::Text(value.to_string())).to_string()
}

#[component]
pub fn LogTable(
    /// The app the lines belong to, for links to their issues.
    app_id: i64,
    #[prop(into)] rows: Signal<Vec<LogRow>>,
    /// The browser's zone, minutes east of UTC.
    #[prop(into)]
    offset_min: Signal<i32>,
    /// Called with a query term (`trace:abc`) to add to the search.
    on_filter: Callback<String>,
    /// Ids of lines that arrived live, highlighted briefly.
    #[prop(into)]
    fresh_from: Signal<i64>,
) -> impl IntoView {
    let open = RwSignal::new(None::<i64>);
    view! {
        <div class="table-wrap log-table-wrap">
            <table class="table log-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-time">"Timestamp"</th>
                        <th scope="col" class="col-level">"Level"</th>
                        <th scope="col" class="col-service">"Service"</th>
                        <th scope="col">"Message"</th>
                    </tr>
                </thead>
                <For
                    each=move || rows.get()
                    key=|row| row.id
                    children=move |row: LogRow| {
                        let id = row.id;
                        let is_open = move || open.get() == Some(id);
                        let toggle = move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) });
                        let level = row.level.name();
                        let ts = row.ts;
                        let fresh = move || id > fresh_from.get();
                        let detail = row.clone();
                        view! {
                            <tbody class="log-entry" class:is-open=is_open class:is-fresh=fresh>
                                <tr class="log-row" on:click=toggle>
                                    <td class="mono nowrap col-time">
                                        <button type="button" class="row-toggle" aria-expanded=move || is_open().to_string()
                                            aria-label="Show every field of this line">
                                            {move || local_time(ts, offset_min.get(), true)}
                                        </button>
                                    </td>
                                    <td class="col-level"><span class=format!("badge level-{level}")>{level}</span></td>
                                    <td class="col-service mono nowrap">{row.service.clone()}</td>
                                    <td class="mono log-message">
                                        {row.issue_id.map(|issue| view! {
                                            <a class="badge badge-danger issue-link" href=issue_href(app_id, issue)
                                                title=format!("Open issue #{issue}")>"Issue"</a>
                                        })}
                                        {row.message.clone()}
                                    </td>
                                </tr>
                                <Show when=is_open>
                                    <LineDetail app_id row=detail.clone() on_filter offset_min/>
                                </Show>
                            </tbody>
                        }
                    }
                />
            </table>
        </div>
    }
}

#[component]
fn LineDetail(
    app_id: i64,
    row: LogRow,
    on_filter: Callback<String>,
    offset_min: Signal<i32>,
) -> impl IntoView {
    let filter_button = move |field: Field, value: String| {
        let term = term(field, &value);
        let label = format!("Filter by {term}");
        view! {
            <button type="button" class="button button-ghost button-small filter-chip mono" title=label.clone() aria-label=label
                on:click=move |ev| { ev.stop_propagation(); on_filter.run(term.clone()); }>
                {value}
            </button>
        }
    };
    let ts = row.ts;
    let mut fields: Vec<AnyView> = Vec::new();
    let plain = |name: &'static str, value: String| {
        view! { <dt>{name}</dt><dd class="mono">{value}</dd> }.into_any()
    };
    fields.push(
        view! { <dt>"Time"</dt><dd class="mono">{move || local_time(ts, offset_min.get(), true)} " · " {crate::model::query::format_rfc3339(ts)}</dd> }
            .into_any(),
    );
    fields.push(plain("Line id", row.id.to_string()));
    if let Some(env) = row.environment.clone() {
        fields.push(
            view! { <dt>"Environment"</dt><dd>{filter_button(Field::Environment, env)}</dd> }
                .into_any(),
        );
    }
    if let Some(release) = row.release.clone() {
        fields.push(
            view! { <dt>"Release"</dt><dd>{filter_button(Field::Release, release)}</dd> }
                .into_any(),
        );
    }
    if let Some(trace) = row.trace_id.clone() {
        fields.push(
            view! { <dt>"Trace"</dt><dd>{filter_button(Field::Trace, trace)}</dd> }.into_any(),
        );
    }
    if let Some(issue) = row.issue_id {
        fields.push(
            view! { <dt>"Issue"</dt><dd class="mono"><a href=issue_href(app_id, issue)>{format!("#{issue}")}</a></dd> }
                .into_any(),
        );
    }
    let attributes = row.attribute_pairs();
    let attributes = (!attributes.is_empty()).then(|| {
        let items = attributes
            .into_iter()
            .map(|(key, value)| {
                let field = Field::Attr(key.clone());
                view! { <dt class="mono">{key}</dt><dd>{filter_button(field, value)}</dd> }
            })
            .collect_view();
        view! {
            <h4 class="detail-heading">"Attributes"</h4>
            <dl class="detail-list">{items}</dl>
        }
    });
    view! {
        <tr class="log-detail">
            <td colspan="4">
                <pre class="mono detail-message">{row.message.clone()}</pre>
                <dl class="detail-list">{fields}</dl>
                {attributes}
            </td>
        </tr>
    }
}
