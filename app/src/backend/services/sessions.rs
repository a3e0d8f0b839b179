//! Browser sessions: a random 256-bit token in an HttpOnly cookie, stored as its SHA-256, with a
//! sliding 30-day expiry.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

use crate::backend::{
    ServiceError,
    entities::{sessions, users},
    secrets,
};

pub const COOKIE_NAME: &str = "lodestar_session";
pub const LIFETIME_DAYS: i64 = 30;
/// A session's expiry slides forward at most this often, so a busy user costs no write per request.
const REFRESH_AFTER_MINUTES: i64 = 10;

/// A session as it is handed to the browser, once.
pub struct NewSession {
    pub token: String,
    pub record: sessions::Model,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"<redacted>")
            .field("record", &self.record)
            .finish()
    }
}

/// Starts a session for `user_id`. Callers revoke the session the browser already had, so that a
/// sign-in always yields a fresh token (no fixation).
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    user_agent: Option<&str>,
) -> Result<NewSession, ServiceError> {
    let token = secrets::random_base62(43);
    let now = Utc::now();
    let record = sessions::ActiveModel {
        token_sha256: Set(secrets::sha256_hex(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(LIFETIME_DAYS)),
        last_seen_at: Set(now),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(512).collect())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewSession { token, record })
}

/// The user behind a live session token, sliding the expiry forward. Expired sessions are deleted.
pub async fn resolve(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<users::Model>, ServiceError> {
    resolve_at(db, token, Utc::now()).await
}

pub async fn resolve_at(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<users::Model>, ServiceError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let found = sessions::Entity::find()
        .filter(sessions::Column::TokenSha256.eq(secrets::sha256_hex(token)))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    let Some((session, Some(user))) = found else {
        return Ok(None);
    };
    if session.expires_at <= now {
        sessions::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(REFRESH_AFTER_MINUTES) {
        let mut active = session.into_active_model();
        active.last_seen_at = Set(now);
        active.expires_at = Set(now + Duration::days(LIFETIME_DAYS));
        active.update(db).await?;
    }
    Ok(Some(user))
}

/// Ends the session whose token this is (sign-out). Unknown tokens are ignored.
pub async fn revoke(db: &impl ConnectionTrait, token: &str) -> Result<(), ServiceError> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::TokenSha256.eq(secrets::sha256_hex(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` ("sign out of all devices").
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, ServiceError> {
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The `Set-Cookie` value that hands `token` to the browser.
pub fn cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        LIFETIME_DAYS * 86_400,
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The session token among a request's `Cookie` headers (HTTP/2 may split them).
pub fn token_from_headers(headers: &http::HeaderMap) -> Option<&str> {
    cookie_from_headers(headers, COOKIE_NAME)
}

/// The value of cookie `name` among a request's `Cookie` headers.
pub fn cookie_from_headers<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| cookie_value(header, name))
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    cookie_value(header, COOKIE_NAME)
}

fn cookie_value<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    header.split(';').map(str::trim).find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; lodestar_session=abc; b=2"),
            Some("abc")
        );
        assert_eq!(token_from_cookie_header("lodestar_session="), None);
        assert_eq!(token_from_cookie_header("other=x"), None);
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_on_https() {
        let plain = cookie("t", false);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        assert!(cookie("t", true).ends_with("; Secure"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
    }
}
