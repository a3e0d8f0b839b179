//! Sign-up, sign-in and sign-out with email and password, and who is signed in.
use leptos::prelude::*;

use super::AppError;
use crate::model::account::{ProviderView, UserView};

/// Creates a password account and signs it in, then goes to `next`.
#[server(prefix = "/app", endpoint = "auth/sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::context::{client_ip, state};
    use crate::backend::services::users;

    let state = state();
    if let Err(retry_after_secs) = state.auth_limits.per_ip.hit(&client_ip()) {
        return Err(AppError::RateLimited { retry_after_secs }.with_status());
    }
    let user = users::create(&state.db, &email, &password, Some(&name)).await?;
    server::start_session(&state, user.id).await?;
    leptos_axum::redirect(&crate::model::account::safe_next(next.as_deref()));
    Ok(())
}

/// Signs in with email and password, then goes to `next`. Unknown email and wrong password
/// get the same answer; attempts are limited per IP and per account (a success resets the
/// account's count).
#[server(prefix = "/app", endpoint = "auth/sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::context::{client_ip, state};
    use crate::backend::services::users;

    let state = state();
    let limits = &state.auth_limits;
    let wrong = || AppError::Unauthorized("Wrong email or password.".into()).with_status();
    if let Err(retry_after_secs) = limits.per_ip.hit(&client_ip()) {
        return Err(AppError::RateLimited { retry_after_secs }.with_status());
    }
    // Not an address: nothing to look up, and nothing unbounded to key a limit on.
    let Ok(account) = users::normalise_email(&email) else {
        return Err(wrong());
    };
    // Counted before the (slow) check, so parallel guesses cannot slip past the limit.
    if let Err(retry_after_secs) = limits.per_account.hit(&account) {
        return Err(AppError::RateLimited { retry_after_secs }.with_status());
    }
    let user = users::authenticate(&state.db, &account, &password).await?;
    limits.per_account.reset(&account);
    server::start_session(&state, user.id).await?;
    leptos_axum::redirect(&crate::model::account::safe_next(next.as_deref()));
    Ok(())
}

/// Ends this browser's session.
#[server(prefix = "/app", endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::context::{session_token, set_cookie, state};
    use crate::backend::services::sessions;

    let state = state();
    if let Some(token) = session_token() {
        sessions::revoke(&state.db, &token).await?;
    }
    set_cookie(&sessions::clearing_cookie(state.settings.secure_cookies()));
    leptos_axum::redirect("/login?error=signed_out");
    Ok(())
}

/// Ends every session of the signed-in user, on every device.
#[server(prefix = "/app", endpoint = "auth/sign_out_everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    use super::context::{require_user, set_cookie, state};
    use crate::backend::services::sessions;

    let state = state();
    let user = require_user().await?;
    sessions::revoke_all(&state.db, user.id).await?;
    set_cookie(&sessions::clearing_cookie(state.settings.secure_cookies()));
    leptos_axum::redirect("/login?error=signed_out");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(prefix = "/app", endpoint = "auth/me")]
pub async fn who_am_i() -> Result<Option<UserView>, AppError> {
    let user = super::context::current_user().await?;
    Ok(user.map(|u| UserView {
        id: u.id,
        name: u.name,
        email: u.email,
        avatar_url: u.avatar_url,
    }))
}

/// The sign-in providers configured on this server.
#[server(prefix = "/app", endpoint = "auth/providers")]
pub async fn sign_in_providers() -> Result<Vec<ProviderView>, AppError> {
    let state = super::context::state();
    Ok(state
        .settings
        .oauth_providers
        .iter()
        .map(|p| ProviderView {
            id: p.id.clone(),
            label: p.label.clone(),
        })
        .collect())
}

#[cfg(feature = "ssr")]
mod server {
    use super::super::context::{header, session_token, set_cookie};
    use crate::{
        api::AppError,
        backend::{AppState, services::sessions},
    };

    /// A fresh session for `user_id`; the browser's previous one, if any, is revoked first.
    pub async fn start_session(state: &AppState, user_id: i64) -> Result<(), AppError> {
        if let Some(old) = session_token() {
            sessions::revoke(&state.db, &old).await?;
        }
        let user_agent = header(http::header::USER_AGENT);
        let session = sessions::create(&state.db, user_id, user_agent.as_deref()).await?;
        set_cookie(&sessions::cookie(
            &session.token,
            state.settings.secure_cookies(),
        ));
        Ok(())
    }
}
