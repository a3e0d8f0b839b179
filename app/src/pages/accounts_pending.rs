use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{SiteFooter, SiteHeader};

/// Where "Sign in" and "Get started" lead until browser accounts ship: it tells operators how
/// to create users and apps today, with the `lodestar` command.
#[component]
pub fn AccountsPendingPage() -> impl IntoView {
    view! {
        <Title text="Accounts"/>
        <div class="page">
            <SiteHeader/>
            <main class="message-page">
                <p class="eyebrow">"Accounts"</p>
                <h1>"Sign-in from the browser is on its way"</h1>
                <p class="lead">
                    "Until it lands, the server's operator creates users and apps with the "
                    <code>"lodestar"</code> " command. The API key is printed once."
                </p>
                <pre class="code-block"><code>
                    "lodestar user create --email you@example.com --password '…'\n"
                    "lodestar app create --owner you@example.com --name checkout"
                </code></pre>
                <a class="button" href="/">"Back to the home page"</a>
            </main>
            <SiteFooter/>
        </div>
    }
}
