//! What a provider says about the person signing in, cleaned up.
use serde_json::Value;

use super::{
    OAuthError, ProviderConfig, failed,
    flow::{error_chain, http},
};
use crate::backend::services::users::normalise_email;

const MAX_NAME_CHARS: usize = 128;
const MAX_AVATAR_URL_CHARS: usize = 2048;
const MAX_SUBJECT_CHARS: usize = 255;
const MAX_PROFILE_BYTES: usize = 1 << 20;

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
pub(super) async fn fetch_profile(
    provider: &ProviderConfig,
    token: &str,
) -> Result<Profile, OAuthError> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

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
}
