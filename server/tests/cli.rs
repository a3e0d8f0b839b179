//! The `lodestar` binary as operators and scripts run it, on both engines.
use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

mod common;

use app::{
    backend::{entities::api_keys, secrets::sha256_hex, testing::TestDb},
    on_both_databases,
};
use common::free_port;
use sea_orm::EntityTrait;

fn lodestar(test: &TestDb, args: &[&str]) -> Output {
    command(test, args).output().expect("run lodestar")
}

fn command(test: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lodestar"));
    cmd.args(args)
        .env("LODESTAR_DATABASE_URL", &test.url)
        .env(
            "LODESTAR_DATA_DIR",
            std::env::temp_dir().join(format!("lodestar-cli-{}", &sha256_hex(&test.url)[..12])),
        )
        .env_remove("LODESTAR_LOG")
        .env_remove("LODESTAR_ADDR")
        .env_remove("LODESTAR_PUBLIC_URL")
        .stdin(Stdio::null());
    cmd
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn app_create_prints_a_key_the_database_holds_only_as_a_digest(test: &TestDb) {
    let user = lodestar(
        test,
        &[
            "user",
            "create",
            "--email",
            "Ada@Example.com",
            "--password",
            "correct horse battery",
        ],
    );
    assert!(user.status.success(), "{}", stderr(&user));
    assert!(stdout(&user).contains("ada@example.com"));

    let app = lodestar(
        test,
        &[
            "app",
            "create",
            "--owner",
            "ada@example.com",
            "--name",
            "checkout",
        ],
    );
    assert!(app.status.success(), "{}", stderr(&app));
    let out = stdout(&app);
    let key = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("API key:"))
        .expect("the key is printed")
        .trim()
        .to_string();
    assert!(key.starts_with("sk_") && key.len() >= 46, "{key}");
    let dsn = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("DSN:"))
        .unwrap()
        .trim();
    assert!(
        dsn.starts_with("http://") && dsn.ends_with("@127.0.0.1:3000/1"),
        "{dsn}"
    );
    assert!(out.contains("shown only once"));

    let stored = api_keys::Entity::find().all(&test.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].key_sha256, sha256_hex(&key));
    assert!(!format!("{stored:?}").contains(&key));
    // Nowhere in the SQLite files either (database and write-ahead log).
    if let Some(path) = test.url.strip_prefix("sqlite://") {
        for file in [path.to_string(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&file) {
                let needle = key.as_bytes();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "key found in {file}"
                );
            }
        }
    }

    let json = lodestar(
        test,
        &[
            "app",
            "create",
            "--owner",
            "ada@example.com",
            "--name",
            "worker",
            "--json",
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["name"], "worker");
    assert!(value["api_key"].as_str().unwrap().starts_with("sk_"));
    assert_eq!(value["app_id"], 2);
}

async fn mistakes_give_clear_errors_and_non_zero_exits(test: &TestDb) {
    let create = |email: &str| {
        lodestar(
            test,
            &[
                "user",
                "create",
                "--email",
                email,
                "--password",
                "correct horse battery",
            ],
        )
    };
    assert!(create("ada@example.com").status.success());

    let duplicate = create("ADA@example.com");
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(
        stderr(&duplicate).contains("already exists"),
        "{}",
        stderr(&duplicate)
    );

    let bad_email = create("not-an-email");
    assert_eq!(bad_email.status.code(), Some(1));
    assert!(
        stderr(&bad_email).contains("invalid email"),
        "{}",
        stderr(&bad_email)
    );

    let short = lodestar(
        test,
        &[
            "user",
            "create",
            "--email",
            "b@example.com",
            "--password",
            "short",
        ],
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(
        stderr(&short).contains("at least 10 characters"),
        "{}",
        stderr(&short)
    );

    let unknown = lodestar(
        test,
        &[
            "app",
            "create",
            "--owner",
            "nobody@example.com",
            "--name",
            "x",
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("no user with email nobody@example.com"));

    let twice = |name: &str| {
        lodestar(
            test,
            &[
                "app",
                "create",
                "--owner",
                "ada@example.com",
                "--name",
                name,
            ],
        )
    };
    assert!(twice("api").status.success());
    let again = twice("api");
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already have an app named"),
        "{}",
        stderr(&again)
    );

    let list = lodestar(test, &["user", "list"]);
    assert!(list.status.success());
    assert!(stdout(&list).contains("ada@example.com"));
    assert!(
        !stdout(&list).contains("b@example.com"),
        "rejected users were not created"
    );
}

async fn bad_configuration_names_the_variable_and_exits_2(test: &TestDb) {
    for (variable, value) in [
        ("LODESTAR_ADDR", "localhost"),
        ("LODESTAR_DATABASE_URL", "mysql://root@localhost/db"),
        ("LODESTAR_PUBLIC_URL", "logs.example.com"),
        ("LODESTAR_LOG", "info,["),
        ("LODESTAR_SECRET", "too-short"),
        ("LODESTAR_TRUST_PROXY", "maybe"),
    ] {
        let output = command(test, &["serve"])
            .env(variable, value)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{variable}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(message.contains(variable), "{variable}: {message}");
        assert_eq!(message.trim().lines().count(), 1, "one line: {message}");
    }
}

async fn password_can_come_from_standard_input(test: &TestDb) {
    let mut child = command(
        test,
        &[
            "user",
            "create",
            "--email",
            "c@example.com",
            "--password",
            "-",
            "--json",
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin, long enough\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["email"], "c@example.com");
}

fn http_get(port: u16, path: &str) -> Option<String> {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    )
}

fn http(port: u16, request: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// A form post to a server function, as the sign-in page makes it.
fn post_form(port: u16, path: &str, body: &str, cookie: Option<&str>) -> String {
    let cookie = cookie
        .map(|c| format!("Cookie: lodestar_session={c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n{cookie}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    http(port, &request).expect("the server answers")
}

fn session_token(response: &str) -> Option<String> {
    response.lines().find_map(|line| {
        let value = line.strip_prefix("set-cookie: lodestar_session=")?;
        Some(value.split(';').next()?.to_string()).filter(|t| !t.is_empty())
    })
}

/// Ada and her app `api`, made with the CLI: (app id, API key).
fn user_with_app(test: &TestDb) -> (i64, String) {
    let user = lodestar(
        test,
        &[
            "user",
            "create",
            "--email",
            "ada@example.com",
            "--password",
            "correct horse battery",
        ],
    );
    assert!(user.status.success(), "{}", stderr(&user));
    let app = lodestar(
        test,
        &[
            "app",
            "create",
            "--owner",
            "ada@example.com",
            "--name",
            "api",
            "--json",
        ],
    );
    let created: serde_json::Value =
        serde_json::from_str(&stdout(&app)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&app)));
    (
        created["app_id"].as_i64().expect("an app id"),
        created["api_key"].as_str().expect("a key").to_string(),
    )
}

/// Starts `lodestar serve` on a free port and waits for /health.
fn start_server(test: &TestDb, log: &str) -> (std::process::Child, u16) {
    let port = free_port();
    let child = command(test, &["serve"])
        .env("LODESTAR_ADDR", format!("127.0.0.1:{port}"))
        .env("LODESTAR_LOG", log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http_get(port, "/health").is_none_or(|r| !r.starts_with("HTTP/1.1 200")) {
        assert!(Instant::now() < deadline, "the server did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

/// Sends SIGTERM, waits for a clean exit and returns what the server wrote to stderr.
fn stop_server(mut child: std::process::Child) -> String {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    log
}

async fn serve_answers_health_and_stops_cleanly_on_sigterm(test: &TestDb) {
    let (child, port) = start_server(test, "info");
    let health = http_get(port, "/health").unwrap();
    assert!(health.contains(r#""db":"ok""#), "{health}");
    // After lines were written too: the ingest writer holds a connection of its own, which
    // must go back before the pool can close.
    let (_, key) = user_with_app(test);
    let body = r#"{"logs":[{"message":"one line before the stop"}]}"#;
    let ingested = http(
        port,
        &format!(
            "POST /ingest HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Authorization: Bearer {key}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert!(ingested.starts_with("HTTP/1.1 200"), "{ingested}");
    let log = stop_server(child);
    assert!(log.contains("shutting down"), "{log}");
}

/// The log page's render ends on whichever worker thread the stream is polled: nothing it
/// cleans up may be bound to the thread it started on (a browser-only value once panicked
/// there and cut one page load in fifteen off mid-stream).
async fn the_log_page_renders_to_the_end_every_time(test: &TestDb) {
    let (child, port) = start_server(test, "warn");
    let (app_id, _) = user_with_app(test);
    let signed_in = post_form(
        port,
        "/app/auth/sign_in",
        "email=ada%40example.com&password=correct+horse+battery",
        None,
    );
    let token = session_token(&signed_in).unwrap_or_else(|| panic!("signed in: {signed_in}"));
    let request = format!(
        "GET /apps/{app_id} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Cookie: lodestar_session={token}\r\n\r\n"
    );
    for i in 0..60 {
        let page = http(port, &request).unwrap_or_default();
        assert!(page.starts_with("HTTP/1.1 200"), "load {i}: {page:.200}");
        assert!(
            page.contains("</html>"),
            "load {i} was cut off: {} bytes",
            page.len()
        );
    }
    let log = stop_server(child);
    assert!(!log.contains("panicked"), "{log}");
}

async fn no_password_token_or_cookie_reaches_the_log(test: &TestDb) {
    let (child, port) = start_server(test, "trace");
    let password = "Tr0ub4dor-and-3-more-words";
    let body = format!("name=Ada&email=ada%40example.com&password={password}&next=%2Fdashboard");
    let signed_up = post_form(port, "/app/auth/sign_up", &body, None);
    let first = session_token(&signed_up).unwrap_or_else(|| panic!("signed in: {signed_up}"));
    let body = format!("email=ada%40example.com&password={password}");
    let signed_in = post_form(port, "/app/auth/sign_in", &body, Some(&first));
    let second = session_token(&signed_in).expect("a new session");
    let dashboard = http(
        port,
        &format!("GET /dashboard HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nCookie: lodestar_session={second}\r\n\r\n"),
    )
    .unwrap();
    assert!(dashboard.contains("Welcome, Ada!"), "{dashboard}");
    let wrong = post_form(
        port,
        "/app/auth/sign_in",
        "email=ada%40example.com&password=wrong-guess-123",
        None,
    );
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let log = stop_server(child);

    assert!(
        log.contains("request"),
        "the log was captured at trace level: {log}"
    );
    for secret in [
        password,
        "wrong-guess-123",
        first.as_str(),
        second.as_str(),
        "lodestar_session=",
    ] {
        assert!(
            !log.contains(secret),
            "{secret:?} appears in the server log"
        );
    }
}

on_both_databases!(
    app_create_prints_a_key_the_database_holds_only_as_a_digest,
    mistakes_give_clear_errors_and_non_zero_exits,
    bad_configuration_names_the_variable_and_exits_2,
    password_can_come_from_standard_input,
    serve_answers_health_and_stops_cleanly_on_sigterm,
    the_log_page_renders_to_the_end_every_time,
    no_password_token_or_cookie_reaches_the_log,
);
