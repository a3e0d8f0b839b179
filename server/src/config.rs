//! Configuration from flags and `LODESTAR_*` variables. A bad value is one clear line naming
//! the variable, and exit status 2.
use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use app::backend::{
    alerts::AlertsConfig,
    db::Engine,
    ingest::{IngestConfig, IngestLimits},
    patterns::{PatternSettings, digest::LlmConfig},
    secrets,
    services::oauth::ProviderConfig,
};
use clap::Args;

/// Settings every command shares.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite under the data folder]
    #[arg(
        long,
        env = "LODESTAR_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Folder for the default SQLite file and the generated secret.
    #[arg(
        long,
        env = "LODESTAR_DATA_DIR",
        global = true,
        default_value = "./data"
    )]
    pub data_dir: PathBuf,
    /// Where users reach this server (used in DSNs and links) [default: http://ADDR]
    #[arg(long, env = "LODESTAR_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Address to listen on.
    #[arg(
        long,
        env = "LODESTAR_ADDR",
        global = true,
        default_value = "127.0.0.1:3000"
    )]
    pub addr: String,
    /// The server secret (32+ characters) [default: generated once into the data folder]
    #[arg(long, env = "LODESTAR_SECRET", global = true, hide_env_values = true)]
    pub secret: Option<String>,
    /// Log filter, e.g. `info` or `server=debug,tower_http=debug` [default: info for serve, warn otherwise]
    #[arg(long = "log", env = "LODESTAR_LOG", global = true)]
    pub log_filter: Option<String>,
    /// Set to true behind a reverse proxy: rate limits then key on the client address the proxy
    /// appends to X-Forwarded-For instead of the proxy's own.
    #[arg(long, env = "LODESTAR_TRUST_PROXY", global = true)]
    pub trust_proxy: Option<String>,
    #[command(flatten)]
    pub oauth: OAuthArgs,
    #[command(flatten)]
    pub ingest: IngestArgs,
    #[command(flatten)]
    pub alerts: AlertArgs,
    #[command(flatten)]
    pub patterns: PatternArgs,
}

/// Log patterns and the summaries' optional LLM digest (docs/patterns.md).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Patterns and summaries")]
pub struct PatternArgs {
    /// Mine log patterns in the background: on or off.
    #[arg(long, env = "LODESTAR_PATTERNS", global = true, default_value = "on")]
    pub patterns: String,
    /// An OpenAI-compatible chat-completions URL for summary digests [default: no digests]
    #[arg(long, env = "LODESTAR_LLM_URL", global = true)]
    pub llm_url: Option<String>,
    /// The model the digests ask for.
    #[arg(long, env = "LODESTAR_LLM_MODEL", global = true)]
    pub llm_model: Option<String>,
    #[arg(
        long,
        env = "LODESTAR_LLM_API_KEY",
        global = true,
        hide_env_values = true
    )]
    pub llm_api_key: Option<String>,
    /// Sample lines (secrets masked) sent with a digest's facts, at most.
    #[arg(long, env = "LODESTAR_LLM_MAX_SAMPLES", global = true, default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=200))]
    pub llm_max_samples: u64,
}

impl PatternArgs {
    pub fn settings(&self) -> Result<PatternSettings, ConfigError> {
        let mining = match self.patterns.to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => true,
            "off" | "false" | "0" => false,
            _ => return Err(invalid("LODESTAR_PATTERNS", "must be on or off")),
        };
        let llm = match (&self.llm_url, &self.llm_model) {
            (None, _) => None,
            (Some(url), _) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                return Err(invalid(
                    "LODESTAR_LLM_URL",
                    "must be an http:// or https:// URL",
                ));
            }
            (Some(_), None) => {
                return Err(invalid(
                    "LODESTAR_LLM_MODEL",
                    "is needed with LODESTAR_LLM_URL",
                ));
            }
            (Some(url), Some(model)) => Some(LlmConfig {
                url: url.clone(),
                model: model.clone(),
                api_key: self.llm_api_key.clone().unwrap_or_default(),
                max_samples: self.llm_max_samples as usize,
                timeout: std::time::Duration::from_secs(30),
            }),
        };
        Ok(PatternSettings { mining, llm })
    }
}

/// Alert rules and their email channel (docs/alerts.md).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Alerts")]
pub struct AlertArgs {
    /// How often window rules (threshold, error rate) are measured, seconds.
    #[arg(long, env = "LODESTAR_ALERT_INTERVAL_SECS", global = true, default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=30))]
    pub alert_interval_secs: u64,
    /// The SMTP server for email alerts: smtp://USER:PASS@HOST:587?tls=required (STARTTLS),
    /// smtps://USER:PASS@HOST:465, or smtp://HOST:25 (no TLS) [default: no email channel]
    #[arg(long, env = "LODESTAR_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of alert emails.
    #[arg(
        long,
        env = "LODESTAR_SMTP_FROM",
        global = true,
        default_value = "Lodestar <alerts@localhost>"
    )]
    pub smtp_from: String,
}

impl AlertArgs {
    pub fn config(&self) -> Result<AlertsConfig, ConfigError> {
        if let Some(url) = &self.smtp_url
            && !url.is_empty()
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(invalid(
                "LODESTAR_SMTP_URL",
                "must start with smtp:// or smtps://",
            ));
        }
        if !self.smtp_from.contains('@') {
            return Err(invalid(
                "LODESTAR_SMTP_FROM",
                format!("not an email address: {}", self.smtp_from),
            ));
        }
        Ok(AlertsConfig {
            interval: std::time::Duration::from_secs(self.alert_interval_secs),
            smtp_url: self.smtp_url.clone().filter(|u| !u.is_empty()),
            smtp_from: self.smtp_from.clone(),
            ..AlertsConfig::default()
        })
    }
}

/// Limits and back-pressure of `POST /ingest` (docs/ingest.md).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Ingest")]
pub struct IngestArgs {
    /// Largest request body as sent (compressed or not), bytes.
    #[arg(long, env = "LODESTAR_INGEST_MAX_BODY", global = true, default_value_t = 5 << 20,
          value_parser = clap::value_parser!(u64).range(1024..=1 << 30))]
    pub max_body: u64,
    /// Largest body once decompressed, bytes (a compression bomb stops here).
    #[arg(long, env = "LODESTAR_INGEST_MAX_DECOMPRESSED", global = true, default_value_t = 20 << 20,
          value_parser = clap::value_parser!(u64).range(1024..=4 << 30))]
    pub max_decompressed: u64,
    /// Most lines in one request.
    #[arg(long, env = "LODESTAR_INGEST_MAX_LINES", global = true, default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_lines: u64,
    /// Longest message, bytes; longer ones are cut and flagged with `message_truncated`.
    #[arg(long, env = "LODESTAR_INGEST_MAX_MESSAGE", global = true, default_value_t = 64 << 10,
          value_parser = clap::value_parser!(u64).range(16..=16 << 20))]
    pub max_message: u64,
    /// Largest attributes of one line as JSON, bytes.
    #[arg(long, env = "LODESTAR_INGEST_MAX_ATTRIBUTES", global = true, default_value_t = 32 << 10,
          value_parser = clap::value_parser!(u64).range(2..=16 << 20))]
    pub max_attributes: u64,
    /// Lines waiting to be written at most; beyond, requests answer 503 with Retry-After.
    #[arg(long, env = "LODESTAR_INGEST_QUEUE_LINES", global = true, default_value_t = 100_000,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub queue_lines: u64,
    /// Lines per second one app may send (0: no limit); beyond, requests answer 429.
    #[arg(long, env = "LODESTAR_INGEST_APP_RATE", global = true, default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=100_000_000))]
    pub app_rate: u64,
}

impl IngestArgs {
    pub fn config(&self) -> IngestConfig {
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        IngestConfig {
            limits: IngestLimits {
                max_body: size(self.max_body),
                max_decompressed: size(self.max_decompressed),
                max_lines: size(self.max_lines),
                max_message: size(self.max_message),
                max_attributes: size(self.max_attributes),
            },
            queue_lines: size(self.queue_lines),
            app_rate: self.app_rate as f64,
            ..IngestConfig::default()
        }
    }
}

/// Sign-in providers. A provider's button shows only when its client id is set; the URLs
/// default to the provider's own and can point at any OAuth2/OIDC provider.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Sign-in providers")]
pub struct OAuthArgs {
    #[arg(long, env = "LODESTAR_GOOGLE_CLIENT_ID", global = true)]
    pub google_client_id: Option<String>,
    #[arg(
        long,
        env = "LODESTAR_GOOGLE_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub google_client_secret: Option<String>,
    #[arg(long, env = "LODESTAR_GOOGLE_AUTHORIZE_URL", global = true)]
    pub google_authorize_url: Option<String>,
    #[arg(long, env = "LODESTAR_GOOGLE_TOKEN_URL", global = true)]
    pub google_token_url: Option<String>,
    #[arg(long, env = "LODESTAR_GOOGLE_USERINFO_URL", global = true)]
    pub google_userinfo_url: Option<String>,
    #[arg(long, env = "LODESTAR_GITHUB_CLIENT_ID", global = true)]
    pub github_client_id: Option<String>,
    #[arg(
        long,
        env = "LODESTAR_GITHUB_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub github_client_secret: Option<String>,
    #[arg(long, env = "LODESTAR_GITHUB_AUTHORIZE_URL", global = true)]
    pub github_authorize_url: Option<String>,
    #[arg(long, env = "LODESTAR_GITHUB_TOKEN_URL", global = true)]
    pub github_token_url: Option<String>,
    #[arg(long, env = "LODESTAR_GITHUB_USERINFO_URL", global = true)]
    pub github_userinfo_url: Option<String>,
}

impl OAuthArgs {
    /// The configured providers, Google first.
    pub fn providers(&self) -> Result<Vec<ProviderConfig>, ConfigError> {
        let google = configure(
            "GOOGLE",
            (&self.google_client_id, &self.google_client_secret),
            [
                &self.google_authorize_url,
                &self.google_token_url,
                &self.google_userinfo_url,
            ],
            ProviderConfig::google,
        )?;
        let github = configure(
            "GITHUB",
            (&self.github_client_id, &self.github_client_secret),
            [
                &self.github_authorize_url,
                &self.github_token_url,
                &self.github_userinfo_url,
            ],
            ProviderConfig::github,
        )?;
        Ok(google.into_iter().chain(github).collect())
    }
}

/// One provider from its `LODESTAR_{name}_*` settings: none without a client id, an error
/// without a secret, its preset's URLs unless overridden.
fn configure(
    name: &str,
    (id, secret): (&Option<String>, &Option<String>),
    urls: [&Option<String>; 3],
    preset: fn(String, String) -> ProviderConfig,
) -> Result<Option<ProviderConfig>, ConfigError> {
    let Some(id) = id.as_deref().filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let secret = secret.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
        invalid(
            format!("LODESTAR_{name}_CLIENT_SECRET"),
            format!("is required when LODESTAR_{name}_CLIENT_ID is set"),
        )
    })?;
    let mut provider = preset(id.to_string(), secret.to_string());
    let targets = [
        (&mut provider.authorize_url, "AUTHORIZE_URL"),
        (&mut provider.token_url, "TOKEN_URL"),
        (&mut provider.userinfo_url, "USERINFO_URL"),
    ];
    for (url, (target, suffix)) in urls.into_iter().zip(targets) {
        if let Some(url) = url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid(
                    format!("LODESTAR_{name}_{suffix}"),
                    "must be an http(s) URL",
                ));
            }
            *target = url.clone();
        }
    }
    Ok(Some(provider))
}

/// A configuration error: which setting, and what is wrong with it.
#[derive(Debug)]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.message)
    }
}

fn invalid(variable: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.into(),
        message: message.into(),
    }
}

impl CommonArgs {
    pub fn trust_proxy(&self) -> Result<bool, ConfigError> {
        match self
            .trust_proxy
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("" | "false" | "0" | "no") => Ok(false),
            Some("true" | "1" | "yes") => Ok(true),
            Some(other) => Err(invalid(
                "LODESTAR_TRUST_PROXY",
                format!("{other:?} is not true or false"),
            )),
        }
    }

    pub fn database_url(&self) -> Result<String, ConfigError> {
        match &self.database_url {
            None => Ok(format!(
                "sqlite://{}",
                self.data_dir.join("lodestar.db").display()
            )),
            Some(url) if Engine::of_url(url).is_some() => Ok(url.clone()),
            Some(_) => Err(invalid(
                "LODESTAR_DATABASE_URL",
                "expected sqlite://PATH or postgres://USER@HOST:PORT/DATABASE",
            )),
        }
    }

    pub fn addr(&self) -> Result<SocketAddr, ConfigError> {
        self.addr.parse().map_err(|_| {
            invalid(
                "LODESTAR_ADDR",
                format!("{:?} is not an address like 127.0.0.1:3000", self.addr),
            )
        })
    }

    pub fn public_url(&self) -> Result<String, ConfigError> {
        let Some(url) = &self.public_url else {
            return Ok(format!("http://{}", self.addr()?));
        };
        let url = url.trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| invalid("LODESTAR_PUBLIC_URL", "must start with http:// or https://"))?;
        let bad_host = host.is_empty()
            || host.starts_with('/')
            || host.contains(|c: char| c.is_whitespace() || c == '@' || c == '?' || c == '#');
        if bad_host {
            return Err(invalid(
                "LODESTAR_PUBLIC_URL",
                format!("{url:?} is not a URL like https://logs.example.com"),
            ));
        }
        Ok(url.to_string())
    }

    /// The tracing filter; `default` applies when LODESTAR_LOG is unset.
    pub fn log_filter(&self, default: &str) -> Result<tracing_subscriber::EnvFilter, ConfigError> {
        let filter = self.log_filter.as_deref().unwrap_or(default);
        tracing_subscriber::EnvFilter::try_new(filter)
            .map_err(|e| invalid("LODESTAR_LOG", format!("{filter:?}: {e}")))
    }
}

/// The server secret: `LODESTAR_SECRET`, else the one generated on first run under the data
/// folder (mode 0600), else a new one written there.
pub fn load_secret(given: Option<&str>, data_dir: &Path) -> Result<String, ConfigError> {
    if let Some(secret) = given {
        if secret.len() < 32 {
            return Err(invalid("LODESTAR_SECRET", "must be at least 32 characters"));
        }
        return Ok(secret.to_string());
    }
    let path = data_dir.join("secret");
    let io_error = |e: std::io::Error| {
        invalid(
            "LODESTAR_DATA_DIR",
            format!("cannot use {}: {e}", path.display()),
        )
    };
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= 32 => return Ok(secret.trim().to_string()),
        Ok(_) => {
            return Err(invalid(
                "LODESTAR_DATA_DIR",
                format!("{} is shorter than 32 characters", path.display()),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(e)),
    }
    std::fs::create_dir_all(data_dir).map_err(io_error)?;
    let secret = secrets::random_hex(32);
    match publish_private(&path, &secret) {
        Ok(()) => Ok(secret),
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(&path)
            .map(|s| s.trim().to_string())
            .map_err(io_error),
        Err(e) => Err(io_error(e)),
    }
}

/// Writes `contents` to `path` (mode 0600) all at once: a temporary file is completed first,
/// then hard-linked into place, which fails with `AlreadyExists` rather than overwrite.
fn publish_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let temporary = path.with_extension(format!("tmp-{}", secrets::random_hex(4)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&temporary, path));
    std::fs::remove_file(&temporary).ok();
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ingest_args(flags: &[&str]) -> IngestArgs {
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            ingest: IngestArgs,
        }
        let argv = std::iter::once("lodestar").chain(flags.iter().copied());
        <Flags as clap::Parser>::try_parse_from(argv)
            .map(|f| f.ingest)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn alert_args(args: &[&str]) -> Result<AlertArgs, clap::Error> {
        #[derive(clap::Parser)]
        struct Flags {
            #[command(flatten)]
            alerts: AlertArgs,
        }
        <Flags as clap::Parser>::try_parse_from(
            std::iter::once("lodestar").chain(args.iter().copied()),
        )
        .map(|f| f.alerts)
    }

    #[test]
    fn alert_settings_default_to_15_seconds_without_email_and_are_checked() {
        let config = alert_args(&[]).unwrap().config().unwrap();
        assert_eq!(config, app::backend::alerts::AlertsConfig::default());
        let config = alert_args(&[
            "--alert-interval-secs",
            "2",
            "--smtp-url",
            "smtp://127.0.0.1:25",
        ])
        .unwrap()
        .config()
        .unwrap();
        assert_eq!(config.interval, std::time::Duration::from_secs(2));
        assert_eq!(config.smtp_url.as_deref(), Some("smtp://127.0.0.1:25"));
        assert!(alert_args(&["--alert-interval-secs", "31"]).is_err());
        assert!(alert_args(&["--alert-interval-secs", "0"]).is_err());
        let bad_url = alert_args(&["--smtp-url", "mail.example.com"])
            .unwrap()
            .config();
        assert_eq!(bad_url.unwrap_err().variable, "LODESTAR_SMTP_URL");
        let bad_from = alert_args(&["--smtp-from", "nobody"]).unwrap().config();
        assert_eq!(bad_from.unwrap_err().variable, "LODESTAR_SMTP_FROM");
    }

    #[test]
    fn ingest_defaults_are_the_documented_limits_and_flags_override_them() {
        assert_eq!(ingest_args(&[]).config(), IngestConfig::default());
        let config = ingest_args(&["--queue-lines", "50", "--app-rate", "1000"]).config();
        assert_eq!(config.queue_lines, 50);
        assert_eq!(config.app_rate, 1000.0);
    }

    fn args() -> CommonArgs {
        CommonArgs {
            database_url: None,
            data_dir: PathBuf::from("./data"),
            public_url: None,
            addr: "127.0.0.1:3000".into(),
            secret: None,
            log_filter: None,
            trust_proxy: None,
            oauth: OAuthArgs::default(),
            ingest: ingest_args(&[]),
            alerts: alert_args(&[]).unwrap(),
            patterns: PatternArgs {
                patterns: "on".into(),
                llm_url: None,
                llm_model: None,
                llm_api_key: None,
                llm_max_samples: 20,
            },
        }
    }

    #[test]
    fn defaults_are_a_local_sqlite_file_and_the_listen_address() {
        let a = args();
        assert_eq!(a.database_url().unwrap(), "sqlite://./data/lodestar.db");
        assert_eq!(a.public_url().unwrap(), "http://127.0.0.1:3000");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let mut a = args();
        a.addr = "localhost".into();
        assert_eq!(a.addr().unwrap_err().variable, "LODESTAR_ADDR");
        a = args();
        a.database_url = Some("mysql://x".into());
        assert_eq!(
            a.database_url().unwrap_err().variable,
            "LODESTAR_DATABASE_URL"
        );
        a = args();
        for bad in ["ftp://x", "http://", "https://a b", "logs.example.com"] {
            a.public_url = Some(bad.into());
            assert_eq!(
                a.public_url().unwrap_err().variable,
                "LODESTAR_PUBLIC_URL",
                "{bad}"
            );
        }
        a.public_url = Some("https://logs.example.com/".into());
        assert_eq!(a.public_url().unwrap(), "https://logs.example.com");
        a = args();
        a.log_filter = Some("info,[".into());
        assert_eq!(a.log_filter("info").unwrap_err().variable, "LODESTAR_LOG");
    }

    #[test]
    fn providers_need_a_secret_and_take_url_overrides() {
        let mut oauth = OAuthArgs::default();
        assert!(oauth.providers().unwrap().is_empty());
        oauth.google_client_id = Some("id".into());
        assert_eq!(
            oauth.providers().unwrap_err().variable,
            "LODESTAR_GOOGLE_CLIENT_SECRET"
        );
        oauth.google_client_secret = Some("secret".into());
        oauth.google_token_url = Some("ftp://x".into());
        assert_eq!(
            oauth.providers().unwrap_err().variable,
            "LODESTAR_GOOGLE_TOKEN_URL"
        );
        oauth.google_token_url = Some("http://127.0.0.1:9/token".into());
        let providers = oauth.providers().unwrap();
        assert_eq!(providers.len(), 1);
        assert_eq!(providers[0].token_url, "http://127.0.0.1:9/token");
        assert_eq!(
            providers[0].authorize_url,
            "https://accounts.google.com/o/oauth2/v2/auth"
        );
    }

    #[test]
    fn the_secret_is_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("lodestar-secret-{}", secrets::random_hex(4)));
        let first = load_secret(None, &dir).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_secret(None, &dir).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(load_secret(Some("short"), &dir).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
