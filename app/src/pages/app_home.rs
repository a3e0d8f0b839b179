//! `/apps/{id}`: the app's numbers and how to send it lines. (The live log view replaces the
//! waiting state once lines arrive, see the app dashboard issue.)
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, lazy_route};

use crate::{
    api::{AppError, apps::app_overview},
    components::{
        AppLayout, AppNotFound, AppStats, AppTabs, QuickStart, Secret, SignedIn, use_app_id,
    },
    model::{
        account::UserView,
        apps::{AppSummary, AppView, Target},
    },
};

#[component]
pub fn AppHomePage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <AppHome/>
            </AppLayout>
        }/>
    }
}

#[component]
fn AppHome() -> impl IntoView {
    let app_id = use_app_id();
    let data = Resource::new(
        move || app_id.get(),
        |id| async move { app_overview(id.ok_or(AppError::NotFound)?).await },
    );
    view! {
        <Suspense fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((app, summary)) => view! { <Overview app summary/> }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-danger" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(app: AppView, summary: AppSummary) -> impl IntoView {
    let target = Target {
        base_url: app.base_url.clone(),
        api_key: "sk_…".into(),
        dsn: app.dsn.clone(),
    };
    let waiting = summary.last_line_us.is_none();
    view! {
        <Title text=app.name.clone()/>
        <AppTabs app_id=app.id name=app.name.clone() description=app.description.clone()/>
        <AppStats summary class="stats stats-strip card"/>
        {waiting.then(|| view! {
            <section class="empty-state card" aria-labelledby="waiting">
                <span class="status-dot tone-idle" aria-hidden="true"></span>
                <h2 id="waiting">"Waiting for the first line"</h2>
                <p>"Send one with a snippet below, using the API key you saved when you created the app."</p>
            </section>
        })}
        <section class="card" aria-labelledby="send-title">
            <h2 id="send-title" class="card-title">"Send lines to this app"</h2>
            <QuickStart target>
                "Replace " <code>"sk_…"</code> " with your key. Lost it? "
                <a href=format!("/apps/{}/settings#keys", app.id)>"Create a new key"</a> "."
            </QuickStart>
            <h3 class="subheading">"DSN for official Sentry SDKs"</h3>
            <Secret text=app.dsn.clone() label="Copy DSN"/>
        </section>
    }
}

/// The page's code is split from the main wasm bundle and loaded when the route is visited
/// (`cargo leptos build --split`).
pub struct AppHomeRoute;

#[lazy_route]
impl LazyRoute for AppHomeRoute {
    fn data() -> Self {
        AppHomeRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <AppHomePage/> }.into_any()
    }
}
