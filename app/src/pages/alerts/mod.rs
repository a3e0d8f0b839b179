//! The app's alerts (docs/alerts.md): its rules with their state and the latest history
//! (`/apps/{id}/alerts`), the form for a new rule (`/apps/{id}/alerts/new`, pre-filled from
//! the log view's `q` and `environment`), and one rule with its settings, "Send test" and its
//! history (`/apps/{id}/alerts/{rule}`). All three are one lazy route
//! (`/apps/:id/alerts/:rule_id?`), split from the main bundle like the issues.
mod form;
mod history;
mod list;
mod rule;

use leptos::prelude::*;
use leptos_router::{LazyRoute, hooks::use_params_map, lazy_route};

use crate::{
    components::{AppLayout, SignedIn},
    model::{
        account::UserView,
        alerts::RuleState,
        logs::{local_time, zone_label},
        query::format_rfc3339,
    },
};

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <AlertSection/>
            </AppLayout>
        }/>
    }
}

/// Which of the three pages the path asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    List,
    New,
    /// A rule's page; `None` when the path's id is not a number.
    Rule(Option<i64>),
}

/// The list without a rule in the path, the form at `new`, a rule's page at its id; going
/// from one to another keeps the layout (and its list of apps).
#[component]
fn AlertSection() -> impl IntoView {
    let params = use_params_map();
    let section = Memo::new(move |_| match params.read().get("rule_id") {
        None => Section::List,
        Some(id) if id == "new" => Section::New,
        Some(id) => Section::Rule(id.parse().ok()),
    });
    move || match section.get() {
        Section::List => view! { <list::AlertList/> }.into_any(),
        Section::New => view! { <rule::NewRule/> }.into_any(),
        Section::Rule(rule_id) => view! { <rule::RulePage rule_id/> }.into_any(),
    }
}

/// The pages' code is split from the main wasm bundle and loaded when one is visited
/// (`cargo leptos build --split`).
pub struct AlertsRoute;

#[lazy_route]
impl LazyRoute for AlertsRoute {
    fn data() -> Self {
        AlertsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <AlertsPage/> }.into_any()
    }
}

/// The browser's zone in minutes east of UTC, once hydrated; the server renders UTC.
fn use_offset_min() -> RwSignal<i32> {
    let offset_min = RwSignal::new(0i32);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        offset_min.set(-(js_sys::Date::new_0().get_timezone_offset() as i32));
    });
    offset_min
}

/// An instant in the browser's zone, to the second (`05-14 09:12:03`), with the exact UTC
/// time as its tooltip.
#[component]
fn LocalTime(at_us: i64, #[prop(into)] offset_min: Signal<i32>) -> impl IntoView {
    let text = move || {
        let full = local_time(at_us, offset_min.get(), true);
        match full.rsplit_once('.') {
            Some((seconds, _millis)) => seconds.to_string(),
            None => full,
        }
    };
    view! {
        <time class="nowrap" datetime=format_rfc3339(at_us) title=format_rfc3339(at_us)>{text}</time>
    }
}

/// "Times in UTC+02:00.", under a list of times.
#[component]
fn ZoneNote(#[prop(into)] offset_min: Signal<i32>) -> impl IntoView {
    view! { <p class="zone-note">{move || format!("Times in {}.", zone_label(offset_min.get()))}</p> }
}

/// Where a rule stands: firing in the danger colour, OK in the ok colour, resolved muted.
#[component]
fn StateBadge(state: RuleState) -> impl IntoView {
    let tone = match state {
        RuleState::Firing => "badge badge-danger",
        RuleState::Ok => "badge badge-ok",
        RuleState::Resolved => "badge",
    };
    view! { <span class=format!("{tone} rule-state rule-state-{}", state.as_str())>{state.label()}</span> }
}

/// A warning that some of the rule's notifications failed for good or wait for a retry;
/// nothing when none did.
#[component]
fn FailingBadge(failing: u32) -> impl IntoView {
    let text = match failing {
        0 => return None,
        1 => "1 notification failing".to_string(),
        n => format!("{n} notifications failing"),
    };
    Some(view! {
        <span class="badge badge-warn rule-failing" title="Failed for good or waiting for a retry: see the history.">
            {text}
        </span>
    })
}
