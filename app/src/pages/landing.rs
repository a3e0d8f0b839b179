use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::{SiteFooter, SiteHeader};

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
                    <QuickStart/>
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

/// The ways to send a first line, one tab each.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sample {
    Python,
    Curl,
    Sentry,
}

impl Sample {
    const ALL: [Sample; 3] = [Sample::Python, Sample::Curl, Sample::Sentry];

    fn label(self) -> &'static str {
        match self {
            Sample::Python => "Python",
            Sample::Curl => "curl",
            Sample::Sentry => "Sentry SDK",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Sample::Python => {
                "pip install lodestar\n\n\
                 import logging, lodestar\n\
                 lodestar.init(api_key=\"sk_…\", dsn=\"https://lodestar.example.com\")\n\
                 logging.getLogger(\"checkout\").error(\"payment declined\", extra={\"order\": 42})"
            }
            Sample::Curl => {
                "curl https://lodestar.example.com/ingest \\\n  \
                 -H \"Authorization: Bearer sk_…\" \\\n  \
                 -H \"Content-Type: application/json\" \\\n  \
                 -d '{\"logs\":[{\"level\":\"error\",\"service\":\"checkout\",\n        \
                 \"message\":\"payment declined\"}]}'"
            }
            Sample::Sentry => {
                "# any official Sentry SDK: change the DSN, keep your code\n\
                 import sentry_sdk\n\
                 sentry_sdk.init(\n    \
                 dsn=\"https://<public_key>@lodestar.example.com/<app_id>\",\n    \
                 enable_logs=True,\n\
                 )"
            }
        }
    }
}

#[component]
fn QuickStart() -> impl IntoView {
    let (selected, set_selected) = signal(Sample::Python);
    view! {
        <div id="quick-start" class="quick-start">
            <div class="quick-start-bar">
                <div class="tabs" role="tablist" aria-label="Send your first line">
                    {Sample::ALL
                        .into_iter()
                        .map(|sample| {
                            view! {
                                <button
                                    type="button"
                                    role="tab"
                                    class="tab"
                                    aria-selected=move || (selected.get() == sample).to_string()
                                    on:click=move |_| set_selected.set(sample)
                                >
                                    {sample.label()}
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </div>
            <pre class="code-block" role="tabpanel" aria-label=move || selected.get().label()>
                <code>{move || selected.get().code()}</code>
            </pre>
            <p class="quick-start-note">
                "Replace " <code>"sk_…"</code> " with the API key that "
                <code>"lodestar app create"</code> " prints."
            </p>
        </div>
    }
}
