use leptos::prelude::*;

/// The Lodestar mark: a four-pointed star.
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <a class="brand" href="/" aria-label="Lodestar home">
            <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
                <path d="M16 1 L19.5 12.5 L31 16 L19.5 19.5 L16 31 L12.5 19.5 L1 16 L12.5 12.5 Z"/>
            </svg>
            <span class="brand-name">"Lodestar"</span>
        </a>
    }
}

/// The header of public pages.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <Logo/>
            <nav class="site-nav" aria-label="Main">
                <a class="site-nav-secondary" href="/#features">"Features"</a>
                <a class="site-nav-secondary" href="/#quick-start">"Quick start"</a>
                <a href="/login">"Sign in"</a>
                <a class="button button-primary button-small" href="/signup">"Get started"</a>
            </nav>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <span class="footer-brand">
                <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
                    <path d="M16 1 L19.5 12.5 L31 16 L19.5 19.5 L16 31 L12.5 19.5 L1 16 L12.5 12.5 Z"/>
                </svg>
                "Lodestar " {env!("CARGO_PKG_VERSION")}
            </span>
            <span>"Self-hosted log and error monitoring"</span>
        </footer>
    }
}
