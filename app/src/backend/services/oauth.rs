//! Sign-in through OAuth2 / OpenID Connect providers (authorization code + PKCE + state).
//! Google and GitHub are presets; every URL can be overridden, so any provider works.
//!
//! The flow: [`start`] keeps the PKCE verifier and the landing path in a short-lived
//! `oauth_states` row keyed by the SHA-256 of a random `state`, and answers the provider's
//! authorize URL. [`finish`] uses that row once, exchanges the code, reads the profile, links it
//! to a user and opens a fresh session. Codes, tokens, verifiers and secrets are never logged.
use std::{sync::LazyLock, time::Duration};

use chrono::Utc;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    TokenResponse, TokenUrl,
    basic::{BasicClient, BasicErrorResponse},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::Deserialize;
use serde_json::Value;

use crate::backend::{
    ServiceError,
    entities::{identities, oauth_states, users},
    secrets,
    services::{sessions, users::normalise_email},
    state::Settings,
};

/// How long a started sign-in may take before its state is refused.
pub const STATE_LIFETIME_MINUTES: i64 = 10;
/// Where a sign-in lands when no (valid) `next` path was given.
pub const DEFAULT_NEXT_PATH: &str = "/dashboard";
/// Provider calls (token, userinfo) give up after this long.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_NEXT_PATH_CHARS: usize = 2048;
const MAX_NAME_CHARS: usize = 128;
const MAX_AVATAR_URL_CHARS: usize = 2048;
const MAX_SUBJECT_CHARS: usize = 255;
const MAX_PROFILE_BYTES: usize = 1 << 20;

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
    #[error("the provider did not confirm the email of an existing account")]
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
}

/// A completed sign-in: the new session for the cookie, and where to go.
#[derive(Debug)]
pub struct SignedIn {
    pub user: users::Model,
    pub session: sessions::NewSession,
    pub next_path: String,
}

/// A user's profile as a provider describes it, already cleaned up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub subject: String,
    /// Lower-cased; `None` when missing or not an address.
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub avatar_url: Option<String>,
}

/// `next` when it is a path on this server, else [`DEFAULT_NEXT_PATH`]. Refuses
/// scheme-relative (`//host`, `/\host`) targets and anything that is not visible ASCII (browsers
/// drop tabs and newlines, which would turn `/\t/host` into `//host`).
pub fn safe_next_path(next: Option<&str>) -> String {
    let local = next.filter(|p| {
        p.starts_with('/')
            && !p.starts_with("//")
            && !p.starts_with("/\\")
            && p.len() <= MAX_NEXT_PATH_CHARS
            && p.bytes().all(|b| b.is_ascii_graphic())
    });
    local.unwrap_or(DEFAULT_NEXT_PATH).to_string()
}

/// `{public_url}/auth/{provider}/callback`, registered with the provider.
pub fn redirect_uri(public_url: &str, provider_id: &str) -> String {
    format!(
        "{}/auth/{provider_id}/callback",
        public_url.trim_end_matches('/')
    )
}

/// Begins a sign-in with `provider_id`: stores the state row and answers the URL to send the
/// browser to. Expired rows of abandoned sign-ins are deleted on the way.
pub async fn start(
    db: &DatabaseConnection,
    settings: &Settings,
    provider_id: &str,
    next: Option<&str>,
) -> Result<String, OAuthError> {
    let provider = settings
        .provider(provider_id)
        .ok_or(OAuthError::UnknownProvider)?;
    let client = client(provider, &settings.public_url)?;
    delete_expired_states(db).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = secrets::random_base62(43);
    let now = Utc::now();
    oauth_states::ActiveModel {
        state_sha256: Set(secrets::sha256_hex(&state)),
        provider: Set(provider.id.clone()),
        pkce_verifier: Set(verifier.into_secret()),
        next_path: Set(safe_next_path(next)),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(STATE_LIFETIME_MINUTES)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (url, _) = client
        .authorize_url(|| CsrfToken::new(state))
        .add_scopes(provider.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    Ok(url.into())
}

/// Deletes the state rows of sign-ins that were never finished.
pub async fn delete_expired_states(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let result = oauth_states::Entity::delete_many()
        .filter(oauth_states::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Completes a sign-in with `provider_id` from the provider's callback parameters.
pub async fn finish(
    db: &DatabaseConnection,
    settings: &Settings,
    provider_id: &str,
    params: &CallbackParams,
    request: SignInRequest<'_>,
) -> Result<SignedIn, OAuthError> {
    let provider = settings
        .provider(provider_id)
        .ok_or(OAuthError::UnknownProvider)?;
    let pending = take_state(db, provider_id, params.state.as_deref()).await?;
    if params.error.is_some() {
        return Err(OAuthError::Denied);
    }
    let code = params.code.as_deref().filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| failed("the callback carried neither code nor error"))?;
    let client = client(provider, &settings.public_url)?;
    let token = exchange_code(&client, code, pending.pkce_verifier).await?;
    let profile = fetch_profile(provider, &token).await?;
    let txn = db.begin().await?;
    let user = link(&txn, provider_id, &profile).await?;
    if let Some(old) = request.old_session {
        sessions::revoke(&txn, old).await?;
    }
    let session = sessions::create(&txn, user.id, request.user_agent).await?;
    txn.commit().await?;
    Ok(SignedIn {
        user,
        session,
        next_path: pending.next_path,
    })
}

/// Finds and deletes the row of `state`: it answers once, before it expires, for the provider
/// it was made for.
async fn take_state(
    db: &DatabaseConnection,
    provider_id: &str,
    state: Option<&str>,
) -> Result<oauth_states::Model, OAuthError> {
    let state = state
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or(OAuthError::BadState)?;
    let row = oauth_states::Entity::find()
        .filter(oauth_states::Column::StateSha256.eq(secrets::sha256_hex(state)))
        .one(db)
        .await?
        .ok_or(OAuthError::BadState)?;
    // Of two callbacks racing with the same state, only the one that deletes the row goes on.
    let deleted = oauth_states::Entity::delete_by_id(row.id).exec(db).await?;
    let usable =
        deleted.rows_affected == 1 && row.provider == provider_id && row.expires_at > Utc::now();
    if usable {
        Ok(row)
    } else {
        Err(OAuthError::BadState)
    }
}

/// An oauth2 client with its authorize and token URLs set.
type ConfiguredClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The oauth2 client for `provider`: credentials in the request body (Google and GitHub accept
/// it, and it avoids Basic-auth encoding quirks), callback on this server.
fn client(provider: &ProviderConfig, public_url: &str) -> Result<ConfiguredClient, OAuthError> {
    Ok(BasicClient::new(ClientId::new(provider.client_id.clone()))
        .set_client_secret(ClientSecret::new(provider.client_secret.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(
            AuthUrl::new(provider.authorize_url.clone()).map_err(bad_url("authorize URL"))?,
        )
        .set_token_uri(TokenUrl::new(provider.token_url.clone()).map_err(bad_url("token URL"))?)
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri(public_url, &provider.id))
                .map_err(bad_url("public URL"))?,
        ))
}

/// A configuration URL that does not parse, as a failure naming which one.
fn bad_url(what: &'static str) -> impl Fn(url::ParseError) -> OAuthError {
    move |e| failed(format!("the {what} is invalid: {e}"))
}

/// One client for every provider call: no redirects (a token endpoint must answer itself), a
/// timeout, and a User-Agent (GitHub's API refuses requests without one).
static HTTP: LazyLock<Result<reqwest::Client, String>> = LazyLock::new(|| {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .user_agent(concat!("Lodestar/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| error_chain(&e))
});

fn http() -> Result<&'static reqwest::Client, OAuthError> {
    HTTP.as_ref()
        .map_err(|e| failed(format!("cannot build the HTTP client: {e}")))
}

/// Trades the code and the PKCE verifier for an access token.
async fn exchange_code(
    client: &ConfiguredClient,
    code: &str,
    verifier: String,
) -> Result<String, OAuthError> {
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(http()?)
        .await
        .map_err(|e| {
            failed(format!(
                "code exchange failed: {}",
                describe_token_error(&e)
            ))
        })?;
    Ok(response.access_token().secret().clone())
}

/// A token error in words that hold no secret: the OAuth error code, or the transport failure.
/// Unparseable bodies are not quoted, as they may hold a token.
fn describe_token_error<RE: std::error::Error + 'static>(
    err: &RequestTokenError<RE, BasicErrorResponse>,
) -> String {
    match err {
        RequestTokenError::ServerResponse(response) => {
            format!("the token endpoint answered {}", response.error())
        }
        RequestTokenError::Request(e) => error_chain(e),
        RequestTokenError::Parse(e, _) => format!("unreadable token response at {}", e.path()),
        RequestTokenError::Other(message) => message.clone(),
    }
}

/// An error and its sources, `: `-separated (reqwest puts the useful part in the sources).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// GETs `url` with the bearer token and reads a JSON body.
async fn get_json(url: &str, token: &str) -> Result<Value, OAuthError> {
    let response = http()?
        .get(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| failed(format!("GET {url}: {}", error_chain(&e))))?;
    let status = response.status();
    if !status.is_success() {
        return Err(failed(format!("GET {url} answered {status}")));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| failed(format!("GET {url}: {e}")))?;
    if body.len() > MAX_PROFILE_BYTES {
        return Err(failed(format!("GET {url} answered more than 1 MiB")));
    }
    serde_json::from_slice(&body).map_err(|e| failed(format!("GET {url}: not JSON ({e})")))
}

/// The signed-in user's profile from the provider's userinfo endpoint.
async fn fetch_profile(provider: &ProviderConfig, token: &str) -> Result<Profile, OAuthError> {
    let user = get_json(&provider.userinfo_url, token).await?;
    let profile = if provider.speaks_github() {
        let emails_url = format!("{}/emails", provider.userinfo_url.trim_end_matches('/'));
        let emails = match get_json(&emails_url, token).await {
            Ok(emails) => Some(emails),
            // A public profile email is still usable (unverified) without the email list.
            Err(e) if user.get("email").is_some_and(Value::is_string) => {
                tracing::warn!(provider = %provider.id, reason = %e, "no GitHub email list");
                None
            }
            Err(e) => return Err(e),
        };
        github_profile(&user, emails.as_ref())
    } else {
        oidc_profile(&user)
    };
    profile.ok_or_else(|| failed(format!("{} sent a profile without a subject", provider.id)))
}

/// An OpenID Connect userinfo answer (`sub`, `email`, `email_verified`, `name`, `picture`).
pub fn oidc_profile(user: &Value) -> Option<Profile> {
    Some(Profile {
        subject: subject(user, "sub")?,
        email: text(user, "email").and_then(|e| normalise_email(&e).ok()),
        email_verified: flag(user, "email_verified"),
        name: name(text(user, "name")),
        avatar_url: avatar(text(user, "picture")),
    })
}

/// GitHub's `/user` (numeric `id`, `name` or `login`, `avatar_url`) with its `/user/emails`
/// list: the profile email counts as verified only when the list says so; without a profile
/// email the primary verified one is used.
pub fn github_profile(user: &Value, emails: Option<&Value>) -> Option<Profile> {
    let listed: Vec<(String, bool, bool)> = emails
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let email = normalise_email(&text(e, "email")?).ok()?;
            Some((email, flag(e, "primary"), flag(e, "verified")))
        })
        .collect();
    let (email, email_verified) = match text(user, "email").and_then(|e| normalise_email(&e).ok()) {
        Some(email) => {
            let verified = listed
                .iter()
                .any(|(e, _, verified)| *e == email && *verified);
            (Some(email), verified)
        }
        None => match listed
            .into_iter()
            .find(|(_, primary, verified)| *primary && *verified)
        {
            Some((email, _, _)) => (Some(email), true),
            None => (None, false),
        },
    };
    Some(Profile {
        subject: subject(user, "id")?,
        email,
        email_verified,
        name: name(text(user, "name").or_else(|| text(user, "login"))),
        avatar_url: avatar(text(user, "avatar_url")),
    })
}

/// A non-empty string field, trimmed.
fn text(value: &Value, key: &str) -> Option<String> {
    let text = value.get(key)?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A subject: a string or a number (GitHub's ids), at most 255 characters.
fn subject(value: &Value, key: &str) -> Option<String> {
    let subject = match value.get(key)? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    (!subject.is_empty() && subject.chars().count() <= MAX_SUBJECT_CHARS).then_some(subject)
}

/// `true` or `"true"` (some providers send booleans as strings).
fn flag(value: &Value, key: &str) -> bool {
    match value.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn name(name: Option<String>) -> Option<String> {
    name.map(|n| n.chars().take(MAX_NAME_CHARS).collect())
}

fn avatar(url: Option<String>) -> Option<String> {
    url.filter(|u| {
        (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= MAX_AVATAR_URL_CHARS
    })
}

/// The user `profile` signs in as: the one its identity is linked to (refreshed from the
/// profile), else the account with its email when the provider verified that email, else a new
/// account without a password. An unverified email neither links nor creates: an account made
/// from it would later be linked to whoever proves that address, sharing it with its creator.
async fn link(
    db: &impl ConnectionTrait,
    provider_id: &str,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let linked = identities::Entity::find()
        .filter(identities::Column::Provider.eq(provider_id))
        .filter(identities::Column::Subject.eq(&profile.subject))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    if let Some((identity, Some(user))) = linked {
        return refresh(db, identity, user, profile).await;
    }
    let email = profile.email.clone().ok_or(OAuthError::NoEmail)?;
    let existing = users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .one(db)
        .await?;
    let user = match existing {
        Some(user) if profile.email_verified => user,
        None if profile.email_verified => insert_user(db, email, profile).await?,
        _ => return Err(OAuthError::Unverified),
    };
    insert_identity(db, provider_id, profile, user.id).await?;
    Ok(user)
}

/// A returning user: name and picture follow the provider's profile.
async fn refresh(
    db: &impl ConnectionTrait,
    identity: identities::Model,
    user: users::Model,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let mut identity = identity.into_active_model();
    identity.email = Set(profile.email.clone());
    identity.email_verified = Set(profile.email_verified);
    identity.update(db).await?;
    let mut user = user.into_active_model();
    if let Some(name) = &profile.name {
        user.name = Set(name.clone());
    }
    user.avatar_url = Set(profile.avatar_url.clone());
    Ok(user.update(db).await?)
}

async fn insert_user(
    db: &impl ConnectionTrait,
    email: String,
    profile: &Profile,
) -> Result<users::Model, OAuthError> {
    let local_part = email.split('@').next().unwrap_or_default().to_string();
    let row = users::ActiveModel {
        name: Set(profile.name.clone().unwrap_or(local_part)),
        email: Set(email),
        avatar_url: Set(profile.avatar_url.clone()),
        password_hash: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    Ok(users::Entity::insert(row).exec_with_returning(db).await?)
}

async fn insert_identity(
    db: &impl ConnectionTrait,
    provider_id: &str,
    profile: &Profile,
    user_id: i64,
) -> Result<(), OAuthError> {
    identities::ActiveModel {
        provider: Set(provider_id.to_string()),
        subject: Set(profile.subject.clone()),
        user_id: Set(user_id),
        email: Set(profile.email.clone()),
        email_verified: Set(profile.email_verified),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn next_paths_stay_on_this_server() {
        assert_eq!(safe_next_path(Some("/apps/3?range=1h")), "/apps/3?range=1h");
        for bad in [
            None,
            Some(""),
            Some("dashboard"),
            Some("//evil.example"),
            Some("/\\evil.example"),
            Some("https://evil.example/"),
            Some("/\t/evil.example"),
            Some("/a\r\nSet-Cookie: x=y"),
            Some("/caf\u{e9}"),
        ] {
            assert_eq!(safe_next_path(bad), DEFAULT_NEXT_PATH, "{bad:?}");
        }
        assert_eq!(
            safe_next_path(Some(&format!("/{}", "a".repeat(3000)))),
            DEFAULT_NEXT_PATH
        );
    }

    #[test]
    fn the_redirect_uri_is_under_the_public_url() {
        assert_eq!(
            redirect_uri("https://logs.example.com/", "google"),
            "https://logs.example.com/auth/google/callback"
        );
    }

    #[test]
    fn oidc_profiles_are_cleaned_up() {
        let profile = oidc_profile(&json!({
            "sub": "1234", "email": " Grace@Example.COM ", "email_verified": "true",
            "name": "Grace Hopper", "picture": "https://img.example/g.png"
        }))
        .unwrap();
        assert_eq!(profile.subject, "1234");
        assert_eq!(profile.email.as_deref(), Some("grace@example.com"));
        assert!(profile.email_verified);
        assert_eq!(profile.name.as_deref(), Some("Grace Hopper"));
        assert_eq!(
            profile.avatar_url.as_deref(),
            Some("https://img.example/g.png")
        );

        let bare =
            oidc_profile(&json!({"sub": "9", "email": "not-an-email", "picture": ""})).unwrap();
        assert_eq!(
            (bare.email, bare.email_verified, bare.avatar_url),
            (None, false, None)
        );
        assert!(
            oidc_profile(&json!({"email": "a@b.co"})).is_none(),
            "no subject"
        );
        assert!(oidc_profile(&json!({"sub": ""})).is_none());
    }

    #[test]
    fn github_profiles_use_the_numeric_id_login_and_verified_emails() {
        let emails = json!([
            {"email": "old@example.com", "primary": false, "verified": true},
            {"email": "Main@Example.com", "primary": true, "verified": true},
        ]);
        let user = json!({"id": 583231, "login": "octocat", "name": null, "email": null,
                          "avatar_url": "https://avatars.example/u/583231"});
        let profile = github_profile(&user, Some(&emails)).unwrap();
        assert_eq!(profile.subject, "583231");
        assert_eq!(profile.name.as_deref(), Some("octocat"));
        assert_eq!(profile.email.as_deref(), Some("main@example.com"));
        assert!(profile.email_verified);

        let unverified = json!([{"email": "main@example.com", "primary": true, "verified": false}]);
        let profile = github_profile(&user, Some(&unverified)).unwrap();
        assert_eq!((profile.email, profile.email_verified), (None, false));

        let public = json!({"id": 7, "login": "x", "name": "X", "email": "old@example.com"});
        let profile = github_profile(&public, Some(&emails)).unwrap();
        assert_eq!(profile.email.as_deref(), Some("old@example.com"));
        assert!(profile.email_verified);
        assert!(!github_profile(&public, None).unwrap().email_verified);
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
