use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{AppHeader, SignedIn},
    model::account::UserView,
};

/// `/dashboard`: the signed-in home.
#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <div class="app-page">
                <AppHeader user=user.clone()/>
                <main class="app-main">
                    <header class="page-header">
                        <div>
                            <h1>{format!("Welcome, {}!", user.name)}</h1>
                            <p class="muted">"Your apps and what they are telling you, at a glance."</p>
                        </div>
                    </header>
                    <section class="empty-state card" aria-labelledby="no-apps">
                        <svg class="empty-state-icon" viewBox="0 0 24 24" aria-hidden="true">
                            <path d="M4 6h16M4 12h10M4 18h7"/>
                        </svg>
                        <h2 id="no-apps">"No apps yet."</h2>
                        <p>"Get started: register an app, get its API key, and send your first log line."</p>
                        <a class="button button-primary" href="/apps/new">"+ Add your first app"</a>
                    </section>
                </main>
            </div>
        }/>
    }
}
