//! The ways a Sentry SDK names its key (DESIGN.md §6): the `X-Sentry-Auth` or
//! `Authorization: Sentry …` header, the `sentry_key` query parameter, or the full DSN in the
//! envelope header. These functions only read the key; checking it is the route's job.

/// The parts of a DSN `http(s)://<public_key>[:<secret>]@<host>[:<port>]/[<path>/]<project_id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dsn {
    pub public_key: String,
    /// The project (Lodestar app) id: the last path segment.
    pub project_id: i64,
    pub host: String,
    pub port: Option<u16>,
    /// `http` or `https`.
    pub scheme: String,
}

/// Why a DSN could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the DSN is not like http(s)://<public_key>@<host>/<project_id>: {0}")]
pub struct DsnError(pub &'static str);

/// Reads a DSN string. The deprecated secret (`key:secret@`) is allowed and ignored.
pub fn parse_dsn(dsn: &str) -> Result<Dsn, DsnError> {
    let url = url::Url::parse(dsn.trim()).map_err(|_| DsnError("it is not a URL"))?;
    let scheme = url.scheme();
    if scheme != "http" && scheme != "https" {
        return Err(DsnError("the scheme must be http or https"));
    }
    let public_key = url.username();
    if public_key.is_empty() {
        return Err(DsnError("it has no public key before the @"));
    }
    let host = url
        .host_str()
        .filter(|host| !host.is_empty())
        .ok_or(DsnError("it has no host"))?;
    let project = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|segment| !segment.is_empty()))
        .ok_or(DsnError("it has no project id"))?;
    let project_id = project
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0 && project.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(DsnError("the project id must be a number"))?;
    Ok(Dsn {
        public_key: public_key.to_string(),
        project_id,
        host: host.to_string(),
        port: url.port(),
        scheme: scheme.to_string(),
    })
}

/// What an `X-Sentry-Auth` / `Authorization: Sentry …` header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentryAuth {
    pub sentry_key: String,
    /// `sentry_version`, like `7`.
    pub version: Option<String>,
    /// `sentry_client`, like `sentry.python/2.75.0`.
    pub client: Option<String>,
}

/// Reads `Sentry sentry_key=…, sentry_version=7, sentry_client=…`. The `Sentry` scheme word
/// is optional (some old clients omit it in `X-Sentry-Auth`); pairs are separated by commas,
/// keys are matched case-insensitively and values may be quoted. Nothing when there is no
/// non-empty `sentry_key`, so `Authorization: Bearer …` is simply not Sentry auth.
pub fn parse_auth_header(value: &str) -> Option<SentryAuth> {
    let value = value.trim();
    let pairs = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sentry") => rest,
        _ => value,
    };
    let mut key = None;
    let mut version = None;
    let mut client = None;
    for pair in pairs.split(',') {
        let Some((name, found)) = pair.split_once('=') else {
            continue;
        };
        let found = found.trim().trim_matches('"').trim();
        if found.is_empty() {
            continue;
        }
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "sentry_key" => &mut key,
            "sentry_version" => &mut version,
            "sentry_client" => &mut client,
            _ => continue,
        };
        *slot = Some(found.to_string());
    }
    Some(SentryAuth {
        sentry_key: key?,
        version,
        client,
    })
}

/// The `sentry_key` of a request's query string (`sentry_version=7&sentry_key=…`).
pub fn key_from_query(query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(name, value)| name == "sentry_key" && !value.is_empty())
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsns_in_the_forms_sdks_are_given() {
        let dsn = parse_dsn("http://publickey@127.0.0.1:47821/42").unwrap();
        assert_eq!(
            dsn,
            Dsn {
                public_key: "publickey".into(),
                project_id: 42,
                host: "127.0.0.1".into(),
                port: Some(47821),
                scheme: "http".into(),
            }
        );
        let with_secret =
            parse_dsn("https://e12d836b15bb49d7bbf99e64295d995b:@sentry.io/42").unwrap();
        assert_eq!(with_secret.public_key, "e12d836b15bb49d7bbf99e64295d995b");
        let prefixed = parse_dsn("https://key:secret@logs.example.com/sub/path/7/").unwrap();
        assert_eq!((prefixed.project_id, prefixed.port), (7, None));
        for (bad, why) in [
            ("not a url", "it is not a URL"),
            ("ftp://k@host/1", "the scheme must be http or https"),
            ("https://host/1", "it has no public key before the @"),
            ("https://k@host/", "it has no project id"),
            ("https://k@host/abc", "the project id must be a number"),
            ("https://k@host/+5", "the project id must be a number"),
        ] {
            assert_eq!(parse_dsn(bad), Err(DsnError(why)), "{bad}");
        }
    }

    #[test]
    fn auth_headers_as_sdks_write_them() {
        let python = parse_auth_header(
            "Sentry sentry_key=publickey, sentry_version=7, sentry_client=sentry.python/2.75.0",
        )
        .unwrap();
        assert_eq!(python.sentry_key, "publickey");
        assert_eq!(python.version.as_deref(), Some("7"));
        assert_eq!(python.client.as_deref(), Some("sentry.python/2.75.0"));
        let go = parse_auth_header(
            "Sentry sentry_version=7, sentry_client=sentry.go/0.36.0, sentry_key=abc, sentry_secret=s",
        )
        .unwrap();
        assert_eq!(go.sentry_key, "abc");
        let odd = parse_auth_header("sentry  SENTRY_KEY=\"k1\" ,sentry_version=7").unwrap();
        assert_eq!(odd.sentry_key, "k1");
        assert_eq!(
            parse_auth_header("sentry_key=bare").unwrap().sentry_key,
            "bare"
        );
        for none in [
            "Bearer sk_abc",
            "Sentry sentry_version=7",
            "Sentry sentry_key=",
            "",
        ] {
            assert_eq!(parse_auth_header(none), None, "{none}");
        }
    }

    #[test]
    fn keys_in_query_strings() {
        let node =
            "sentry_version=7&sentry_key=publickey&sentry_client=sentry.javascript.node%2F11.12.0";
        assert_eq!(key_from_query(node).as_deref(), Some("publickey"));
        assert_eq!(key_from_query("?sentry_key=a%2Bb").as_deref(), Some("a+b"));
        assert_eq!(key_from_query("sentry_key=&x=1"), None);
        assert_eq!(key_from_query(""), None);
    }
}
