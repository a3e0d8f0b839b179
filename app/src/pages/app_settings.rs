//! `/apps/{id}/settings`: name and description, the DSN, API keys, and deleting the app.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, lazy_route};

use crate::{
    api::{
        AppError,
        apps::{CreateKey, DeleteApp, RevokeKey, RotateDsn, UpdateApp, app_settings},
    },
    components::{
        AppLayout, AppNotFound, AppTabs, AppsChanged, FieldError, FormError, Secret, SignedIn,
        use_app_id, use_hydrated,
    },
    model::{
        account::UserView,
        apps::{AppView, KeyView, SettingsView},
    },
};

#[component]
pub fn AppSettingsPage() -> impl IntoView {
    view! {
        <SignedIn next="/dashboard" children=|user: UserView| view! {
            <AppLayout user>
                <AppSettings/>
            </AppLayout>
        }/>
    }
}

#[component]
fn AppSettings() -> impl IntoView {
    let app_id = use_app_id();
    let update = ServerAction::<UpdateApp>::new();
    let rotate = ServerAction::<RotateDsn>::new();
    let create_key = ServerAction::<CreateKey>::new();
    let revoke_key = ServerAction::<RevokeKey>::new();
    let changed = expect_context::<AppsChanged>();
    Effect::new(move |_| {
        if matches!(update.value().get(), Some(Ok(_))) {
            changed.notify();
        }
    });
    // One resource for the whole page, read again after any change: a second resource nested
    // in this one's view hydrated unreliably on a direct page load.
    let settings = Resource::new(
        move || {
            (
                app_id.get(),
                update.version().get(),
                rotate.version().get(),
                create_key.version().get(),
                revoke_key.version().get(),
            )
        },
        |(id, ..)| async move { app_settings(id.ok_or(AppError::NotFound)?).await },
    );
    view! {
        <Transition fallback=|| view! { <div class="skeleton skeleton-block page-skeleton"></div> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(SettingsView { app, keys }) => view! {
                        <Title text=format!("{} settings", app.name)/>
                        <AppTabs app_id=app.id name=app.name.clone() description=app.description.clone()/>
                        <General app=app.clone() update/>
                        <Dsn app=app.clone() rotate/>
                        <Keys app_id=app.id keys create=create_key revoke=revoke_key/>
                        <DangerZone app/>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <Title text="App not found"/><AppNotFound/> }.into_any(),
                    Err(error) => view! { <p class="alert alert-danger" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn General(app: AppView, update: ServerAction<UpdateApp>) -> impl IntoView {
    let pending = update.pending();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(_)));
    view! {
        <section class="card" aria-labelledby="general-title">
            <h2 id="general-title" class="card-title">"General"</h2>
            <ActionForm action=update attr:class="stack">
                <input type="hidden" name="app_id" value=app.id/>
                <div class="field">
                    <label for="app-name">"Name"</label>
                    <input id="app-name" name="name" type="text" maxlength="64" required value=app.name.clone()
                        aria-describedby="app-name-error"
                        aria-invalid=move || error.get().is_some_and(|e| e.field() == Some("name")).then_some("true")/>
                    <FieldError error field="name" id="app-name-error"/>
                </div>
                <div class="field">
                    <label for="app-description">"Description"</label>
                    <textarea id="app-description" name="description" rows="3" maxlength="1000"
                        aria-describedby="app-description-error">{app.description.clone()}</textarea>
                    <FieldError error field="description" id="app-description-error"/>
                </div>
                <FormError error fields=&["name", "description"]/>
                <div class="form-actions">
                    <button class="button button-primary" type="submit" disabled=pending>
                        {move || if pending.get() { "Saving…" } else { "Save changes" }}
                    </button>
                    {move || saved().then(|| view! { <span class="form-status" role="status">"Saved."</span> })}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Dsn(app: AppView, rotate: ServerAction<RotateDsn>) -> impl IntoView {
    let error = Signal::derive(move || rotate.value().get().and_then(Result::err));
    view! {
        <section class="card" aria-labelledby="dsn-title">
            <h2 id="dsn-title" class="card-title">"DSN"</h2>
            <p class="muted">"Official Sentry SDKs send this app's errors and logs to this address."</p>
            <Secret text=app.dsn.clone() label="Copy DSN" testid="dsn"/>
            <details class="confirm">
                <summary class="button button-small">"Rotate DSN…"</summary>
                <ActionForm action=rotate attr:class="confirm-panel">
                    <input type="hidden" name="app_id" value=app.id/>
                    <p>"SDKs configured with the current DSN are refused from now on. API keys are not affected."</p>
                    <button class="button button-danger button-small" type="submit">"Rotate DSN"</button>
                </ActionForm>
            </details>
            <FormError error/>
        </section>
    }
}

#[component]
fn Keys(
    app_id: i64,
    keys: Vec<KeyView>,
    create: ServerAction<CreateKey>,
    revoke: ServerAction<RevokeKey>,
) -> impl IntoView {
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let pending = create.pending();
    let hydrated = use_hydrated();
    view! {
        <section id="keys" class="card" aria-labelledby="keys-title">
            <h2 id="keys-title" class="card-title">"API keys"</h2>
            <p class="muted">"SDKs and " <code>"POST /ingest"</code> " authenticate with a key. Revoking one refuses it at once."</p>
            {move || create.value().get().and_then(Result::ok).map(|created| {
                view! {
                    <div class="key-reveal" role="status">
                        <p class="alert alert-warn">
                            <span>
                                <strong>"Save this API key — shown only once."</strong>
                                {format!(" This is the key “{}”.", created.key.name)}
                            </span>
                        </p>
                        <Secret text=created.api_key label="Copy API key" testid="api-key">
                            <button type="button" class="button button-small button-ghost" on:click=move |_| create.clear()>"Done"</button>
                        </Secret>
                    </div>
                }
            })}
            <KeyTable app_id list=keys revoke/>
            <FormError error=revoke_error/>
            <ActionForm action=create attr:class="inline-form">
                <input type="hidden" name="app_id" value=app_id/>
                <div class="field">
                    <label for="key-name">"New key name"</label>
                    <input id="key-name" name="name" type="text" maxlength="64" required placeholder="production"
                        aria-describedby="key-name-error"/>
                    <FieldError error=create_error field="name" id="key-name-error"/>
                </div>
                <button class="button" type="submit" disabled=move || pending.get() || !hydrated.get()>"Create key"</button>
            </ActionForm>
            <FormError error=create_error fields=&["name"]/>
        </section>
    }
}

#[component]
fn KeyTable(app_id: i64, list: Vec<KeyView>, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|key| {
                        let revoked = key.revoked.clone();
                        view! {
                            <tr>
                                <td>{key.name.clone()}</td>
                                <td class="mono">{format!("{}…", key.prefix)}</td>
                                <td>{key.created.clone()}</td>
                                <td>{key.last_used.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>
                                    {match revoked {
                                        Some(at) => view! { <span class="badge badge-danger" title=format!("Revoked {at}")>"Revoked"</span> }.into_any(),
                                        None => view! { <span class="badge badge-ok">"Active"</span> }.into_any(),
                                    }}
                                </td>
                                <td class="cell-actions">
                                    {key.revoked.is_none().then(|| view! {
                                        <details class="confirm">
                                            <summary class="button button-small button-ghost">"Revoke…"</summary>
                                            <ActionForm action=revoke attr:class="confirm-panel">
                                                <input type="hidden" name="app_id" value=app_id/>
                                                <input type="hidden" name="key_id" value=key.id/>
                                                <p>{format!("Revoke “{}”? Anything sending with it is refused at once.", key.name)}</p>
                                                <button class="button button-danger button-small" type="submit">"Revoke key"</button>
                                            </ActionForm>
                                        </details>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn DangerZone(app: AppView) -> impl IntoView {
    let delete = ServerAction::<DeleteApp>::new();
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let (typed, set_typed) = signal(String::new());
    let name = app.name.clone();
    let matches = move || typed.get().trim() == name;
    let pending = delete.pending();
    // Without JavaScript the server checks the typed name; with it, the button waits for it.
    let hydrated = use_hydrated();
    view! {
        <section class="card danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title" class="card-title">"Delete this app"</h2>
            <p>"Its keys stop working at once and all of its lines are deleted. This cannot be undone."</p>
            <ActionForm action=delete attr:class="stack">
                <input type="hidden" name="app_id" value=app.id/>
                <div class="field">
                    <label for="confirm-name">"Type " <strong class="mono">{app.name.clone()}</strong> " to confirm"</label>
                    <input id="confirm-name" name="confirm_name" type="text" autocomplete="off" required
                        aria-describedby="confirm-name-error"
                        on:input=move |ev| set_typed.set(event_target_value(&ev))/>
                    <FieldError error field="confirm_name" id="confirm-name-error"/>
                </div>
                <FormError error fields=&["confirm_name"]/>
                <div class="form-actions">
                    <button class="button button-danger" type="submit" disabled=move || (hydrated.get() && !matches()) || pending.get()>
                        {move || if pending.get() { "Deleting…" } else { "Delete app" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The page's code is split from the main wasm bundle and loaded when the route is visited
/// (`cargo leptos build --split`).
pub struct AppSettingsRoute;

#[lazy_route]
impl LazyRoute for AppSettingsRoute {
    fn data() -> Self {
        AppSettingsRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <AppSettingsPage/> }.into_any()
    }
}
