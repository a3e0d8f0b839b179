use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

/// The app id in the current route (`/apps/{id}/…`), if it is a number.
pub fn use_app_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

/// The app's name and its sections as tabs.
#[component]
pub fn AppTabs(
    app_id: i64,
    #[prop(into)] name: String,
    #[prop(into)] description: String,
) -> impl IntoView {
    let path = use_location().pathname;
    // A section tab (`nested`) is also current on the pages below it (an issue, an alert rule).
    let tab = move |href: String, label: &'static str, nested: bool| {
        let current = href.clone();
        let below = format!("{href}/");
        let is_current = move || {
            path.with(|p| *p == current || (nested && p.starts_with(&below)))
                .then_some("page")
        };
        view! {
            <a class="tab" href=href aria-current=is_current>{label}</a>
        }
    };
    view! {
        <header class="page-header app-title">
            <div>
                <p class="eyebrow">"App"</p>
                <h1>{name}</h1>
                {(!description.is_empty()).then(|| view! { <p class="muted">{description}</p> })}
            </div>
        </header>
        <nav class="tabs page-tabs" aria-label="App sections">
            {tab(format!("/apps/{app_id}"), "Overview", false)}
            {tab(format!("/apps/{app_id}/issues"), "Issues", true)}
            {tab(format!("/apps/{app_id}/patterns"), "Patterns", false)}
            {tab(format!("/apps/{app_id}/alerts"), "Alerts", true)}
            {tab(format!("/apps/{app_id}/settings"), "Settings & keys", false)}
        </nav>
    }
}

/// What an app page shows when its id is not one of the user's apps.
#[component]
pub fn AppNotFound() -> impl IntoView {
    view! {
        <section class="empty-state card">
            <h1>"App not found"</h1>
            <p>"It may have been deleted, or it belongs to someone else."</p>
            <a class="button" href="/dashboard">"Back to your apps"</a>
        </section>
    }
}
