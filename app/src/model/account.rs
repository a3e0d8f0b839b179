use serde::{Deserialize, Serialize};

/// The signed-in user, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub avatar_url: Option<String>,
}

impl UserView {
    /// One or two letters for an avatar without a picture.
    pub fn initials(&self) -> String {
        let letters: String = self
            .name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .take(2)
            .collect();
        if letters.is_empty() { "?".into() } else { letters.to_uppercase() }
    }
}

/// A configured sign-in provider (its button on the sign-in page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: String,
    pub label: String,
}

/// Where to go after signing in: a local path only (no `//host` or `/\host` tricks), else the
/// dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/dashboard".to_string(),
    }
}

/// Percent-encodes `value` for a query string.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The message for a `?error=` code the OAuth callback sends back to the sign-in page.
pub fn sign_in_error_message(code: &str) -> &'static str {
    match code {
        "oauth_state" => "That sign-in link expired or was already used. Please try again.",
        "oauth_denied" => "Sign-in was cancelled at the provider. Nothing was changed.",
        "oauth_failed" => "The provider could not confirm your account. Please try again.",
        "oauth_unverified" => {
            "An account with this email already exists, and the provider has not verified the \
             email. Sign in with your password instead."
        }
        "oauth_no_email" => "The provider did not share an email address, which Lodestar needs.",
        "oauth_unknown" => "That sign-in provider is not configured on this server.",
        "signed_out" => "You have been signed out.",
        _ => "Sign-in did not complete. Please try again.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/apps/3?q=x")), "/apps/3?q=x");
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "dashboard", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), "/dashboard", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/dashboard");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_query_value("/apps/3?q=a b&c"), "/apps/3%3Fq%3Da%20b%26c");
    }

    #[test]
    fn initials_come_from_the_name() {
        let user = UserView { id: 1, name: "ada lovelace".into(), email: "a@b.c".into(), avatar_url: None };
        assert_eq!(user.initials(), "AL");
    }
}
