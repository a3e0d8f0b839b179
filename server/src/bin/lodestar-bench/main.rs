//! `lodestar-bench`: the benchmarks behind `make bench`, per engine.
//!
//! - Ingest: the release binary as operators run it (a fresh database, a user and an app made
//!   with the CLI, `lodestar serve` on a free port), `POST /ingest` at rising concurrency, an
//!   open-loop phase at half the peak, and the same rows inserted without HTTP for comparison.
//! - Sentry envelopes: error events shaped like the Python SDK's, gzipped, to
//!   `POST /api/{app_id}/envelope/` at rising concurrency; then the issues and events the
//!   database holds, checked against what was sent and answered.
//! - Queries: a day of generated lines (10M by default) written through the ingest store, then
//!   first pages and histograms timed through the storage functions the log view calls.
//! - Live: the latency from `POST /ingest` to the line's arrival on a signed-in browser's live
//!   stream, on an idle server and under ingest load.
//!
//! See `--help`.
mod bodies;
mod database;
mod direct;
mod envelopes;
mod generate;
mod live;
mod load;
mod lodestar;
mod queries;
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
    about = "Measures ingest, Sentry envelopes, queries on generated lines and the live view's \
             latency on the release binary, and reports them (used by `make bench`)"
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
    #[arg(long, conflicts_with_all = ["ingest_only", "queries_only", "live_only"])]
    direct_only: bool,
    /// Only the ingest benchmark (over HTTP, then without).
    #[arg(long, conflicts_with_all = ["queries_only", "live_only"])]
    ingest_only: bool,
    /// Only the Sentry envelope benchmark.
    #[arg(
        long,
        conflicts_with_all = ["direct_only", "ingest_only", "queries_only", "live_only"]
    )]
    envelopes_only: bool,
    /// Only the query benchmark on generated lines.
    #[arg(long, conflicts_with = "live_only")]
    queries_only: bool,
    /// Only the live view's latency.
    #[arg(long)]
    live_only: bool,
    /// Lines the query benchmark generates for its big app (the second app gets 1 % as many).
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(10_000..))]
    lines: u64,
    /// Timed runs per query (after 2 warm-ups).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1000))]
    runs: u64,
    /// Keep the query benchmark's generated database and print its URL (to look at plans, or
    /// to run the queries again with --data-url).
    #[arg(long)]
    keep_data: bool,
    /// Run the queries on a database an earlier `--keep-data` run generated, instead of
    /// generating one (its timestamps have aged since).
    #[arg(long, value_name = "URL", requires = "queries_only")]
    data_url: Option<String>,
    /// Lines/s of background ingest (to another app) while the live latency is measured under
    /// load. Default: half the peak the ingest benchmark just found, or, with --live-only,
    /// half the peak of a short rising-concurrency run.
    #[arg(long, value_name = "LINES_PER_S")]
    live_background: Option<f64>,
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
    let only = [
        args.ingest_only,
        args.envelopes_only,
        args.queries_only,
        args.live_only,
    ];
    let [ingest, envelopes, queries, live] = only.map(|this| this || !only.contains(&true));

    // Half the ingest peak, and the tasks that offered it: the live bench's background load.
    let mut half_peak = None;
    if ingest {
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
        half_peak = Some((report.offered_lines_per_s, report.paced.connections));
    }
    if envelopes {
        let db = FreshDatabase::create(args.engine).await?;
        let report = envelope_bench(args, &db, &client).await;
        db.teardown().await;
        let report = report?;
        print!("{}", report.summary());
        if let Some(path) = &args.markdown_out {
            append(path, &report.markdown())?;
        }
    }
    if queries {
        let report = query_bench(args).await?;
        print!("{}", report.summary());
        if let Some(path) = &args.markdown_out {
            append(path, &report.markdown())?;
        }
    }
    if live {
        let db = FreshDatabase::create(args.engine).await?;
        let measured = live_bench(args, &db, &client, half_peak).await;
        db.teardown().await;
        let report = report::LiveReport {
            engine: args.engine,
            runs: measured?,
        };
        print!("{}", report.summary());
        if let Some(path) = &args.markdown_out {
            append(path, &report.markdown())?;
        }
    }
    Ok(())
}

/// The query benchmark on a fresh database (kept with `--keep-data`) or on `--data-url`.
async fn query_bench(args: &Args) -> Result<queries::QueryReport, String> {
    let runs = args.runs as usize;
    eprintln!("lodestar-bench: queries on {}", args.engine.title());
    if let Some(url) = &args.data_url {
        return queries::run(args.engine, queries::Data::Reuse { url }, runs).await;
    }
    let db = FreshDatabase::create(args.engine).await?;
    let data = queries::Data::Generate {
        db: &db,
        server: &args.server,
        lines: args.lines,
    };
    let report = queries::run(args.engine, data, runs).await;
    if args.keep_data {
        eprintln!(
            "lodestar-bench: kept the generated database: {} (data folder {}); drop or remove \
             it when done",
            db.url(),
            db.data_dir.display()
        );
    } else {
        db.teardown().await;
    }
    report
}

/// Sentry envelopes at rising concurrency on `db`, then what the database holds; the server
/// is stopped (gracefully, so every answered event is committed) before the count.
async fn envelope_bench(
    args: &Args,
    db: &FreshDatabase,
    client: &reqwest::Client,
) -> Result<report::EnvelopeReport, String> {
    let lodestar = Lodestar::new(&args.server, db);
    lodestar.create_user()?;
    let app = lodestar.create_named_app("sentry")?;
    let envelopes = Arc::new(envelopes::Envelopes::build(&app.public_key));
    let (raw_kb, gzip_kb, make_us) = (envelopes.raw_kb, envelopes.gzip_kb, envelopes.make_us);
    // Enough for every step to run at twice the best rate so far (2,000/s before the first).
    let seconds = Duration::from_secs(args.seconds + 1).as_secs_f64();
    let ahead = |best: f64| (best.max(1_000.0) * 2.0 * seconds) as usize;
    envelopes.make_ahead(ahead(0.0));
    let server = lodestar.serve(client).await?;
    eprintln!(
        "lodestar-bench: Sentry envelopes on {} ({}), {raw_kb:.1} KB ({gzip_kb:.1} KB gzipped) \
         per event; {} s per step",
        args.engine.title(),
        server.base_url,
        args.seconds
    );
    let target = Arc::new(Target::envelopes(
        client.clone(),
        &server.base_url,
        app.id,
        &app.public_key,
        envelopes.clone(),
    ));
    let cpu_before = report::CpuTimes::now();
    let mut best = 0.0_f64;
    // Between steps, while no request is in flight: the next step's envelopes.
    let steps = load::rising(&target, Duration::from_secs(args.seconds), |step| {
        best = best.max(step.lines_per_s);
        let took = envelopes.make_ahead(ahead(best));
        eprintln!(
            "  {:>2} connections: {:>7.0} events/s, p99 {} ms, not 200: {} (next envelopes \
             made in {:.1} s)",
            step.connections,
            step.lines_per_s,
            report::ms(step.p99_ms),
            report::refused(&step.refused),
            took.as_secs_f64()
        );
    })
    .await;
    let steal = cpu_before.and_then(|before| before.steal_since());
    let peak_rss_mib = server.peak_rss_mib()?;
    let idle_rss_mib = server.idle_rss_mib;
    drop(server);
    if report::best_step(&steps).is_none() {
        let answers: Vec<String> = steps.iter().map(|s| report::refused(&s.refused)).collect();
        return Err(format!(
            "no envelope was accepted at any concurrency (answers per step: {}). Does this \
             build serve POST /api/{{app_id}}/envelope/?",
            answers.join("; ")
        ));
    }
    let stored = envelopes::stored(db.url(), app.id).await?;
    if stored.issues != envelopes::ISSUES as i64 || stored.events != target.accepted() as i64 {
        eprintln!(
            "lodestar-bench: the database holds {} issues and {} events for {} envelopes \
             answered 200; expected {} issues and as many events",
            stored.issues,
            stored.events,
            target.accepted(),
            envelopes::ISSUES
        );
    }
    Ok(report::EnvelopeReport {
        engine: args.engine,
        seconds: args.seconds,
        raw_kb,
        gzip_kb,
        make_us,
        made_late: envelopes.made_late(),
        steal,
        steps,
        answered: target.accepted(),
        stored,
        idle_rss_mib,
        peak_rss_mib,
    })
}

/// The live latency on `db`, idle then under background ingest load; the server is stopped
/// before this returns.
async fn live_bench(
    args: &Args,
    db: &FreshDatabase,
    client: &reqwest::Client,
    half_peak: Option<(f64, usize)>,
) -> Result<Vec<live::LiveRun>, String> {
    let lodestar = Lodestar::new(&args.server, db);
    lodestar.create_user()?;
    let watched = lodestar.create_named_app("watched")?;
    let busy = lodestar.create_named_app("busy")?;
    let server = lodestar.serve(client).await?;
    eprintln!(
        "lodestar-bench: live view latency on {} ({})",
        args.engine.title(),
        server.base_url
    );
    let session = live::sign_in(&server.base_url).await?;
    let target = Arc::new(Target::new(
        client.clone(),
        &server.base_url,
        &busy.api_key,
        bodies::build(&busy.api_key),
    ));

    let idle = live::probe(
        &server.base_url,
        &session,
        watched.id,
        &watched.api_key,
        None,
    )
    .await?;
    eprintln!(
        "  idle: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms, lost {}",
        idle.p50_ms, idle.p95_ms, idle.max_ms, idle.lost
    );
    let (rate, tasks) = match (args.live_background, half_peak) {
        (Some(rate), _) => (rate, 32),
        (None, Some(half)) => half,
        (None, None) => {
            eprintln!("  finding the ingest peak for the background load (2 s per step)…");
            let steps = load::rising(&target, Duration::from_secs(2), |_| {}).await;
            let peak = report::best_step(&steps)
                .ok_or("no ingest batch was accepted while looking for the peak")?;
            (peak.lines_per_s / 2.0, (2 * peak.connections).max(2))
        }
    };
    eprintln!("  under load: {rate:.0} lines/s to another app over {tasks} tasks…");
    let loaded = live::probe(
        &server.base_url,
        &session,
        watched.id,
        &watched.api_key,
        Some((target, rate, tasks)),
    )
    .await?;
    drop(server);
    Ok(vec![idle, loaded])
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
