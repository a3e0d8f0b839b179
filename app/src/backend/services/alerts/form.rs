//! The rule form as it arrives (text), checked into what a rule stores. Each error names the
//! form field it belongs to.
use crate::{
    backend::{
        ServiceError,
        services::logs::{self, MAX_QUERY_LEN},
    },
    model::{
        alerts::{
            Channel, Comparison, MAX_COOLDOWN_MINUTES, MAX_EMAILS, MAX_NAME_LEN, MAX_SECRET_LEN,
            MAX_URL_LEN, MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES, RuleKind,
        },
        query,
    },
};

/// The window a rule without one stores.
const DEFAULT_WINDOW_MINUTES: u32 = 5;

/// The form's fields, as typed.
pub use crate::model::alerts::RuleFields as RuleForm;

/// A checked rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    pub name: String,
    pub kind: RuleKind,
    pub query: String,
    pub environment: Option<String>,
    pub window_minutes: u32,
    pub comparison: Comparison,
    pub threshold: f64,
    pub cooldown_minutes: u32,
    pub enabled: bool,
    pub channels: Vec<Channel>,
}

impl RuleForm {
    /// Checks the form. `previous` are the rule's channels before (for the kept secret);
    /// `email_enabled` whether the server can send email.
    pub fn check(
        &self,
        previous: &[Channel],
        email_enabled: bool,
    ) -> Result<RuleSpec, ServiceError> {
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
            return Err(ServiceError::invalid(
                "name",
                format!("give the rule a name of 1 to {MAX_NAME_LEN} characters"),
            ));
        }
        let kind = RuleKind::parse(self.kind.trim())
            .ok_or_else(|| ServiceError::invalid("kind", "choose what the rule watches"))?;
        let query = if kind == RuleKind::Threshold {
            let text = self.query.trim();
            if text.len() > MAX_QUERY_LEN {
                return Err(ServiceError::invalid(
                    "query",
                    format!("the search is longer than {MAX_QUERY_LEN} characters"),
                ));
            }
            query::parse(text).map_err(|e| ServiceError::invalid("query", e.to_string()))?;
            text.to_string()
        } else {
            String::new()
        };
        let environment = logs::check_environment(self.environment.trim())?;
        let window_minutes = if kind.has_window() {
            whole(&self.window_minutes, MIN_WINDOW_MINUTES, MAX_WINDOW_MINUTES).ok_or_else(
                || {
                    ServiceError::invalid(
                        "window_minutes",
                        format!(
                            "the window is a whole number of minutes from \
                             {MIN_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES}"
                        ),
                    )
                },
            )?
        } else {
            DEFAULT_WINDOW_MINUTES
        };
        let comparison = match kind {
            RuleKind::Threshold => Comparison::parse(self.comparison.trim())
                .ok_or_else(|| ServiceError::invalid("comparison", "choose above or below"))?,
            _ => Comparison::Above,
        };
        let threshold = match kind {
            RuleKind::Threshold => number(&self.threshold, 1e12).ok_or_else(|| {
                ServiceError::invalid("threshold", "the threshold is a number of lines, 0 or more")
            })?,
            RuleKind::ErrorRate => number(&self.threshold, 100.0).ok_or_else(|| {
                ServiceError::invalid("threshold", "the threshold is a percentage from 0 to 100")
            })?,
            _ => 0.0,
        };
        let cooldown_minutes =
            whole(&self.cooldown_minutes, 0, MAX_COOLDOWN_MINUTES).ok_or_else(|| {
                ServiceError::invalid(
                    "cooldown_minutes",
                    format!(
                        "the cooldown is a whole number of minutes up to {MAX_COOLDOWN_MINUTES}"
                    ),
                )
            })?;
        let channels = self.channels(previous, email_enabled)?;
        Ok(RuleSpec {
            name,
            kind,
            query,
            environment,
            window_minutes,
            comparison,
            threshold,
            cooldown_minutes,
            enabled: self.enabled.is_some(),
            channels,
        })
    }

    fn channels(
        &self,
        previous: &[Channel],
        email_enabled: bool,
    ) -> Result<Vec<Channel>, ServiceError> {
        let mut channels = Vec::new();
        if let Some(url) = web_url(&self.webhook_url, "webhook_url")? {
            let secret = self.webhook_secret.trim();
            if secret.len() > MAX_SECRET_LEN {
                return Err(ServiceError::invalid(
                    "webhook_secret",
                    format!("the secret is at most {MAX_SECRET_LEN} characters"),
                ));
            }
            let secret = if secret.is_empty() {
                previous.iter().find_map(|channel| match channel {
                    Channel::Webhook {
                        url: before,
                        secret,
                    } if *before == url => secret.clone(),
                    _ => None,
                })
            } else {
                Some(secret.to_string())
            };
            channels.push(Channel::Webhook { url, secret });
        }
        if let Some(url) = web_url(&self.slack_url, "slack_url")? {
            channels.push(Channel::Slack { url });
        }
        let to: Vec<String> = self
            .email_to
            .split([',', ';', ' ', '\n', '\t'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        if !to.is_empty() {
            if !email_enabled {
                return Err(ServiceError::invalid(
                    "email_to",
                    "email is not set up on this server (LODESTAR_SMTP_URL)",
                ));
            }
            if to.len() > MAX_EMAILS {
                return Err(ServiceError::invalid(
                    "email_to",
                    format!("at most {MAX_EMAILS} addresses"),
                ));
            }
            if let Some(bad) = to.iter().find(|a| a.parse::<lettre::Address>().is_err()) {
                return Err(ServiceError::invalid(
                    "email_to",
                    format!("{bad} is not an email address"),
                ));
            }
            channels.push(Channel::Email { to });
        }
        if channels.is_empty() {
            return Err(ServiceError::invalid(
                "webhook_url",
                "add at least one channel: a webhook, a Slack webhook or an email address",
            ));
        }
        Ok(channels)
    }
}

/// An http(s) URL, or `None` when the field is empty.
fn web_url(text: &str, field: &'static str) -> Result<Option<String>, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || ServiceError::invalid(field, "enter an http:// or https:// URL");
    if text.len() > MAX_URL_LEN {
        return Err(ServiceError::invalid(
            field,
            format!("the URL is longer than {MAX_URL_LEN} characters"),
        ));
    }
    let url = url::Url::parse(text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(Some(text.to_string()))
}

fn whole(text: &str, min: u32, max: u32) -> Option<u32> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
}

fn number(text: &str, max: f64) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0 && *n <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RuleForm {
        RuleForm {
            name: " Too many errors ".into(),
            kind: "threshold".into(),
            query: " level:error ".into(),
            window_minutes: "5".into(),
            comparison: "above".into(),
            threshold: "10".into(),
            cooldown_minutes: "15".into(),
            enabled: Some("on".into()),
            webhook_url: "https://hooks.example.com/a".into(),
            ..RuleForm::default()
        }
    }

    fn field(result: Result<RuleSpec, ServiceError>) -> &'static str {
        match result {
            Err(ServiceError::Invalid { field, .. }) => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn a_good_form_is_trimmed_and_kept() {
        let spec = form().check(&[], false).unwrap();
        assert_eq!(spec.name, "Too many errors");
        assert_eq!(spec.query, "level:error");
        assert_eq!(spec.threshold, 10.0);
        assert_eq!(
            spec.channels,
            vec![Channel::Webhook {
                url: "https://hooks.example.com/a".into(),
                secret: None
            }]
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        type Change = fn(&mut RuleForm);
        let cases: Vec<(Change, &str)> = vec![
            (|f| f.name = "  ".into(), "name"),
            (|f| f.kind = "sometimes".into(), "kind"),
            (|f| f.query = "level:".into(), "query"),
            (|f| f.window_minutes = "0".into(), "window_minutes"),
            (|f| f.window_minutes = "61".into(), "window_minutes"),
            (|f| f.window_minutes = "five".into(), "window_minutes"),
            (|f| f.comparison = "sideways".into(), "comparison"),
            (|f| f.threshold = "-1".into(), "threshold"),
            (|f| f.threshold = "NaN".into(), "threshold"),
            (|f| f.cooldown_minutes = "1.5".into(), "cooldown_minutes"),
            (
                |f| f.webhook_url = "ftp://example.com".into(),
                "webhook_url",
            ),
            (|f| f.webhook_url = "".into(), "webhook_url"),
            (|f| f.slack_url = "not a url".into(), "slack_url"),
            (|f| f.email_to = "ops@example.com".into(), "email_to"),
            (|f| f.environment = "e".repeat(65), "environment"),
        ];
        for (change, expected) in cases {
            let mut bad = form();
            change(&mut bad);
            assert_eq!(field(bad.check(&[], false)), expected, "{bad:?}");
        }
        let mut rate = form();
        rate.kind = "error_rate".into();
        rate.threshold = "101".into();
        assert_eq!(field(rate.check(&[], false)), "threshold");
    }

    #[test]
    fn emails_need_smtp_and_real_addresses() {
        let mut with_email = form();
        with_email.email_to = "ops@example.com, oncall@example.com".into();
        let spec = with_email.check(&[], true).unwrap();
        assert_eq!(
            spec.channels[1],
            Channel::Email {
                to: vec!["ops@example.com".into(), "oncall@example.com".into()]
            }
        );
        with_email.email_to = "ops@example.com, nobody".into();
        assert_eq!(field(with_email.check(&[], true)), "email_to");
    }

    #[test]
    fn an_empty_secret_keeps_the_one_for_the_same_url() {
        let before = vec![Channel::Webhook {
            url: "https://hooks.example.com/a".into(),
            secret: Some("kept".into()),
        }];
        let spec = form().check(&before, false).unwrap();
        assert_eq!(
            spec.channels[0],
            Channel::Webhook {
                url: "https://hooks.example.com/a".into(),
                secret: Some("kept".into())
            }
        );
        let mut moved = form();
        moved.webhook_url = "https://hooks.example.com/b".into();
        assert_eq!(
            moved.check(&before, false).unwrap().channels[0],
            Channel::Webhook {
                url: "https://hooks.example.com/b".into(),
                secret: None
            }
        );
    }

    #[test]
    fn issue_rules_ignore_the_window_fields() {
        let mut issue = form();
        issue.kind = "new_issue".into();
        issue.query = "level:".into();
        issue.window_minutes = "".into();
        issue.threshold = "".into();
        let spec = issue.check(&[], false).unwrap();
        assert_eq!(spec.kind, RuleKind::NewIssue);
        assert_eq!(spec.query, "");
    }
}
