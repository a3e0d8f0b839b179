//! What the rules did, newest first: each time one fired, resolved or was tested, the lines
//! (or the issue) behind it, and how each notification went. Shown on the alerts page for
//! every rule and on a rule's page for that rule.
use leptos::prelude::*;

use super::LocalTime;
use crate::model::alerts::{DeliveryStatus, DeliveryView, EntryKind, HistoryEntry, rule_href};

#[component]
pub fn AlertHistory(
    app_id: i64,
    #[prop(into)] entries: Signal<Vec<HistoryEntry>>,
    /// The browser's zone, minutes east of UTC.
    #[prop(into)]
    offset_min: Signal<i32>,
) -> impl IntoView {
    move || {
        let entries = entries.get();
        if entries.is_empty() {
            return view! {
                <p class="muted history-empty">
                    "Nothing yet. Each time a rule fires or resolves, or a test is sent, it is listed here with how every notification went."
                </p>
            }
            .into_any();
        }
        let items = entries
            .into_iter()
            .map(|entry| view! { <Entry app_id entry offset_min/> })
            .collect_view();
        view! { <ol class="alert-history" aria-label="Alert history">{items}</ol> }.into_any()
    }
}

#[component]
fn Entry(app_id: i64, entry: HistoryEntry, offset_min: Signal<i32>) -> impl IntoView {
    let tone = match entry.kind {
        EntryKind::Fired => "badge badge-danger",
        EntryKind::Resolved => "badge badge-ok",
        EntryKind::Test => "badge badge-secondary",
    };
    let link = (!entry.link.is_empty()).then(|| {
        let label = if entry.link.contains("/issues/") {
            "View issue"
        } else if entry.link.ends_with("/issues") {
            "View issues"
        } else {
            "View lines"
        };
        view! { <a class="history-link" href=entry.link.clone()>{label}</a> }
    });
    let deliveries = if entry.deliveries.is_empty() {
        view! { <p class="muted delivery-none">"No channel to notify."</p> }.into_any()
    } else {
        let items = entry
            .deliveries
            .into_iter()
            .map(|delivery| view! { <Delivery delivery offset_min/> })
            .collect_view();
        view! { <ul class="deliveries" aria-label="Notifications">{items}</ul> }.into_any()
    };
    view! {
        <li class="history-entry" data-kind=entry.kind.as_str()>
            <div class="history-head">
                <span class=format!("{tone} history-kind")>{entry.kind.label()}</span>
                <LocalTime at_us=entry.at_us offset_min/>
                <a class="history-rule" href=rule_href(app_id, entry.rule_id)>{entry.rule_name.clone()}</a>
            </div>
            <p class="history-summary">{entry.summary.clone()} " " {link}</p>
            {deliveries}
        </li>
    }
}

/// One notification: the channel, where it stands and how many tries it took.
#[component]
fn Delivery(delivery: DeliveryView, offset_min: Signal<i32>) -> impl IntoView {
    let tone = match delivery.status {
        DeliveryStatus::Sent => "badge badge-ok",
        DeliveryStatus::Pending => "badge badge-warn",
        DeliveryStatus::Failed => "badge badge-danger",
        DeliveryStatus::Suppressed => "badge",
    };
    let attempts = match delivery.attempts {
        0 => None,
        1 => Some("1 attempt".to_string()),
        n => Some(format!("{n} attempts")),
    };
    let detail = match delivery.status {
        DeliveryStatus::Sent => delivery.delivered_us.map(|at| {
            view! { <span class="delivery-detail muted">"at " <LocalTime at_us=at offset_min/></span> }
                .into_any()
        }),
        DeliveryStatus::Pending => {
            let next = delivery.next_attempt_us.map(|at| {
                view! { "next attempt " <LocalTime at_us=at offset_min/> }
            });
            let error = delivery
                .last_error
                .clone()
                .map(|e| view! { <span class="delivery-error">{format!(" · last try: {e}")}</span> });
            (next.is_some() || error.is_some()).then(|| {
                view! { <span class="delivery-detail muted">{next}{error}</span> }.into_any()
            })
        }
        DeliveryStatus::Failed => Some(
            view! {
                <span class="delivery-detail delivery-error">
                    {delivery.last_error.clone().unwrap_or_else(|| "Every attempt failed.".into())}
                </span>
            }
            .into_any(),
        ),
        DeliveryStatus::Suppressed => Some(
            view! { <span class="delivery-detail muted">"The rule had notified within its cooldown."</span> }
                .into_any(),
        ),
    };
    view! {
        <li class="delivery" data-status=delivery.status.as_str()>
            <span class="delivery-channel">{delivery.channel.label()}</span>
            <span class="delivery-target mono">{delivery.channel.target.clone()}</span>
            <span class=format!("{tone} delivery-status")>{delivery.status.label()}</span>
            {attempts.map(|a| view! { <span class="delivery-attempts muted">{a}</span> })}
            {detail}
        </li>
    }
}
