use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    api::auth::{SignOut, SignOutEverywhere, who_am_i},
    components::Logo,
    model::account::{UserView, encode_query_value},
};

/// Renders `children` with the signed-in user, or sends the visitor to sign in (and back to
/// `next` afterwards). Full page loads are redirected by the server before rendering; this
/// covers navigation inside the app.
#[component]
pub fn SignedIn<V: IntoView + 'static>(
    next: &'static str,
    children: fn(UserView) -> V,
) -> impl IntoView {
    let user = Resource::new(|| (), |_| who_am_i());
    view! {
        <Suspense fallback=|| view! { <div class="app-page"><div class="skeleton skeleton-block page-skeleton"></div></div> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => children(user).into_any(),
                    Ok(None) => {
                        let login = format!("/login?next={}", encode_query_value(next));
                        view! { <Redirect path=login/> }.into_any()
                    }
                    Err(error) => view! {
                        <main class="message-page">
                            <p class="alert alert-danger" role="alert">{error.to_string()}</p>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The top bar of signed-in pages, with the user's menu.
#[component]
pub fn AppHeader(user: UserView) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let sign_out_everywhere = ServerAction::<SignOutEverywhere>::new();
    let avatar = match user.avatar_url.clone().filter(|url| !url.is_empty()) {
        Some(url) => {
            view! { <img class="avatar" src=url alt="" referrerpolicy="no-referrer"/> }.into_any()
        }
        None => {
            view! { <span class="avatar" aria-hidden="true">{user.initials()}</span> }.into_any()
        }
    };
    view! {
        <header class="app-header">
            <Logo/>
            <nav class="app-nav" aria-label="Main">
                <a href="/dashboard" aria-current="page">"Dashboard"</a>
            </nav>
            <details class="user-menu">
                <summary aria-label="Account menu">
                    {avatar}
                    <span class="user-menu-name">{user.name.clone()}</span>
                </summary>
                <div class="user-menu-panel">
                    <p class="user-menu-email muted">{user.email.clone()}</p>
                    <ActionForm action=sign_out>
                        <button class="menu-item" type="submit">"Sign out"</button>
                    </ActionForm>
                    <ActionForm action=sign_out_everywhere>
                        <button class="menu-item" type="submit">"Sign out of all devices"</button>
                    </ActionForm>
                </div>
            </details>
        </header>
    }
}
