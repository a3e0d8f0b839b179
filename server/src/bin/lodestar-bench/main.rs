//! `lodestar-bench`: the ingest load generator behind `make bench`.
//!
//! It measures the release binary as operators run it: a fresh database, a user and an app
//! made with the CLI, `lodestar serve` on a free port, then `POST /ingest` at rising
//! concurrency, an open-loop phase at half the peak, and the same rows inserted without HTTP
//! for comparison. See `--help`.
mod bodies;
mod database;
mod direct;
mod load;
mod lodestar;
mod report;

use std::{
    io::Write,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use clap::Parser;

use crate::{
    database::{Engine, FreshDatabase},
    load::{Measured, Target},
    lodestar::Lodestar,
    report::Report,
};

#[derive(Parser, Debug)]
#[command(
    name = "lodestar-bench",
    about = "Measures ingest on the release binary and reports it (used by `make bench`)"
)]
struct Args {
    /// The server binary to measure, e.g. target/release/lodestar.
    #[arg(long)]
    server: PathBuf,
    /// Database engine for the fresh database the server runs on.
    #[arg(long, value_enum)]
    engine: Engine,
    /// Seconds each concurrency step is measured (after 1 s of warm-up); the paced phase runs
    /// twice as long.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    seconds: u64,
    /// Append the results as a markdown section to this file.
    #[arg(long)]
    markdown_out: Option<PathBuf>,
    /// Only the inserts without HTTP (to profile the store alone).
    #[arg(long)]
    direct_only: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lodestar-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), String> {
    check_args(args)?;
    let client = reqwest::Client::builder()
        // Keep-alive for every task of the largest phase (paced: twice the peak's 32).
        .pool_max_idle_per_host(128)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;

    if args.direct_only {
        let db = FreshDatabase::create(args.engine).await?;
        let direct = without_http(args, &db).await;
        db.teardown().await;
        for (method, rate) in direct? {
            println!("{method}: {rate:.0} lines/s");
        }
        return Ok(());
    }
    let db = FreshDatabase::create(args.engine).await?;
    let http = over_http(args, &db, &client).await;
    db.teardown().await;
    let mut report = http?;

    // A second database, so the direct inserts start from the same empty tables and never
    // compete with the server.
    let db = FreshDatabase::create(args.engine).await?;
    let direct = without_http(args, &db).await;
    db.teardown().await;
    report.direct = direct?;

    print!("{}", report.summary());
    if let Some(path) = &args.markdown_out {
        append(path, &report.markdown())?;
    }
    Ok(())
}

/// Arguments clap cannot check itself, checked before anything is created.
fn check_args(args: &Args) -> Result<(), String> {
    let meta = std::fs::metadata(&args.server)
        .map_err(|e| format!("--server {}: {e}", args.server.display()))?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(format!(
            "--server {}: not an executable file (build it with `make build`)",
            args.server.display()
        ));
    }
    if let Some(path) = &args.markdown_out {
        // Fail now rather than after a minute of measuring.
        append(path, "")?;
    }
    Ok(())
}

/// Both HTTP phases on `db`; the server is stopped before this returns, on every path.
async fn over_http(
    args: &Args,
    db: &FreshDatabase,
    client: &reqwest::Client,
) -> Result<Report, String> {
    let lodestar = Lodestar::new(&args.server, db);
    let api_key = lodestar.create_app()?;
    let bodies = bodies::build(&api_key);
    let body_kb = bodies.iter().map(Vec::len).sum::<usize>() as f64 / bodies.len() as f64 / 1e3;
    let server = lodestar.serve(client).await?;
    eprintln!(
        "lodestar-bench: {} server up at {} (idle RSS {:.0} MiB); {} s per step",
        args.engine.title(),
        server.base_url,
        server.idle_rss_mib,
        args.seconds
    );
    let target = Arc::new(Target::new(
        client.clone(),
        &server.base_url,
        &api_key,
        bodies,
    ));
    let measure = Duration::from_secs(args.seconds);

    let steps = load::rising(&target, measure, |step| {
        eprintln!(
            "  {:>2} connections: {:>8.0} lines/s, not 200: {}",
            step.connections,
            step.lines_per_s,
            report::refused(&step.refused)
        );
    })
    .await;
    let Some(peak) = report::best_step(&steps) else {
        let answers: Vec<String> = steps.iter().map(|s| report::refused(&s.refused)).collect();
        return Err(format!(
            "no batch was accepted at any concurrency (answers per step: {}). Does this build \
             serve POST /ingest?",
            answers.join("; ")
        ));
    };
    let offered = peak.lines_per_s / 2.0;
    let tasks = (2 * peak.connections).max(2);
    eprintln!("  paced at {offered:.0} lines/s over {tasks} tasks…");
    let paced: Measured = load::paced(&target, offered, tasks, 2 * measure).await;

    let peak_rss_mib = server.peak_rss_mib()?;
    let idle_rss_mib = server.idle_rss_mib;
    drop(server);
    Ok(Report {
        engine: args.engine,
        seconds: args.seconds,
        body_kb,
        steps,
        paced,
        offered_lines_per_s: offered,
        idle_rss_mib,
        peak_rss_mib,
        direct: Vec::new(),
    })
}

/// The same kind of batches inserted straight into a migrated database, with the bench app in
/// it so the bodies' API key resolves there too.
async fn without_http(args: &Args, db: &FreshDatabase) -> Result<Vec<(String, f64)>, String> {
    let lodestar = Lodestar::new(&args.server, db);
    lodestar.migrate()?;
    let api_key = lodestar.create_app()?;
    let bodies = bodies::build(&api_key);
    eprintln!("  inserting without HTTP…");
    direct::direct_insert(db.url(), &bodies).await
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot append to {}: {e}", path.display()))
}
