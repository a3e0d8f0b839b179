//! `lodestar [serve|migrate|user|app]`: what operators and scripts use instead of SQL.
use std::{io::BufRead, process::ExitCode};

use app::backend::{
    ServiceError, db,
    services::{apps, users},
    state::Settings,
};
use clap::{Parser, Subcommand};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::config::{CommonArgs, ConfigError, load_secret};

#[derive(Parser, Debug)]
#[command(
    name = "lodestar",
    version,
    about = "Lodestar: self-hosted log and error monitoring",
    long_about = "Lodestar: self-hosted log and error monitoring.\n\n\
                  Every option can also be set with the LODESTAR_* variable shown beside it."
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (the default when no command is given); migrations run first.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create and list users.
    #[command(subcommand)]
    User(UserCommand),
    /// Create apps.
    #[command(subcommand)]
    App(AppCommand),
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create a user who signs in with email and password.
    Create {
        /// Sign-in email (stored lower-case, unique).
        #[arg(long)]
        email: String,
        /// At least 10 characters; `-` reads it from the first line of standard input.
        #[arg(long)]
        password: String,
        /// Display name [default: the part of the email before @]
        #[arg(long)]
        name: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List users.
    List {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum AppCommand {
    /// Create an app and its first API key; the key is printed this once only.
    Create {
        /// Email of the user who owns the app.
        #[arg(long)]
        owner: String,
        /// 1 to 64 characters, unique among the owner's apps.
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Why a command failed: bad configuration exits 2, anything else 1.
enum Failure {
    Config(ConfigError),
    Other(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Config(e)
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure::Other(match e {
            ServiceError::Invalid { field, message } => format!("invalid {field}: {message}"),
            ServiceError::Db(e) => format!("database error: {e}"),
            other => other.to_string(),
        })
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(e)) => {
            eprintln!("lodestar: invalid configuration: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Other(message)) => {
            eprintln!("lodestar: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(cli: Cli) -> Result<(), Failure> {
    let common = cli.common;
    let command = cli.command.unwrap_or(Command::Serve);
    let default_filter = if matches!(command, Command::Serve) {
        "info"
    } else {
        "warn"
    };
    let filter = common.log_filter(default_filter)?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    // Validate everything before touching the database.
    let database_url = common.database_url()?;
    let addr = common.addr()?;
    let public_url = common.public_url()?;
    let oauth_providers = common.oauth.providers()?;
    let trust_proxy = common.trust_proxy()?;
    let ingest = common.ingest.config();
    let alerts = common.alerts.config()?;
    let patterns = common.patterns.settings()?;
    let secret = match command {
        Command::Serve => Some(load_secret(common.secret.as_deref(), &common.data_dir)?),
        _ => None,
    };
    let leptos_options = match command {
        Command::Serve => Some(crate::serve::leptos_options(addr).map_err(Failure::Other)?),
        _ => None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let db = open(&database_url).await?;
        match command {
            Command::Serve => {
                let settings = Settings {
                    public_url,
                    secret: secret.unwrap_or_default(),
                    oauth_providers,
                    trust_proxy,
                    ingest,
                    alerts,
                    patterns,
                };
                let options = leptos_options.expect("computed for serve");
                crate::serve::serve(addr, options, db, settings)
                    .await
                    .map_err(|e| Failure::Other(format!("cannot serve on {addr}: {e}")))
            }
            Command::Migrate => Ok(()),
            Command::User(cmd) => user(&db, cmd).await,
            Command::App(cmd) => app(&db, cmd, &public_url).await,
        }
    })
}

/// Opens the database and brings its schema up to date.
async fn open(url: &str) -> Result<DatabaseConnection, Failure> {
    let redacted = db::redact_url(url);
    let conn = db::connect(url)
        .await
        .map_err(|e| Failure::Other(format!("cannot open the database {redacted}: {e}")))?;
    let applied = db::migrate(&conn)
        .await
        .map_err(|e| Failure::Other(format!("cannot migrate the database {redacted}: {e}")))?;
    tracing::info!(database = %redacted, applied, "database ready");
    Ok(conn)
}

async fn user(db: &DatabaseConnection, cmd: UserCommand) -> Result<(), Failure> {
    match cmd {
        UserCommand::Create {
            email,
            password,
            name,
            json,
        } => {
            let password = if password == "-" {
                read_stdin_line()?
            } else {
                password
            };
            let user = users::create(db, &email, &password, name.as_deref()).await?;
            if json {
                println!(
                    "{}",
                    json!({"id": user.id, "email": user.email, "name": user.name})
                );
            } else {
                println!("Created user {} <{}> ({})", user.id, user.email, user.name);
            }
        }
        UserCommand::List { json } => {
            let all = users::list(db).await?;
            if json {
                let rows: Vec<_> = all
                    .iter()
                    .map(|u| {
                        json!({"id": u.id, "email": u.email, "name": u.name,
                                    "created_at": u.created_at.to_rfc3339()})
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else if all.is_empty() {
                println!(
                    "No users yet. Create one with: lodestar user create --email … --password …"
                );
            } else {
                println!("{:>6}  {:<32}  {:<24}  CREATED", "ID", "EMAIL", "NAME");
                for u in all {
                    let created = u.created_at.format("%Y-%m-%d %H:%M UTC");
                    println!("{:>6}  {:<32}  {:<24}  {created}", u.id, u.email, u.name);
                }
            }
        }
    }
    Ok(())
}

async fn app(db: &DatabaseConnection, cmd: AppCommand, public_url: &str) -> Result<(), Failure> {
    let AppCommand::Create {
        owner,
        name,
        description,
        json,
    } = cmd;
    let owner = users::find_by_email(db, &owner)
        .await?
        .ok_or_else(|| Failure::Other(format!("no user with email {owner}")))?;
    let (app, key) = apps::create(db, owner.id, &name, &description).await?;
    let dsn = apps::dsn(public_url, &app);
    if json {
        println!(
            "{}",
            json!({"app_id": app.id, "name": app.name, "public_key": app.public_key,
                   "dsn": dsn, "api_key": key.key})
        );
    } else {
        println!(
            "Created app {} ({:?}) for {}",
            app.id, app.name, owner.email
        );
        println!("  App id:      {}", app.id);
        println!("  Public key:  {}", app.public_key);
        println!("  DSN:         {dsn}");
        println!("  API key:     {}", key.key);
        println!("Save the API key now: it is shown only once.");
    }
    Ok(())
}

fn read_stdin_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Failure::Other(format!("cannot read the password from standard input: {e}"))
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
