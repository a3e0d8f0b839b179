//! Sign-in through OAuth2 / OpenID Connect providers (authorization code + PKCE + state).
//! Google and GitHub are presets; every URL can be overridden, so any provider works.

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
}
