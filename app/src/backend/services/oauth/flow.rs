//! The two legs of a sign-in: [`start`] and [`finish`], and the provider calls between them.
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
    EntityTrait, QueryFilter,
};

use super::{
    CallbackParams, OAuthError, ProviderConfig, STATE_LIFETIME_MINUTES, SignInRequest, SignedIn,
    Started, failed, linking::link, profile::fetch_profile, redirect_uri,
};
use crate::backend::{
    db::begin_write, entities::oauth_states, secrets, services::sessions, state::Settings,
};

/// Provider calls (token, userinfo) give up after this long.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Begins a sign-in with `provider_id`: stores the state row and answers the URL to send the
/// browser to. Expired rows of abandoned sign-ins are deleted on the way.
pub async fn start(
    db: &DatabaseConnection,
    settings: &Settings,
    provider_id: &str,
    next: Option<&str>,
) -> Result<Started, OAuthError> {
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
        next_path: Set(crate::model::account::safe_next(next)),
        created_at: Set(now),
        expires_at: Set(now + chrono::Duration::minutes(STATE_LIFETIME_MINUTES)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let (url, _) = client
        .authorize_url(|| CsrfToken::new(state.clone()))
        .add_scopes(provider.scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .url();
    Ok(Started {
        authorize_url: url.into(),
        state,
    })
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
    // The state must come back to the browser that started the sign-in: a callback URL
    // replayed in someone else's browser would sign them in as the attacker.
    if request.browser_state.is_none() || request.browser_state != params.state.as_deref() {
        return Err(OAuthError::BadState);
    }
    if params.error.is_some() {
        return Err(OAuthError::Denied);
    }
    let code = params.code.as_deref().filter(|c| !c.is_empty());
    let code = code.ok_or_else(|| failed("the callback carried neither code nor error"))?;
    let client = client(provider, &settings.public_url)?;
    let token = exchange_code(&client, code, pending.pkce_verifier).await?;
    let profile = fetch_profile(provider, &token).await?;
    let txn = begin_write(db).await?;
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

pub(super) fn http() -> Result<&'static reqwest::Client, OAuthError> {
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
pub(super) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
