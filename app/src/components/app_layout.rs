use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::AppHeader;
use crate::{
    api::{AppError, apps::list_apps},
    model::{account::UserView, apps::AppSummary},
};

/// Bumped by pages after they change an app, so that the sidebar reads the list again.
#[derive(Clone, Copy)]
pub struct AppsChanged(pub RwSignal<u32>);

impl AppsChanged {
    pub fn notify(self) {
        self.0.update(|n| *n += 1);
    }
}

/// The signed-in user's apps, read once per page by the layout; pages that list the apps
/// (the dashboard) read this resource instead of asking the server again.
pub type UserApps = Resource<Result<Vec<AppSummary>, AppError>>;

/// The frame of every signed-in page: the header, the sidebar with the user's apps, and the
/// page's own content.
#[component]
pub fn AppLayout(user: UserView, children: Children) -> impl IntoView {
    let changed = AppsChanged(RwSignal::new(0));
    provide_context(changed);
    let apps: UserApps = Resource::new(move || changed.0.get(), |_| list_apps());
    provide_context(apps);
    let path = use_location().pathname;
    view! {
        <div class="app-page">
            <AppHeader user/>
            <div class="app-body">
                <aside class="app-sidebar" aria-label="Apps">
                    <p class="sidebar-section">"Apps"</p>
                    <nav class="sidebar-nav">
                        <Transition fallback=|| view! { <span class="skeleton skeleton-text"></span> }>
                            {move || Suspend::new(async move {
                                let list = apps.await.unwrap_or_default();
                                list.into_iter()
                                    .map(|app| {
                                        let href = format!("/apps/{}", app.id);
                                        let prefix = href.clone();
                                        let current = move || {
                                            let path = path.get();
                                            (path == prefix || path.starts_with(&format!("{prefix}/")))
                                                .then_some("page")
                                        };
                                        let tone = if app.errors_24h > 0 { "status-dot tone-danger" } else if app.lines_24h > 0 { "status-dot tone-ok" } else { "status-dot tone-idle" };
                                        view! {
                                            <a href=href aria-current=current>
                                                <span class=tone aria-hidden="true"></span>
                                                <span class="sidebar-label">{app.name}</span>
                                            </a>
                                        }
                                    })
                                    .collect_view()
                            })}
                        </Transition>
                        <a class="sidebar-add" href="/apps/new" aria-current=move || (path.get() == "/apps/new").then_some("page")>
                            "+ Add App"
                        </a>
                    </nav>
                </aside>
                <main class="app-main">{children()}</main>
            </div>
        </div>
    }
}
