//! Apps and their API keys, for the signed-in owner. Another user's app or key answers
//! "not found", exactly like one that does not exist.
use leptos::prelude::*;

use super::AppError;
use crate::model::apps::{AppSummary, AppView, CreatedApp, CreatedKey, SettingsView};

/// The signed-in user's apps with their numbers of the last 24 hours.
#[server(prefix = "/app", endpoint = "apps/list")]
pub async fn list_apps() -> Result<Vec<AppSummary>, AppError> {
    use crate::backend::services::apps;

    let (state, user) = server::owner().await?;
    let list = apps::list(&state.db, user.id).await?;
    server::summaries(&state, list).await
}

/// One of the user's apps with every key, revoked ones included; never the keys themselves.
#[server(prefix = "/app", endpoint = "apps/settings")]
pub async fn app_settings(app_id: i64) -> Result<SettingsView, AppError> {
    let (state, user) = server::owner().await?;
    let (app, keys) =
        crate::backend::services::api_keys::list_owned(&state.db, user.id, app_id).await?;
    Ok(SettingsView {
        app: server::app_view(&state, app),
        keys: keys.into_iter().map(server::key_view).collect(),
    })
}

/// One of the user's apps with its numbers of the last 24 hours. (One call: a resource
/// that awaits two server functions in turn loses its context after the first during SSR.)
#[server(prefix = "/app", endpoint = "apps/overview")]
pub async fn app_overview(app_id: i64) -> Result<(AppView, AppSummary), AppError> {
    let (state, user) = server::owner().await?;
    let app = crate::backend::services::apps::owned(&state.db, user.id, app_id).await?;
    let view = server::app_view(&state, app.clone());
    let mut one = server::summaries(&state, vec![app]).await?;
    Ok((view, one.pop().ok_or(AppError::NotFound)?))
}

/// Registers an app and returns its first key: the only time the key is readable.
#[server(prefix = "/app", endpoint = "apps/create")]
pub async fn create_app(name: String, description: String) -> Result<CreatedApp, AppError> {
    let (state, user) = server::owner().await?;
    let (app, key) =
        crate::backend::services::apps::create(&state.db, user.id, &name, &description).await?;
    Ok(CreatedApp {
        app: server::app_view(&state, app),
        api_key: key.key,
    })
}

/// Renames the app and replaces its description. (Mutations answer nothing: the page
/// reads the app again, and every answer type costs the browser bundle a decoder.)
#[server(prefix = "/app", endpoint = "apps/update")]
pub async fn update_app(app_id: i64, name: String, description: String) -> Result<(), AppError> {
    let (state, user) = server::owner().await?;
    crate::backend::services::apps::update(&state.db, user.id, app_id, &name, &description).await?;
    Ok(())
}

/// Gives the app a new DSN; the old one stops working.
#[server(prefix = "/app", endpoint = "apps/rotate_dsn")]
pub async fn rotate_dsn(app_id: i64) -> Result<(), AppError> {
    let (state, user) = server::owner().await?;
    crate::backend::services::apps::rotate_public_key(&state.db, user.id, app_id).await?;
    // The old DSN is refused from the next envelope, not when the cached answer expires.
    state.ingest.keys.forget_app(app_id);
    Ok(())
}

/// Deletes the app (its name typed again as confirmation), then goes to the dashboard.
#[server(prefix = "/app", endpoint = "apps/delete")]
pub async fn delete_app(app_id: i64, confirm_name: String) -> Result<(), AppError> {
    let (state, user) = server::owner().await?;
    crate::backend::services::apps::delete(&state.db, user.id, app_id, &confirm_name).await?;
    state.purge_signal.notify_one();
    state.ingest.keys.forget_app(app_id);
    leptos_axum::redirect("/dashboard");
    Ok(())
}

/// A new key for the app: the only time it is readable.
#[server(prefix = "/app", endpoint = "apps/create_key")]
pub async fn create_key(app_id: i64, name: String) -> Result<CreatedKey, AppError> {
    let (state, user) = server::owner().await?;
    let key =
        crate::backend::services::api_keys::create_owned(&state.db, user.id, app_id, &name).await?;
    Ok(CreatedKey {
        key: server::key_view(key.record),
        api_key: key.key,
    })
}

/// Revokes a key at once: ingest refuses it from the next request.
#[server(prefix = "/app", endpoint = "apps/revoke_key")]
pub async fn revoke_key(app_id: i64, key_id: i64) -> Result<(), AppError> {
    let (state, user) = server::owner().await?;
    crate::backend::services::api_keys::revoke_owned(&state.db, user.id, app_id, key_id).await?;
    // Refused by ingest from now, not when the cached answer expires.
    state.ingest.keys.forget_app(app_id);
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use chrono::{DateTime, Utc};

    use super::super::context::{require_user, state};
    use crate::{
        api::AppError,
        backend::{
            AppState,
            entities::{api_keys, apps, users},
            services,
        },
        model::apps::{AppSummary, AppView, KeyView},
    };

    pub async fn owner() -> Result<(AppState, users::Model), AppError> {
        Ok((state(), require_user().await?))
    }

    pub async fn summaries(
        state: &AppState,
        list: Vec<apps::Model>,
    ) -> Result<Vec<AppSummary>, AppError> {
        let now = Utc::now();
        let ids: Vec<i64> = list.iter().map(|a| a.id).collect();
        let activity = services::apps::activity(&state.db, &ids, now).await?;
        Ok(list
            .into_iter()
            .zip(activity)
            .map(|(app, activity)| AppSummary {
                id: app.id,
                name: app.name,
                description: app.description,
                lines_24h: activity.lines_24h,
                errors_24h: activity.errors_24h,
                last_line_us: activity.last_line_us,
                as_of_us: now.timestamp_micros(),
            })
            .collect())
    }

    pub fn app_view(state: &AppState, app: apps::Model) -> AppView {
        AppView {
            dsn: services::apps::dsn(&state.settings.public_url, &app),
            base_url: state.settings.public_url.trim_end_matches('/').to_string(),
            created: when(app.created_at),
            id: app.id,
            name: app.name,
            description: app.description,
        }
    }

    pub fn key_view(key: api_keys::Model) -> KeyView {
        KeyView {
            id: key.id,
            name: key.name,
            prefix: key.display_prefix,
            created: when(key.created_at),
            last_used: key.last_used_at.map(when),
            revoked: key.revoked_at.map(when),
        }
    }

    fn when(at: DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}
