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
        if letters.is_empty() {
            "?".into()
        } else {
            letters.to_uppercase()
        }
    }
}

/// A configured sign-in provider (its button on the sign-in page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: String,
    pub label: String,
}

/// Where to go after signing in: a path on this server, else the dashboard. Refuses
/// scheme-relative targets (`//host`, `/\\host`) and anything but visible ASCII once spaces are
/// encoded (browsers drop tabs and newlines, which would turn `/\t/host` into `//host`).
pub fn safe_next(next: Option<&str>) -> String {
    const MAX_CHARS: usize = 2048;
    next.map(|path| path.replace(' ', "%20"))
        .filter(|path| {
            path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= MAX_CHARS
                && path.bytes().all(|b| b.is_ascii_graphic())
        })
        .unwrap_or_else(|| "/dashboard".to_string())
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
            "The provider has not verified this email address, so Lodestar cannot use it. \
             Verify it with the provider and try again, or sign in with your password."
        }
        "oauth_no_email" => "The provider did not share an email address, which Lodestar needs.",
        "oauth_unknown" => "That sign-in provider is not configured on this server.",
        "signed_out" => "You have been signed out.",
        "rate_limited" => {
            "Too many sign-in attempts from your network. Wait a few minutes and try again."
        }
        _ => "Sign-in did not complete. Please try again.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_paths_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/apps/3?range=1h")), "/apps/3?range=1h");
        assert_eq!(
            safe_next(Some("/apps/3?q=level:error timeout")),
            "/apps/3?q=level:error%20timeout"
        );
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
            assert_eq!(safe_next(bad), "/dashboard", "{bad:?}");
        }
        assert_eq!(
            safe_next(Some(&format!("/{}", "a".repeat(3000)))),
            "/dashboard"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/apps/3?q=a b&c"),
            "/apps/3%3Fq%3Da%20b%26c"
        );
    }

    #[test]
    fn initials_come_from_the_name() {
        let user = UserView {
            id: 1,
            name: "ada lovelace".into(),
            email: "a@b.c".into(),
            avatar_url: None,
        };
        assert_eq!(user.initials(), "AL");
    }
}
