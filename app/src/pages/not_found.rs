use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{SiteFooter, SiteHeader};

/// Any path the router does not know. Answers 404 on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <div class="page">
            <SiteHeader/>
            <main class="message-page">
                <p class="eyebrow">"404"</p>
                <h1>"This page does not exist"</h1>
                <p class="lead">"The address may be mistyped, or the page may have moved."</p>
                <a class="button button-primary" href="/">"Back to the home page"</a>
            </main>
            <SiteFooter/>
        </div>
    }
}
