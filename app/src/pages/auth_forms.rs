//! `/login` and `/signup`: email and password forms plus the configured providers' buttons.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::auth::{SignIn, SignUp, sign_in_providers},
    components::{FormError, Logo},
    model::account::{encode_query_value, safe_next, sign_in_error_message},
};

/// `/login`
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    let notice = move || {
        query
            .read()
            .get("error")
            .map(|code| (code.clone(), sign_in_error_message(&code)))
    };
    let action = ServerAction::<SignIn>::new();
    let pending = action.pending();
    view! {
        <Title text="Sign in"/>
        <AuthLayout title="Sign in to Lodestar" subtitle="Welcome back. Your logs kept arriving while you were away.">
            {move || notice().map(|(code, message)| {
                let class = if code == "signed_out" { "alert alert-ok" } else { "alert alert-danger" };
                view! { <p class=class role="status">{message}</p> }
            })}
            <ProviderButtons next=Signal::derive(next)/>
            <ActionForm action=action attr:class="auth-form">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <FormError error=Signal::derive(move || action.value().get().and_then(Result::err))/>
                <button class="button button-primary auth-submit" type="submit" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="auth-switch">
                "New to Lodestar? "
                <a href=move || format!("/signup?next={}", encode_query_value(&next()))>"Create an account"</a>
            </p>
        </AuthLayout>
    }
}

/// `/signup`
#[component]
pub fn SignUpPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    let action = ServerAction::<SignUp>::new();
    let pending = action.pending();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Create your account"/>
        <AuthLayout title="Create your Lodestar account" subtitle="Register an app, get an API key, and watch your logs arrive live.">
            <ProviderButtons next=Signal::derive(next)/>
            <ActionForm action=action attr:class="auth-form">
                <input type="hidden" name="next" value=next/>
                <div class="field">
                    <label for="name">"Name"</label>
                    <input id="name" name="name" type="text" autocomplete="name" maxlength="128" required/>
                </div>
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="email" required/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" minlength="10" required aria-describedby="password-hint"/>
                    <p id="password-hint" class="field-hint">"At least 10 characters."</p>
                </div>
                <FormError error/>
                <button class="button button-primary auth-submit" type="submit" disabled=pending>
                    {move || if pending.get() { "Creating your account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="auth-switch">
                "Already have an account? "
                <a href=move || format!("/login?next={}", encode_query_value(&next()))>"Sign in"</a>
            </p>
        </AuthLayout>
    }
}

#[component]
fn AuthLayout(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="auth-card card">
                <Logo/>
                <h1>{title}</h1>
                <p class="muted">{subtitle}</p>
                {children()}
            </div>
        </main>
    }
}

/// "Continue with Google" and friends, for each provider the server has configured.
#[component]
fn ProviderButtons(next: Signal<String>) -> impl IntoView {
    let providers = Resource::new(|| (), |_| sign_in_providers());
    view! {
        <Transition fallback=|| ()>
            {move || {
                providers.get().and_then(Result::ok).filter(|list| !list.is_empty()).map(|list| {
                    view! {
                        <div class="provider-buttons">
                            {list.into_iter().map(|provider| {
                                let href = move || format!(
                                    "/auth/{}/start?next={}", provider.id, encode_query_value(&next.get())
                                );
                                view! {
                                    <a class="button provider-button" href=href rel="external">
                                        {format!("Continue with {}", provider.label)}
                                    </a>
                                }
                            }).collect_view()}
                        </div>
                        <p class="auth-divider"><span>"or with email"</span></p>
                    }
                })
            }}
        </Transition>
    }
}
