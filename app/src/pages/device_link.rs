//! `/sdk/link?code=XXXX-XXXX`: where `lodestar init` sends the user. They compare the code with
//! their terminal, pick the app (a new one, or one of theirs) and approve or deny.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{LazyRoute, hooks::use_query_map, lazy_route};

use crate::{
    api::{
        AppError,
        device::{DeviceComplete, device_request},
    },
    components::{FieldError, FormError, Logo, SignedIn, use_hydrated},
    model::{
        account::UserView,
        device::{DeviceDecided, DeviceRequestView, RequestState},
    },
};

#[component]
pub fn DeviceLinkPage() -> impl IntoView {
    view! {
        <Title text="Connect a terminal"/>
        <SignedIn next="/sdk/link" children=|_: UserView| view! { <DeviceLink/> }/>
    }
}

#[component]
fn DeviceLink() -> impl IntoView {
    let query = use_query_map();
    let code = Memo::new(move |_| {
        query
            .read()
            .get("code")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
    });
    view! {
        <main class="auth-page">
            <div class="auth-card card device-card">
                <Logo/>
                {move || match code.get() {
                    Some(code) => view! { <DeviceRequest code/> }.into_any(),
                    None => view! {
                        <h1>"Connect a terminal"</h1>
                        <p class="muted">"Type the code that " <code>"lodestar init"</code> " shows in your terminal."</p>
                        <CodeForm/>
                    }.into_any(),
                }}
            </div>
        </main>
    }
}

/// Typing a code by hand: a plain GET form, which works before (and without) JavaScript.
#[component]
fn CodeForm() -> impl IntoView {
    view! {
        <form class="auth-form" method="get" action="/sdk/link">
            <div class="field">
                <label for="device-code-input">"Code"</label>
                <input id="device-code-input" class="device-code-input mono" name="code" type="text"
                    required autocomplete="off" autocapitalize="characters" spellcheck="false"
                    maxlength="16" placeholder="XXXX-XXXX"/>
            </div>
            <button class="button button-primary auth-submit" type="submit">"Continue"</button>
        </form>
    }
}

#[component]
fn DeviceRequest(code: String) -> impl IntoView {
    let request = Resource::new(move || code.clone(), device_request);
    view! {
        <Suspense fallback=|| view! {
            <span class="skeleton skeleton-text"></span>
            <div class="skeleton skeleton-block"></div>
        }>
            {move || Suspend::new(async move {
                match request.await {
                    Ok(view) if view.state == RequestState::Pending => {
                        view! { <Approval view/> }.into_any()
                    }
                    Ok(view) => finished(view.state).into_any(),
                    Err(AppError::NotFound) => view! {
                        <h1>"Unknown code"</h1>
                        <p class="alert alert-danger" role="alert">
                            // One flex item, so the inline code stays inside the sentence.
                            <span>
                                "No terminal is waiting with this code. Check it, or run "
                                <code>"lodestar init"</code> " again for a new one."
                            </span>
                        </p>
                        <CodeForm/>
                    }.into_any(),
                    Err(error) => view! {
                        <h1>"Connect a terminal"</h1>
                        <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A code that cannot be approved any more, and what to do about it.
fn finished(state: RequestState) -> impl IntoView {
    let (title, text) = match state {
        RequestState::Expired => (
            "This code has expired",
            "Codes work for 10 minutes. Run lodestar init again for a new one.",
        ),
        RequestState::Denied => (
            "This request was denied",
            "Nothing was shared with the terminal. Run lodestar init again if that was a mistake.",
        ),
        RequestState::Used | RequestState::Pending => (
            "This code was already used",
            "A code connects one terminal, once. Run lodestar init again to connect another.",
        ),
    };
    view! {
        <h1>{title}</h1>
        <p class="alert alert-warn" role="status">{text}</p>
        <a class="button auth-submit" href="/dashboard">"Go to the dashboard"</a>
    }
}

#[component]
fn Approval(view: DeviceRequestView) -> impl IntoView {
    let action = ServerAction::<DeviceComplete>::new();
    move || match action.value().get() {
        Some(Ok(decided)) => decided_view(decided).into_any(),
        _ => view! { <ApprovalForm view=view.clone() action/> }.into_any(),
    }
}

fn decided_view(decided: DeviceDecided) -> impl IntoView {
    match decided.app {
        Some(app) => view! {
            <h1>"Terminal connected"</h1>
            <p class="alert alert-ok" role="status">
                {format!("Approved. A new API key for {} is on its way to your terminal: you can close this tab.", app.name)}
            </p>
            <p class="muted">"Next, in the terminal: " <code>"lodestar test"</code> " sends a first line."</p>
            <a class="button button-primary auth-submit" href=format!("/apps/{}", app.id)>
                {format!("Open {}", app.name)}
            </a>
        }
        .into_any(),
        None => view! {
            <h1>"Request denied"</h1>
            <p class="alert alert-warn" role="status">"Nothing was shared. The terminal has been told, and the code no longer works."</p>
            <a class="button auth-submit" href="/dashboard">"Go to the dashboard"</a>
        }
        .into_any(),
    }
}

/// `new` or an app id, the value of the app choice.
const NEW_APP: &str = "new";

#[component]
fn ApprovalForm(view: DeviceRequestView, action: ServerAction<DeviceComplete>) -> impl IntoView {
    let hydrated = use_hydrated();
    let pending = action.pending();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let initial_choice = view
        .matching_app()
        .map_or(NEW_APP.to_string(), |a| a.id.to_string());
    let choice = RwSignal::new(initial_choice);
    let new_name = RwSignal::new(view.app_name.clone().unwrap_or_default());
    let user_code = view.user_code.clone();
    let decide = move |decision: &'static str| {
        let selected = choice.get_untracked();
        action.dispatch(DeviceComplete {
            user_code: user_code.clone(),
            decision: decision.into(),
            app_id: selected.parse().ok(),
            app_name: (selected == NEW_APP).then(|| new_name.get_untracked()),
        });
    };
    let approve = {
        let decide = decide.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            decide("approve");
        }
    };
    let has_apps = !view.apps.is_empty();
    let first_app = view
        .apps
        .first()
        .map(|a| a.id.to_string())
        .unwrap_or_default();
    let options = view
        .apps
        .iter()
        .map(|app| {
            let value = app.id.to_string();
            view! { <option value=value.clone() selected=choice.get_untracked() == value>{app.name.clone()}</option> }
        })
        .collect_view();
    let invalid = move || {
        error
            .get()
            .is_some_and(|e| e.field() == Some("app_name"))
            .then_some("true")
    };
    view! {
        <h1>"Connect a terminal"</h1>
        <p class="muted">
            {match view.client_name.clone() {
                Some(client) => format!("{client} asks for an API key. "),
                None => "A terminal asks for an API key. ".to_string(),
            }}
            "Check that this code matches the one it shows:"
        </p>
        <p class="device-code mono" data-testid="device-code">{view.user_code.clone()}</p>
        <form class="auth-form" on:submit=approve>
            <fieldset class="device-choice">
                <legend>"Send its lines to"</legend>
                <label class="field-check">
                    <input type="radio" name="app_choice" value=NEW_APP
                        prop:checked=move || choice.get() == NEW_APP
                        on:change=move |_| choice.set(NEW_APP.to_string())/>
                    "A new app"
                </label>
                <div class="field" class:field-invalid=move || invalid().is_some() hidden=move || choice.get() != NEW_APP>
                    <label for="device-app-name">"App name"</label>
                    <input id="device-app-name" type="text" maxlength="64" placeholder="checkout-api"
                        aria-invalid=invalid aria-describedby="device-app-name-error"
                        prop:value=move || new_name.get()
                        on:input=move |ev| new_name.set(event_target_value(&ev))/>
                    <FieldError error field="app_name" id="device-app-name-error"/>
                </div>
                {has_apps.then(|| view! {
                    <label class="field-check">
                        <input type="radio" name="app_choice" value="existing"
                            prop:checked=move || choice.get() != NEW_APP
                            on:change=move |_| choice.set(first_app.clone())/>
                        "One of my apps"
                    </label>
                    <div class="field" hidden=move || choice.get() == NEW_APP>
                        <label for="device-app">"App"</label>
                        <select id="device-app" on:change=move |ev| choice.set(event_target_value(&ev))>
                            {options}
                        </select>
                    </div>
                })}
            </fieldset>
            <FormError error fields=&["app_name"]/>
            <noscript>
                <p class="alert alert-warn">"Approving needs JavaScript: the page hands the key to your terminal."</p>
            </noscript>
            <div class="device-actions">
                <button class="button button-primary" type="submit" disabled=move || pending.get() || !hydrated.get()>
                    {move || if pending.get() { "Approving…" } else { "Approve" }}
                </button>
                <button class="button button-ghost" type="button" disabled=move || pending.get() || !hydrated.get()
                    on:click=move |_| decide("deny")>
                    "Deny"
                </button>
            </div>
        </form>
        <p class="field-hint">"Only approve a code you started yourself: the terminal gets a key that can send lines to this app."</p>
    }
}

/// Split from the main wasm bundle, loaded when the page is visited.
pub struct DeviceLinkRoute;

#[lazy_route]
impl LazyRoute for DeviceLinkRoute {
    fn data() -> Self {
        DeviceLinkRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <DeviceLinkPage/> }.into_any()
    }
}
