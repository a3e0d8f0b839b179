//! Sign-in through OAuth2 / OpenID Connect providers (authorization code + PKCE + state).
//! Google and GitHub are presets; every URL can be overridden, so any provider works.
//!
//! The flow: [`start`] keeps the PKCE verifier and the landing path in a short-lived
//! `oauth_states` row keyed by the SHA-256 of a random `state`, and answers the provider's
//! authorize URL. [`finish`] uses that row once, exchanges the code, reads the profile, links it
//! to a user and opens a fresh session. Codes, tokens, verifiers and secrets are never logged.
mod flow;
mod linking;
mod profile;

use sea_orm::DbErr;
use serde::Deserialize;

pub use flow::{delete_expired_states, finish, start};

/// The cookie that ties a started sign-in to the browser that started it.
pub const STATE_COOKIE: &str = "lodestar_oauth_state";
pub use profile::{Profile, github_profile, oidc_profile};

use crate::backend::{ServiceError, entities::users, services::sessions};

/// How long a started sign-in may take before its state is refused.
pub const STATE_LIFETIME_MINUTES: i64 = 10;

/// One configured provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// `google`, `github`: the path segment of `/auth/{id}/start` and `/auth/{id}/callback`.
    pub id: String,
    /// The button label: "Google", "GitHub".
    pub label: String,
    pub client_id: String,
    /// Never logged.
    pub client_secret: String,
    pub authorize_url: String,
    pub token_url: String,
    pub userinfo_url: String,
    pub scopes: Vec<String>,
}

impl ProviderConfig {
    pub fn google(client_id: String, client_secret: String) -> Self {
        ProviderConfig {
            id: "google".into(),
            label: "Google".into(),
            client_id,
            client_secret,
            authorize_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            userinfo_url: "https://openidconnect.googleapis.com/v1/userinfo".into(),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
        }
    }

    pub fn github(client_id: String, client_secret: String) -> Self {
        ProviderConfig {
            id: "github".into(),
            label: "GitHub".into(),
            client_id,
            client_secret,
            authorize_url: "https://github.com/login/oauth/authorize".into(),
            token_url: "https://github.com/login/oauth/access_token".into(),
            userinfo_url: "https://api.github.com/user".into(),
            scopes: vec!["read:user".into(), "user:email".into()],
        }
    }

    /// GitHub's profile is not OpenID Connect: numeric `id`, `login`, and emails apart.
    fn speaks_github(&self) -> bool {
        self.id == "github"
    }
}

/// Why a sign-in did not happen. [`OAuthError::code`] is what `/login?error=` shows.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("no such sign-in provider is configured")]
    UnknownProvider,
    #[error("the sign-in state is missing, expired, used or for another provider")]
    BadState,
    #[error("the provider answered with an error instead of a code")]
    Denied,
    /// The reason is for the log: it never holds codes, tokens or secrets.
    #[error("{0}")]
    Failed(String),
    #[error("the provider has not verified the email address")]
    Unverified,
    #[error("the provider gave no email address")]
    NoEmail,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<DbErr> for OAuthError {
    fn from(err: DbErr) -> Self {
        OAuthError::Service(ServiceError::Db(err))
    }
}

impl OAuthError {
    /// The `error` query value of the sign-in page this error sends the browser to.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::UnknownProvider => "oauth_unknown",
            OAuthError::BadState => "oauth_state",
            OAuthError::Denied => "oauth_denied",
            OAuthError::Failed(_) | OAuthError::Service(_) => "oauth_failed",
            OAuthError::Unverified => "oauth_unverified",
            OAuthError::NoEmail => "oauth_no_email",
        }
    }

    /// Whether this is the server's or the provider's fault (worth a warning) rather than the
    /// user's or the browser's.
    pub fn is_failure(&self) -> bool {
        matches!(self, OAuthError::Failed(_) | OAuthError::Service(_))
    }
}

fn failed(reason: impl Into<String>) -> OAuthError {
    OAuthError::Failed(reason.into())
}

/// What the provider sends back to `/auth/{provider}/callback`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The browser request that completes a sign-in.
#[derive(Clone, Copy, Debug, Default)]
pub struct SignInRequest<'a> {
    /// The session token the browser already had: it is revoked (no fixation).
    pub old_session: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The [`STATE_COOKIE`] the browser sent: it must equal the callback's `state`.
    pub browser_state: Option<&'a str>,
}

/// A started sign-in: where to send the browser, and the state to set in [`STATE_COOKIE`].
#[derive(Debug)]
pub struct Started {
    pub authorize_url: String,
    pub state: String,
}

/// The `Set-Cookie` value that stores (or, with `None`, clears) the state cookie; it lives as
/// long as the state row and is sent only to `/auth/`.
pub fn state_cookie(state: Option<&str>, secure: bool) -> String {
    let max_age = if state.is_some() {
        STATE_LIFETIME_MINUTES * 60
    } else {
        0
    };
    format!(
        "{STATE_COOKIE}={}; Path=/auth/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        state.unwrap_or_default(),
        if secure { "; Secure" } else { "" }
    )
}

/// A completed sign-in: the new session for the cookie, and where to go.
#[derive(Debug)]
pub struct SignedIn {
    pub user: users::Model,
    pub session: sessions::NewSession,
    pub next_path: String,
}

/// `{public_url}/auth/{provider}/callback`, registered with the provider.
pub fn redirect_uri(public_url: &str, provider_id: &str) -> String {
    format!(
        "{}/auth/{provider_id}/callback",
        public_url.trim_end_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_uri_is_under_the_public_url() {
        assert_eq!(
            redirect_uri("https://logs.example.com/", "google"),
            "https://logs.example.com/auth/google/callback"
        );
    }

    #[test]
    fn error_codes_name_the_failure() {
        assert_eq!(OAuthError::BadState.code(), "oauth_state");
        assert_eq!(failed("x").code(), "oauth_failed");
        assert_eq!(
            OAuthError::from(DbErr::Custom("x".into())).code(),
            "oauth_failed"
        );
        assert!(!OAuthError::Denied.is_failure());
    }
}
