use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{QuickStart, SiteFooter, SiteHeader},
    model::apps::Target,
};

/// `/`: what Lodestar is, for someone deciding whether to run it.
#[component]
pub fn LandingPage() -> impl IntoView {
    view! {
        <Title text=""/>
        <div class="page">
            <SiteHeader/>
            <main>
                <section class="hero">
                    <div class="hero-copy">
                        <p class="eyebrow">"Self-hosted log and error monitoring"</p>
                        <h1>"Every log and error, live, from one small binary."</h1>
                        <p class="lead">
                            "Point any SDK at Lodestar (ours, or any official Sentry SDK) and "
                            "watch logs and errors arrive in a live, searchable dashboard. "
                            "One binary over an SQLite file; PostgreSQL when you outgrow one machine."
                        </p>
                        <div class="actions">
                            <a class="button button-primary" href="/signup">"Get started"</a>
                            <a class="button" href="/login">"Sign in"</a>
                        </div>
                        <ul class="hero-facts" aria-label="At a glance">
                            <li>"One binary"</li>
                            <li>"SQLite or PostgreSQL"</li>
                            <li>"Works with Sentry SDKs"</li>
                        </ul>
                    </div>
                    <QuickStart target=Target::example()>
                        "Replace " <code>"sk_…"</code> " with the API key Lodestar shows when you "
                        "register an app."
                    </QuickStart>
                </section>
                <section id="features" class="features" aria-label="Features">
                    <Feature
                        title="Live logs from any SDK"
                        body="Lines stream into the dashboard as they are written, over a push \
                              connection that resumes where it left off. Send them with the Python \
                              SDK, plain HTTP, or the Sentry SDK you already use in any language."
                        icon="M3 5h18M3 12h12M3 19h16"
                    />
                    <Feature
                        title="Errors grouped into issues"
                        body="Exceptions arrive with stack traces and breadcrumbs and are grouped \
                              into issues by fingerprint, so a thousand crashes read as one \
                              problem with a count, a first-seen and a last-seen."
                        icon="M12 3l9 16H3L12 3zM12 10v4M12 17v.5"
                    />
                    <Feature
                        title="Alerts and summaries"
                        body="Rules on any search fire to email, Slack or a webhook, and resolve \
                              on their own. Summaries say what changed: new kinds of lines, \
                              growing ones, and where errors come from."
                        icon="M6 17V11a6 6 0 1112 0v6l2 2H4l2-2zM10 21h4"
                    />
                </section>
                <section class="small-print" aria-label="Why Lodestar">
                    <div>
                        <h2>"Small enough to run anywhere"</h2>
                        <p>
                            "No Kafka, no ClickHouse, no dozen containers: one process and one "
                            "database file. Logs and errors in the same place, searched with one "
                            "query language."
                        </p>
                    </div>
                    <div>
                        <h2>"Yours"</h2>
                        <p>
                            "Your data stays on your machine. API keys and sessions are stored only "
                            "as digests, passwords with argon2id, and every query is scoped to "
                            "what the signed-in user owns."
                        </p>
                    </div>
                </section>
            </main>
            <SiteFooter/>
        </div>
    }
}

#[component]
fn Feature(title: &'static str, body: &'static str, icon: &'static str) -> impl IntoView {
    view! {
        <article class="feature">
            <svg class="feature-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d=icon/>
            </svg>
            <h2>{title}</h2>
            <p>{body}</p>
        </article>
    }
}
