//! The binary under test, driven the way an operator drives it: `user create`, `app create`,
//! `migrate` and `serve` with `LODESTAR_*` variables, so the numbers are those of the release
//! build and nothing in-process flatters them.
use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::database::FreshDatabase;

pub const BENCH_EMAIL: &str = "bench@example.com";
pub const BENCH_PASSWORD: &str = "bench-password-not-secret";

/// An app the CLI created.
pub struct CreatedApp {
    pub id: i64,
    pub api_key: String,
    /// The DSN's key, for Sentry SDKs.
    pub public_key: String,
}

pub struct Lodestar {
    binary: PathBuf,
    database_url: String,
    data_dir: PathBuf,
}

impl Lodestar {
    pub fn new(binary: &Path, db: &FreshDatabase) -> Self {
        Lodestar {
            binary: binary.to_path_buf(),
            database_url: db.url().to_string(),
            data_dir: db.data_dir.clone(),
        }
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .env("LODESTAR_DATABASE_URL", &self.database_url)
            .env("LODESTAR_DATA_DIR", &self.data_dir)
            .env("LODESTAR_LOG", "warn");
        command
    }

    /// Runs one command to completion; its standard output, or an error quoting its stderr.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
        let what = format!("lodestar {}", args.join(" "));
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.binary.display()))?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            writeln!(pipe, "{text}").map_err(|e| format!("{what}: cannot write stdin: {e}"))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| format!("{what}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`{what}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Brings a fresh database to the current schema.
    pub fn migrate(&self) -> Result<(), String> {
        self.run(&["migrate"], None).map(drop)
    }

    /// Creates the bench user and its app; returns the app's API key.
    pub fn create_app(&self) -> Result<String, String> {
        self.create_user()?;
        Ok(self.create_named_app("bench")?.api_key)
    }

    /// Creates the bench user ([`BENCH_EMAIL`], [`BENCH_PASSWORD`]).
    pub fn create_user(&self) -> Result<(), String> {
        self.run(
            &[
                "user",
                "create",
                "--email",
                BENCH_EMAIL,
                "--password",
                "-",
                "--json",
            ],
            Some(BENCH_PASSWORD),
        )
        .map(drop)
    }

    /// Creates an app of the bench user (made first with [`Lodestar::create_user`]).
    pub fn create_named_app(&self, name: &str) -> Result<CreatedApp, String> {
        let out = self.run(
            &[
                "app",
                "create",
                "--owner",
                BENCH_EMAIL,
                "--name",
                name,
                "--json",
            ],
            None,
        )?;
        let created: serde_json::Value = serde_json::from_str(out.trim())
            .map_err(|e| format!("`lodestar app create --json` printed no JSON ({e}): {out}"))?;
        let api_key = created["api_key"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("`lodestar app create --json` printed no api_key: {out}"))?;
        let id = created["app_id"]
            .as_i64()
            .ok_or_else(|| format!("`lodestar app create --json` printed no app_id: {out}"))?;
        let public_key = created["public_key"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("`lodestar app create --json` printed no public_key: {out}"))?;
        Ok(CreatedApp {
            id,
            api_key,
            public_key,
        })
    }

    /// Starts `lodestar serve` on a free local port and waits until `/health` answers 200.
    pub async fn serve(&self, client: &reqwest::Client) -> Result<Server, String> {
        let port = free_port()?;
        let log_path = self.data_dir.join("server.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let child = self
            .command()
            .arg("serve")
            .env("LODESTAR_ADDR", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {} serve: {e}", self.binary.display()))?;
        // From here on, dropping `server` stops the process, on error paths too.
        let mut server = Server {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            idle_rss_mib: 0.0,
        };
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "`lodestar serve` exited ({status}) before answering /health:\n{}",
                    tail(&log_path)
                ));
            }
            let health = client
                .get(format!("{}/health", server.base_url))
                .send()
                .await;
            if health.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
                break;
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "`lodestar serve` did not answer GET /health with 200 within 30 s:\n{}",
                    tail(&log_path)
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.idle_rss_mib = server.memory_mib("VmRSS")?;
        Ok(server)
    }
}

/// A running `lodestar serve`; SIGTERM when dropped, so no run leaves a server behind.
pub struct Server {
    child: Child,
    pub base_url: String,
    /// Resident memory right after `/health` first answered.
    pub idle_rss_mib: f64,
}

impl Server {
    /// The highest resident memory the process has had (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> Result<f64, String> {
        self.memory_mib("VmHWM")
    }

    /// One `kB` field of /proc/<pid>/status, in MiB.
    fn memory_mib(&self, field: &str) -> Result<f64, String> {
        let path = format!("/proc/{}/status", self.child.id());
        let status =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|value| {
                value
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kib| kib / 1024.0)
            .ok_or_else(|| format!("no {field} in {path}"))
    }
}

impl Drop for Server {
    /// Asks for a graceful stop (the server finishes in-flight requests), and kills the
    /// process if it has not exited after 10 s.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.child.id().to_string();
        let asked = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .is_ok_and(|s| s.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        while asked && Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("lodestar-bench: the server did not stop on SIGTERM; killing it");
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A port nobody listens on: the kernel's pick for port 0, released for the server to bind.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// The last lines the server logged, to explain why it did not start.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(20);
    let tail = lines[start..].join("\n");
    if tail.is_empty() {
        "(the server logged nothing)".into()
    } else {
        tail
    }
}
