use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::pages::{
    AlertsRoute, AppLogsRoute, AppSettingsRoute, DashboardRoute, DeviceLinkRoute, IssuesRoute,
    LandingPage, NewAppRoute, NotFoundPage, PatternsRoute, SignInPage, SignUpPage,
};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The route table, and nothing else: each page lives in `pages/`.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/lodestar.css"/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="description" content="Lodestar: self-hosted log and error monitoring in one small binary."/>
        <Title formatter=|text: String| if text.is_empty() { "Lodestar".to_string() } else { format!("{text} · Lodestar") }/>
        <Router>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=LandingPage/>
                <Route path=path!("/login") view=SignInPage/>
                <Route path=path!("/signup") view=SignUpPage/>
                <Route path=path!("/dashboard") view={Lazy::<DashboardRoute>::new()}/>
                <Route path=path!("/sdk/link") view={Lazy::<DeviceLinkRoute>::new()}/>
                <Route path=path!("/apps/new") view={Lazy::<NewAppRoute>::new()}/>
                // Async: the answer waits for the app's data, so another user's (or a deleted)
                // app is a real 404 rather than a 200 whose body says "not found".
                <Route path=path!("/apps/:id") view={Lazy::<AppLogsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/apps/:id/settings") view={Lazy::<AppSettingsRoute>::new()} ssr=SsrMode::Async/>
                // The issue list, and one issue when the path has its id.
                <Route path=path!("/apps/:id/issues/:issue_id?") view={Lazy::<IssuesRoute>::new()} ssr=SsrMode::Async/>
                // Log patterns over the range the URL names.
                <Route path=path!("/apps/:id/patterns") view={Lazy::<PatternsRoute>::new()} ssr=SsrMode::Async/>
                // The alerts page, the form for a new rule (`new`), and one rule by its id.
                <Route path=path!("/apps/:id/alerts/:rule_id?") view={Lazy::<AlertsRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
