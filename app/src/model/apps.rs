//! What the app pages show of apps and keys, and the pure formatting they share.
use serde::{Deserialize, Serialize};

/// An app in lists, with its headline numbers over the last 24 hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub lines_24h: i64,
    pub errors_24h: i64,
    /// The newest line's timestamp, UTC µs.
    pub last_line_us: Option<i64>,
    /// When the numbers were read, UTC µs: relative times are computed from it, so that
    /// server and browser render the same text.
    pub as_of_us: i64,
}

impl AppSummary {
    pub fn last_line(&self) -> String {
        match self.last_line_us {
            Some(at) => ago(self.as_of_us, at),
            None => "never".into(),
        }
    }
}

/// One app with what its settings page needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub dsn: String,
    /// The server's public URL, where SDKs send lines.
    pub base_url: String,
    pub created: String,
}

/// An API key as lists show it: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: i64,
    pub name: String,
    /// `sk_` and the first random characters.
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
    pub revoked: Option<String>,
}

/// What the settings page shows: the app and all of its keys, read together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsView {
    pub app: AppView,
    pub keys: Vec<KeyView>,
}

/// The answer to creating an app: the only time its first key is readable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApp {
    pub app: AppView,
    pub api_key: String,
}

/// The answer to creating a key: the only time it is readable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key: KeyView,
    pub api_key: String,
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago", from two UTC µs instants.
pub fn ago(now_us: i64, at_us: i64) -> String {
    let secs = (now_us - at_us).max(0) / 1_000_000;
    let (n, unit) = match secs {
        0..=59 => return "just now".into(),
        60..=3_599 => (secs / 60, "minute"),
        3_600..=86_399 => (secs / 3_600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// 950 → "950", 12_345 → "12.3k", 4_200_000 → "4.2M".
pub fn compact_count(n: i64) -> String {
    let n = n.max(0) as f64;
    match n {
        n if n < 1_000.0 => format!("{n}"),
        n if n < 1_000_000.0 => trim_decimal(n / 1_000.0, "k"),
        n if n < 1_000_000_000.0 => trim_decimal(n / 1_000_000.0, "M"),
        n => trim_decimal(n / 1_000_000_000.0, "B"),
    }
}

fn trim_decimal(value: f64, suffix: &str) -> String {
    let text = if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    format!("{}{suffix}", text.trim_end_matches(".0"))
}

/// Where the Quick Start snippets send lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub base_url: String,
    pub api_key: String,
    pub dsn: String,
}

impl Target {
    /// Placeholders, for pages that do not know a key.
    pub fn example() -> Self {
        Target {
            base_url: "https://lodestar.example.com".into(),
            api_key: "sk_…".into(),
            dsn: "https://<public_key>@lodestar.example.com/<app_id>".into(),
        }
    }
}

/// The ways to send a first line, one Quick Start tab each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    Python,
    Curl,
    Sentry,
}

impl Sample {
    pub const ALL: [Sample; 3] = [Sample::Python, Sample::Curl, Sample::Sentry];

    pub fn label(self) -> &'static str {
        match self {
            Sample::Python => "Python",
            Sample::Curl => "curl",
            Sample::Sentry => "Sentry SDK",
        }
    }

    pub fn code(self, target: &Target) -> String {
        let Target {
            base_url,
            api_key,
            dsn,
        } = target;
        match self {
            Sample::Python => format!(
                "# the SDK ships in the Lodestar repository (PyPI's \"lodestar\" is another project)\n\
                 pip install ./sdk/python\n\n\
                 import logging, lodestar\n\
                 lodestar.init(api_key=\"{api_key}\", dsn=\"{base_url}\")\n\
                 logging.getLogger(\"checkout\").error(\"payment declined\", extra={{\"order\": 42}})"
            ),
            Sample::Curl => format!(
                "curl {base_url}/ingest \\\n  \
                 -H \"Authorization: Bearer {api_key}\" \\\n  \
                 -H \"Content-Type: application/json\" \\\n  \
                 -d '{{\"logs\":[{{\"level\":\"error\",\"service\":\"checkout\",\n        \
                 \"message\":\"payment declined\"}}]}}'"
            ),
            Sample::Sentry => format!(
                "# any official Sentry SDK: change the DSN, keep your code\n\
                 import sentry_sdk\n\
                 sentry_sdk.init(\n    \
                 dsn=\"{dsn}\",\n    \
                 enable_logs=True,\n\
                 )"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let s = 1_000_000;
        assert_eq!(ago(100 * s, 100 * s), "just now");
        assert_eq!(
            ago(100 * s, 200 * s),
            "just now",
            "a future line is not negative"
        );
        assert_eq!(ago(160 * s, 100 * s), "1 minute ago");
        assert_eq!(ago(3_700 * s, 100 * s), "1 hour ago");
        assert_eq!(ago(200_000 * s, 0), "2 days ago");
    }

    #[test]
    fn counts_are_compact() {
        assert_eq!(compact_count(0), "0");
        assert_eq!(compact_count(950), "950");
        assert_eq!(compact_count(1_000), "1k");
        assert_eq!(compact_count(12_345), "12.3k");
        assert_eq!(compact_count(456_789), "457k");
        assert_eq!(compact_count(4_200_000), "4.2M");
    }

    #[test]
    fn snippets_carry_the_key_and_dsn() {
        let target = Target {
            base_url: "http://127.0.0.1:3000".into(),
            api_key: "sk_abc".into(),
            dsn: "http://pk@127.0.0.1:3000/1".into(),
        };
        let python = Sample::Python.code(&target);
        assert!(
            python.contains("lodestar.init(api_key=\"sk_abc\", dsn=\"http://127.0.0.1:3000\")")
        );
        let curl = Sample::Curl.code(&target);
        assert!(curl.starts_with("curl http://127.0.0.1:3000/ingest"));
        assert!(curl.contains("Bearer sk_abc"));
        assert!(
            Sample::Sentry
                .code(&target)
                .contains("dsn=\"http://pk@127.0.0.1:3000/1\"")
        );
    }
}
