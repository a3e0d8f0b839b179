//! `/apps/new`: register an app, then see its first key once, with a Quick Start.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, lazy_route};

use crate::{
    api::apps::CreateApp,
    components::{
        AppLayout, AppsChanged, FieldError, FormError, QuickStart, Secret, SignedIn, use_hydrated,
    },
    model::{
        account::UserView,
        apps::{CreatedApp, Target},
    },
};

#[component]
pub fn NewAppPage() -> impl IntoView {
    view! {
        <Title text="Add an app"/>
        <SignedIn next="/apps/new" children=|user: UserView| view! {
            <AppLayout user>
                <NewApp/>
            </AppLayout>
        }/>
    }
}

#[component]
fn NewApp() -> impl IntoView {
    let action = ServerAction::<CreateApp>::new();
    let changed = expect_context::<AppsChanged>();
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            changed.notify();
        }
    });
    move || match action.value().get() {
        // The key lives only in this page's memory: a reload shows the empty form again.
        Some(Ok(created)) => view! { <AppCreated created action/> }.into_any(),
        _ => view! { <NewAppForm action/> }.into_any(),
    }
}

#[component]
fn NewAppForm(action: ServerAction<CreateApp>) -> impl IntoView {
    let pending = action.pending();
    let hydrated = use_hydrated();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let invalid = move |field: &'static str| {
        move || {
            error
                .get()
                .is_some_and(|e| e.field() == Some(field))
                .then_some("true")
        }
    };
    view! {
        <header class="page-header">
            <div>
                <h1>"Add an app"</h1>
                <p class="muted">"An app is one service or program that sends logs. It gets its own API key and DSN."</p>
            </div>
        </header>
        <section class="card form-card">
            <ActionForm action=action attr:class="stack">
                <div class="field">
                    <label for="app-name">"Name"</label>
                    <input id="app-name" name="name" type="text" maxlength="64" required autofocus
                        placeholder="checkout-api" aria-invalid=invalid("name")
                        aria-describedby="app-name-hint app-name-error"/>
                    <p id="app-name-hint" class="field-hint">"Up to 64 characters, unique among your apps."</p>
                    <FieldError error field="name" id="app-name-error"/>
                </div>
                <div class="field">
                    <label for="app-description">"Description " <span class="muted">"(optional)"</span></label>
                    <textarea id="app-description" name="description" rows="3" maxlength="1000"
                        placeholder="What this app does, who owns it." aria-invalid=invalid("description")
                        aria-describedby="app-description-error"></textarea>
                    <FieldError error field="description" id="app-description-error"/>
                </div>
                <FormError error fields=&["name", "description"]/>
                <noscript>
                    <p class="alert alert-warn">"Creating an app needs JavaScript: its API key is shown once, on this page."</p>
                </noscript>
                <div class="form-actions">
                    <button class="button button-primary" type="submit" disabled=move || pending.get() || !hydrated.get()>
                        {move || if pending.get() { "Creating…" } else { "Create app" }}
                    </button>
                    <a class="button button-ghost" href="/dashboard">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn AppCreated(created: CreatedApp, action: ServerAction<CreateApp>) -> impl IntoView {
    let CreatedApp { app, api_key } = created;
    let target = Target {
        base_url: app.base_url.clone(),
        api_key: api_key.clone(),
        dsn: app.dsn.clone(),
    };
    view! {
        <header class="page-header">
            <div>
                <h1>{format!("{} is ready", app.name)}</h1>
                <p class="muted">"Send a first line with any of the snippets below, then watch it arrive."</p>
            </div>
        </header>
        <section class="card key-reveal" aria-labelledby="key-title">
            <h2 id="key-title" class="card-title">"Your API key"</h2>
            <p class="alert alert-warn" role="status">
                <span>
                    <strong>"Save this API key — shown only once."</strong>
                    " Lodestar keeps only a digest of it. If you lose it, create a new key in the app's settings."
                </span>
            </p>
            <Secret text=api_key label="Copy API key" testid="api-key"/>
        </section>
        <section class="card" aria-labelledby="quick-start-title">
            <h2 id="quick-start-title" class="card-title">"Quick Start"</h2>
            <QuickStart target>
                "The snippets already carry this app's key and addresses."
            </QuickStart>
            <h3 class="subheading">"DSN for official Sentry SDKs"</h3>
            <Secret text=app.dsn.clone() label="Copy DSN" testid="dsn"/>
        </section>
        <div class="form-actions">
            <button class="button" type="button" on:click=move |_| action.clear()>"Add another app"</button>
            <a class="button button-primary" href="/dashboard">"Go to dashboard"</a>
        </div>
    }
}

/// The page's code is split from the main wasm bundle and loaded when the route is visited
/// (`cargo leptos build --split`).
pub struct NewAppRoute;

#[lazy_route]
impl LazyRoute for NewAppRoute {
    fn data() -> Self {
        NewAppRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <NewAppPage/> }.into_any()
    }
}
