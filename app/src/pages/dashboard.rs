use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::apps::list_apps,
    components::{AppLayout, SignedIn},
    model::{
        account::UserView,
        apps::{AppSummary, compact_count},
    },
};

/// `/dashboard`: the signed-in home, every app with its numbers of the last 24 hours.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user=user.clone()>
                <header class="page-header">
                    <div>
                        <h1>{format!("Welcome, {}!", user.name)}</h1>
                        <p class="muted">"Your apps and what they are telling you, at a glance."</p>
                    </div>
                    <a class="button button-primary" href="/apps/new">"+ Add App"</a>
                </header>
                <AppList/>
            </AppLayout>
        }/>
    }
}

#[component]
fn AppList() -> impl IntoView {
    let apps = Resource::new(|| (), |_| list_apps());
    view! {
        <Suspense fallback=|| view! { <div class="grid-cards"><div class="skeleton skeleton-block"></div><div class="skeleton skeleton-block"></div></div> }>
            {move || Suspend::new(async move {
                match apps.await {
                    Ok(list) if list.is_empty() => view! { <NoApps/> }.into_any(),
                    Ok(list) => view! {
                        <section class="grid-cards" aria-label="Your apps">
                            {list.into_iter().map(|app| view! { <AppCard app/> }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(error) => view! { <p class="alert alert-danger" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppCard(app: AppSummary) -> impl IntoView {
    let last_line = app.last_line();
    let errors_class = if app.errors_24h > 0 {
        "stat-value tone-danger"
    } else {
        "stat-value"
    };
    view! {
        <article class="card app-card">
            <h2 class="card-title"><a href=format!("/apps/{}", app.id)>{app.name.clone()}</a></h2>
            <p class="muted app-card-description">
                {if app.description.is_empty() { "No description.".to_string() } else { app.description.clone() }}
            </p>
            <dl class="stats">
                <div>
                    <dt>"Lines (24h)"</dt>
                    <dd class="stat-value">{compact_count(app.lines_24h)}</dd>
                </div>
                <div>
                    <dt>"Errors (24h)"</dt>
                    <dd class=errors_class>{compact_count(app.errors_24h)}</dd>
                </div>
                <div>
                    <dt>"Last line"</dt>
                    <dd class="stat-value stat-text">{last_line}</dd>
                </div>
            </dl>
            <div class="app-card-links">
                <a href=format!("/apps/{}", app.id)>"Open"</a>
                <a href=format!("/apps/{}/settings", app.id)>"Settings & keys"</a>
            </div>
        </article>
    }
}

#[component]
fn NoApps() -> impl IntoView {
    view! {
        <section class="empty-state card" aria-labelledby="no-apps">
            <svg class="empty-state-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 6h16M4 12h10M4 18h7"/>
            </svg>
            <h2 id="no-apps">"No apps yet."</h2>
            <p>"Get started: register an app, get its API key, and send your first log line."</p>
            <a class="button button-primary" href="/apps/new">"+ Add your first app"</a>
        </section>
    }
}
