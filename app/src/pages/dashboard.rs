use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, lazy_route};

use crate::{
    components::{AppLayout, AppStats, SignedIn, UserApps},
    model::{account::UserView, apps::AppSummary},
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
    let apps = expect_context::<UserApps>();
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
    view! {
        <article class="card app-card">
            <h2 class="card-title"><a href=format!("/apps/{}", app.id)>{app.name.clone()}</a></h2>
            <p class="muted app-card-description">
                {if app.description.is_empty() { "No description.".to_string() } else { app.description.clone() }}
            </p>
            <AppStats summary=app.clone()/>
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

/// The dashboard's code is a chunk of its own, loaded when the page is visited: the main
/// bundle is what the landing and sign-in pages load.
pub struct DashboardRoute;

#[lazy_route]
impl LazyRoute for DashboardRoute {
    fn data() -> Self {
        DashboardRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <DashboardPage/> }.into_any()
    }
}
