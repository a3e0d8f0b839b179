//! The results as a terminal summary and as a BENCHMARKS.md section, with the DESIGN.md §7
//! targets beside them so a regression is visible without looking anything up.
use std::{collections::BTreeMap, fmt::Write};

use crate::{
    database::Engine,
    envelopes::{self, Stored},
    generate::{ABSENT_WORD, RARE_WORD},
    live::{self, LiveRun},
    load::Measured,
    queries::{self, QueryReport, WARM_UPS},
};

/// DESIGN.md §7, on SQLite.
const TARGET_LINES_PER_S: f64 = 100_000.0;
const TARGET_P99_MS: f64 = 100.0;
const TARGET_RSS_MB: f64 = 250.0;

pub struct Report {
    pub engine: Engine,
    pub seconds: u64,
    pub body_kb: f64,
    pub steps: Vec<Measured>,
    /// The open-loop phase at half the peak, with the lines/s it offered.
    pub paced: Measured,
    pub offered_lines_per_s: f64,
    pub idle_rss_mib: f64,
    pub peak_rss_mib: f64,
    /// (method, lines/s) from inserting without HTTP; empty until that path is measured.
    pub direct: Vec<(String, f64)>,
}

impl Report {
    /// The best closed-loop step.
    pub fn peak(&self) -> Option<&Measured> {
        best_step(&self.steps)
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        // The server inherits the bench's environment: LODESTAR_PATTERNS=off turns its
        // pattern miner off, for the comparison `make bench` makes.
        let mining = match std::env::var("LODESTAR_PATTERNS") {
            Ok(value) if value.eq_ignore_ascii_case("off") => "pattern mining off",
            _ => "pattern mining on",
        };
        let _ = writeln!(
            out,
            "\n## Ingest — {}, {mining} (`make bench`, {} s per step)\n",
            self.engine.title(),
            self.seconds
        );
        let _ = writeln!(
            out,
            "`lodestar-bench` on the same machine as the server (they share its cores): \
             `POST /ingest` with 100-line JSON batches of about {:.0} KB, HTTP/1.1 keep-alive, \
             each answered after commit. Closed loop per step after 1 s of warm-up; MB/s counts \
             accepted bodies, latencies are those of accepted batches.\n",
            self.body_kb
        );
        out.push_str("| connections | lines/s | MB/s | p50 ms | p99 ms | not 200 |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for step in &self.steps {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {} | {} | {} |",
                step.connections,
                thousands(step.lines_per_s),
                step.mb_per_s,
                ms(step.p50_ms),
                ms(step.p99_ms),
                refused(&step.refused)
            );
        }
        out.push('\n');
        out.push_str(&self.findings().join("\n\n"));
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let mut out = format!(
            "Ingest on {} ({} s per step, 100-line batches of {:.0} KB)\n",
            self.engine.title(),
            self.seconds,
            self.body_kb
        );
        let _ = writeln!(
            out,
            "{:>11}  {:>10}  {:>6}  {:>8}  {:>8}  not 200",
            "connections", "lines/s", "MB/s", "p50 ms", "p99 ms"
        );
        for step in &self.steps {
            let _ = writeln!(
                out,
                "{:>11}  {:>10}  {:>6.1}  {:>8}  {:>8}  {}",
                step.connections,
                thousands(step.lines_per_s),
                step.mb_per_s,
                ms(step.p50_ms),
                ms(step.p99_ms),
                refused(&step.refused)
            );
        }
        for line in self.findings() {
            out.push_str(&line.replace(['`', '*'], ""));
            out.push('\n');
        }
        out
    }

    /// The paragraphs under the table: peak and paced numbers, the path without HTTP, and the
    /// targets with whether this run met them.
    fn findings(&self) -> Vec<String> {
        let Some(peak) = self.peak() else {
            return vec!["No step accepted any batch.".into()];
        };
        let paced = &self.paced;
        let mut lines = vec![format!(
            "Peak: **{} lines/s** ({} connections). At half of peak ({} lines/s offered on an \
             open-loop schedule, {} tasks): achieved {} lines/s, p50 {} ms, p99 {} ms from the \
             scheduled send time{}. Server RSS: idle {:.0} MiB, peak {:.0} MiB (VmHWM).",
            thousands(peak.lines_per_s),
            peak.connections,
            thousands(self.offered_lines_per_s),
            paced.connections,
            thousands(paced.lines_per_s),
            ms(paced.p50_ms),
            ms(paced.p99_ms),
            match refused(&paced.refused).as_str() {
                "0" => String::new(),
                other => format!(", not 200: {other}"),
            },
            self.idle_rss_mib,
            self.peak_rss_mib,
        )];
        lines.push(self.without_http(peak.lines_per_s));
        lines.push(self.targets(peak.lines_per_s));
        lines
    }

    fn without_http(&self, peak: f64) -> String {
        let Some(fastest) = self.direct.iter().map(|(_, rate)| *rate).reduce(f64::max) else {
            return "Without HTTP: not measured yet (`direct_insert` in lodestar-bench is a stub)."
                .into();
        };
        let methods: Vec<String> = self
            .direct
            .iter()
            .map(|(method, rate)| format!("{method} {} lines/s", thousands(*rate)))
            .collect();
        format!(
            "Without HTTP (same rows, same schema): {} → the HTTP path reaches {:.0} % of it.",
            methods.join(", "),
            100.0 * peak / fastest
        )
    }

    fn targets(&self, peak: f64) -> String {
        let throughput = match self.engine {
            Engine::Sqlite => verdict(peak >= TARGET_LINES_PER_S),
            Engine::Postgres => "n/a on PostgreSQL",
        };
        let p99 = match self.paced.p99_ms {
            Some(p99) => verdict(p99 < TARGET_P99_MS),
            None => "not measured",
        };
        let rss_mb = self.peak_rss_mib * 1.048_576;
        format!(
            "Targets (DESIGN.md §7): ≥ 100,000 lines/s sustained on SQLite ({throughput}); \
             p99 < 100 ms at half of peak ({p99}); RSS < 250 MB ({}).",
            verdict(rss_mb < TARGET_RSS_MB)
        )
    }
}

/// DESIGN.md §7, on SQLite.
const TARGET_EVENTS_PER_S: f64 = 2_000.0;

/// The Sentry envelope benchmark.
pub struct EnvelopeReport {
    pub engine: Engine,
    pub seconds: u64,
    /// Average envelope, decompressed and gzipped.
    pub raw_kb: f64,
    pub gzip_kb: f64,
    /// The bench's own cost per envelope (copy, stamp, gzip), µs.
    pub make_us: f64,
    /// Envelopes made during a step because none made ahead was left.
    pub made_late: u64,
    /// The share of CPU time the hypervisor gave to other machines during the steps.
    pub steal: Option<f64>,
    pub steps: Vec<Measured>,
    /// 200 answers over the whole run, warm-ups included.
    pub answered: u64,
    pub stored: Stored,
    pub idle_rss_mib: f64,
    pub peak_rss_mib: f64,
}

impl EnvelopeReport {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n## Sentry envelopes — {} (`make bench`, {} s per step)\n",
            self.engine.title(),
            self.seconds
        );
        let _ = writeln!(out, "Machine: {}. Command: `{}`.\n", machine(), command());
        let _ = writeln!(
            out,
            "`lodestar-bench` on the same machine as the server (they share its cores): `POST \
             /api/{{app_id}}/envelope/` with one error event per envelope, shaped like the \
             Python SDK's from a Flask service (an exception with a 10–14-frame stack trace, \
             source context and local variables on its in-app frames, 2–4 breadcrumbs, tags, \
             user, request, contexts, modules), about {:.1} KB, {:.1} KB gzipped, \
             `Content-Encoding: gzip`, `X-Sentry-Auth` with the DSN's public key, HTTP/1.1 \
             keep-alive, each answered after its commit. Every envelope is a new event (its \
             own event id, the time it was made, a new number in its message); {} exception \
             kinds raised under {} top functions make {} issues. Closed loop per step after 1 s \
             of warm-up; events/s counts 200 answers, MB/s their gzipped bodies.\n",
            self.raw_kb,
            self.gzip_kb,
            envelopes::EXCEPTION_KINDS,
            envelopes::TOP_FUNCTION_COUNT,
            envelopes::ISSUES
        );
        out.push_str("| connections | events/s | MB/s | p50 ms | p99 ms | not 200 |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for step in &self.steps {
            let _ = writeln!(
                out,
                "| {} | {} | {:.1} | {} | {} | {} |",
                step.connections,
                thousands(step.lines_per_s),
                step.mb_per_s,
                ms(step.p50_ms),
                ms(step.p99_ms),
                refused(&step.refused)
            );
        }
        out.push('\n');
        out.push_str(&self.findings().join("\n\n"));
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let mut out = format!(
            "Sentry envelopes on {} ({} s per step, {:.1} KB events, {:.1} KB gzipped)\n",
            self.engine.title(),
            self.seconds,
            self.raw_kb,
            self.gzip_kb
        );
        let _ = writeln!(
            out,
            "{:>11}  {:>10}  {:>6}  {:>8}  {:>8}  not 200",
            "connections", "events/s", "MB/s", "p50 ms", "p99 ms"
        );
        for step in &self.steps {
            let _ = writeln!(
                out,
                "{:>11}  {:>10}  {:>6.1}  {:>8}  {:>8}  {}",
                step.connections,
                thousands(step.lines_per_s),
                step.mb_per_s,
                ms(step.p50_ms),
                ms(step.p99_ms),
                refused(&step.refused)
            );
        }
        for line in self.findings() {
            out.push_str(&line.replace(['`', '*'], ""));
            out.push('\n');
        }
        out
    }

    fn findings(&self) -> Vec<String> {
        let Some(peak) = best_step(&self.steps) else {
            return vec!["No step accepted any envelope.".into()];
        };
        let stored = &self.stored;
        let expected = envelopes::ISSUES as i64;
        let check = if stored.issues == expected
            && stored.events == self.answered as i64
            && stored.lines == stored.events
        {
            "as expected".to_string()
        } else {
            format!(
                "**not as expected**: {expected} issues and one event and one log line per 200 \
                 answer"
            )
        };
        vec![
            format!(
                "Peak: **{} events/s** ({} connections), p50 {} ms, p99 {} ms. Server RSS: idle \
                 {:.0} MiB, peak {:.0} MiB (VmHWM).{}",
                thousands(peak.lines_per_s),
                peak.connections,
                ms(peak.p50_ms),
                ms(peak.p99_ms),
                self.idle_rss_mib,
                self.peak_rss_mib,
                match self.steal {
                    Some(steal) => format!(
                        " CPU steal during the steps: {:.0} % (time the hypervisor gave other \
                         machines; the numbers fall with it).",
                        steal * 100.0
                    ),
                    None => String::new(),
                }
            ),
            format!(
                "Stored once the server had stopped: {} issues, {} events and {} log lines for \
                 {} envelopes answered 200 over the run (warm-ups included): {check}.",
                thousands(stored.issues as f64),
                thousands(stored.events as f64),
                thousands(stored.lines as f64),
                thousands(self.answered as f64),
            ),
            format!(
                "Making an envelope (copy a template, stamp it, gzip it) costs the bench {:.0} µs, \
                 {:.0} % of one core at the peak: so they were made ahead, between steps, and \
                 {}.",
                self.make_us,
                self.make_us * peak.lines_per_s / 1e4,
                match self.made_late {
                    0 => "none had to be made during a step".to_string(),
                    n => format!("{} had to be made during the steps", thousands(n as f64)),
                }
            ),
            format!(
                "Target (DESIGN.md §7): Sentry envelopes (error events ~5 KB) ≥ 2,000 events/s \
                 on SQLite ({}).",
                match self.engine {
                    Engine::Sqlite => verdict(peak.lines_per_s >= TARGET_EVENTS_PER_S),
                    Engine::Postgres => "n/a on PostgreSQL",
                }
            ),
        ]
    }
}

/// The machine's CPU time counters (`/proc/stat`), to tell how much of a run's time the
/// hypervisor took away.
pub struct CpuTimes {
    steal: u64,
    total: u64,
}

impl CpuTimes {
    pub fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|line| line.starts_with("cpu "))?;
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let fields: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|v| v.parse().ok())
            .collect();
        (fields.len() == 8).then(|| CpuTimes {
            steal: fields[7],
            total: fields.iter().sum(),
        })
    }

    /// The share of CPU time stolen since `self` was read.
    pub fn steal_since(&self) -> Option<f64> {
        let after = CpuTimes::now()?;
        let total = after.total.checked_sub(self.total).filter(|t| *t > 0)?;
        Some(after.steal.saturating_sub(self.steal) as f64 / total as f64)
    }
}

/// This machine as a report names it: cores, CPU model, memory, kernel.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
        .map_or("unknown CPU", |(_, name)| name.trim());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let gib = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / (1 << 20) as f64);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cores} cores ({model}), {gib:.0} GiB RAM, Linux {}",
        kernel.trim()
    )
}

/// The command line this bench was started with.
fn command() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

/// DESIGN.md §7, on both engines.
const TARGET_LIVE_P95_MS: f64 = 1_000.0;

impl QueryReport {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n## Queries ({} lines) — {} (`make bench`)\n",
            self.big_label(),
            self.engine.title()
        );
        out.push_str(&self.data_paragraph());
        out.push_str("\n\n");
        let _ = writeln!(
            out,
            "Each query as the log view runs it (`store::search::page` for a first page of 100 \
             lines, `store::search::histogram` with 60 bars), called in the bench process \
             without HTTP over the 24 hours before each call: {WARM_UPS} warm-up runs (the first \
             is the \"1st\" column), then {} timed runs.\n",
            self.runs
        );
        out.push_str("| app | query | result | 1st ms | p50 ms | p95 ms | max ms | target |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for t in &self.timings {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                if t.small_app {
                    "small".to_string()
                } else {
                    self.big_label()
                },
                t.label,
                result_cell(t, self.runs),
                ms(Some(t.first_ms)),
                ms(Some(t.p50_ms)),
                ms(Some(t.p95_ms)),
                ms(Some(t.max_ms)),
                match (t.target_ms, t.met()) {
                    (Some(target), Some(met)) => format!("< {target:.0} ms ({})", verdict(met)),
                    _ => String::new(),
                }
            );
        }
        out.push('\n');
        out.push_str(&self.targets());
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let mut out = format!("Queries on {}\n", self.engine.title());
        out.push_str(&self.data_paragraph().replace(['`', '*'], ""));
        out.push('\n');
        for t in &self.timings {
            let _ = writeln!(
                out,
                "  {:<60} {:>24}  1st {:>7}  p50 {:>7}  p95 {:>7}  max {:>7} ms",
                format!(
                    "{}{}",
                    t.label.replace('`', ""),
                    if t.small_app { " (small app)" } else { "" }
                ),
                result_cell(t, self.runs),
                ms(Some(t.first_ms)),
                ms(Some(t.p50_ms)),
                ms(Some(t.p95_ms)),
                ms(Some(t.max_ms)),
            );
        }
        out.push_str(&self.targets().replace(['`', '*'], ""));
        out.push('\n');
        out
    }

    /// The big app's size as the section title and table name it: `10M`, `500k`.
    fn big_label(&self) -> String {
        match &self.generated {
            Some(g) => short(g.big_lines),
            None => format!("~{}", short(self.window_lines / 100_000 * 100_000)),
        }
    }

    fn data_paragraph(&self) -> String {
        let sizes: Vec<String> = self
            .sizes
            .iter()
            .map(|(what, bytes)| format!("{what} {:.2} GB", *bytes as f64 / 1e9))
            .collect();
        let generated = match &self.generated {
            Some(g) => {
                let text_index = match &g.text_index {
                    Some(lag) => format!(
                        " The full-text index (`logs_fts`) was filled beside the writer by the \
                         server's indexer loop (2,000 lines per transaction): {} lines behind at \
                         the last commit, caught up {} later.{}",
                        thousands(lag.behind as f64),
                        queries::duration(lag.catch_up),
                        match lag.errors.first() {
                            None => String::new(),
                            Some(first) => format!(
                                " Its transaction failed {} while the writer committed back to \
                                 back (`{}`) and was retried 5 s later, as the server does.",
                                match lag.errors.len() {
                                    1 => "once".to_string(),
                                    n => format!("{n} times"),
                                },
                                first
                                    .split("returned from database: ")
                                    .last()
                                    .unwrap_or(first)
                            ),
                        }
                    ),
                    None => String::new(),
                };
                format!(
                    "{} lines for one app (\"{}\") with timestamps over the 24 hours before the \
                     run, oldest first, and {} for a second app (\"small\") over the same hours, \
                     in the same transactions. Written through the ingest writer's store \
                     (`LogWriter::write`, {} transactions of about 10,000 lines, the insert method \
                     the server uses), so the lines, `app_metrics` (counts and id ranges) and the \
                     indexes are as ingest leaves them: **{} lines/s** to the last commit ({}, \
                     generation on a second thread included).{text_index}",
                    thousands(g.big_lines as f64),
                    short(g.big_lines),
                    thousands(g.small_lines as f64),
                    thousands(g.transactions as f64),
                    thousands(g.lines_per_s()),
                    queries::duration(g.committed),
                )
            }
            None => "A database generated by an earlier run (`--data-url`).".into(),
        };
        let mut text = format!(
            "Data: {generated} The lines: levels about 70 % info, 15 % debug, 8 % warn, 5 % \
             error, 2 % fatal; 8 services; about 30 message templates with ids and numbers; \
             \"timeout\" in 3 of 7 error templates, 2 of 6 warn templates and 1 debug template; \
             `{RARE_WORD}` in one line in 10,000, `{ABSENT_WORD}` in none; attributes with \
             request and user ids, and on half the lines a correlation id that 2 to 12 lines of \
             one request share; a trace id on about a quarter. At query time the {} app's \
             24-hour window held {} lines. Size: {}.",
            self.big_label(),
            thousands(self.window_lines as f64),
            sizes.join(", ")
        );
        if let Some(after) = &self.after_load {
            let _ = write!(text, " {after}.");
        }
        if self.engine == Engine::Sqlite {
            text.push_str(" No `ANALYZE` (the server never runs it).");
        }
        text
    }

    fn targets(&self) -> String {
        let verdict_of = |label: &str| {
            self.timings
                .iter()
                .find(|t| !t.small_app && t.label.starts_with(label) && t.target_ms.is_some())
                .and_then(|t| t.met())
                .map_or("not measured", verdict)
        };
        format!(
            "Targets (DESIGN.md §7, checked on p95): search first page, `level:error timeout`, \
             24 h, < 100 ms ({}); histogram over 24 h < 300 ms ({}).",
            verdict_of("first page, `level:error timeout`"),
            verdict_of("histogram, no query"),
        )
    }
}

/// What a query returned, and its number of timed runs when a slow query got fewer.
fn result_cell(t: &queries::Timing, runs: usize) -> String {
    if t.runs < runs {
        format!("{} ({} runs)", t.result, t.runs)
    } else {
        t.result.clone()
    }
}

/// The live stream's latency, idle and under load.
pub struct LiveReport {
    pub engine: Engine,
    pub runs: Vec<LiveRun>,
}

impl LiveReport {
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n## Live view latency — {} (`make bench`)\n",
            self.engine.title()
        );
        let _ = writeln!(
            out,
            "The release server on a fresh database; a user signed in through `POST \
             /app/auth/sign_in` opens the live stream of its app (`GET /apps/{{id}}/logs/live`, \
             Server-Sent Events, session cookie) while the bench posts {}-line batches to `POST \
             /ingest` at {} requests/s for {} s (open loop, each on its own task), each line's \
             message carrying a sequence number. Latency: from the moment a line's POST started \
             to the moment its `lines` event was read from the stream. Under load, another app \
             receives the ingest bench's 100-line batches on other connections at the rate shown \
             (open loop, from 2 s before the probe until 2 s after).\n",
            live::LINES_PER_REQUEST,
            live::REQUESTS_PER_S,
            live::PROBE.as_secs()
        );
        out.push_str(
            "| server | lines | p50 ms | p95 ms | p99 ms | max ms | lost | POSTs not 200 |\n",
        );
        out.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for run in &self.runs {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                load_label(run),
                thousands(run.sent as f64),
                ms(Some(run.p50_ms)),
                ms(Some(run.p95_ms)),
                ms(Some(run.p99_ms)),
                ms(Some(run.max_ms)),
                run.lost,
                run.refused
            );
        }
        out.push('\n');
        out.push_str(&self.targets());
        out.push('\n');
        out
    }

    pub fn summary(&self) -> String {
        let mut out = format!("Live view latency on {}\n", self.engine.title());
        for run in &self.runs {
            let _ = writeln!(
                out,
                "  {:<70} lines {:>5} (received {:>5})  p50 {:>6}  p95 {:>6}  p99 {:>6}  max {:>6} ms  lost {}  not 200 {}",
                load_label(run),
                run.sent,
                run.received,
                ms(Some(run.p50_ms)),
                ms(Some(run.p95_ms)),
                ms(Some(run.p99_ms)),
                ms(Some(run.max_ms)),
                run.lost,
                run.refused
            );
        }
        out.push_str(&self.targets());
        out.push('\n');
        out
    }

    fn targets(&self) -> String {
        let parts: Vec<String> = self
            .runs
            .iter()
            .map(|run| {
                let met = run.p95_ms < TARGET_LIVE_P95_MS && run.lost == 0 && run.sent > 0;
                let when = if run.background.is_some() {
                    "under load"
                } else {
                    "idle"
                };
                format!("{when}: {}", verdict(met))
            })
            .collect();
        format!(
            "Target (DESIGN.md §7): ingest → visible in an open dashboard < 1 s at p95, with no \
             line lost ({}).",
            parts.join("; ")
        )
    }
}

fn load_label(run: &LiveRun) -> String {
    match &run.background {
        None => "idle".into(),
        Some((offered, measured)) => format!(
            "under load: {} lines/s offered to another app, {} achieved (p99 {} ms{})",
            thousands(*offered),
            thousands(measured.lines_per_s),
            ms(measured.p99_ms),
            match refused(&measured.refused).as_str() {
                "0" => String::new(),
                other => format!(", not 200: {other}"),
            }
        ),
    }
}

pub fn best_step(steps: &[Measured]) -> Option<&Measured> {
    steps
        .iter()
        .filter(|s| s.lines_per_s > 0.0)
        .max_by(|a, b| a.lines_per_s.total_cmp(&b.lines_per_s))
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

/// Milliseconds as the tables show them: one decimal below 10 ms.
pub fn ms(value: Option<f64>) -> String {
    match value {
        Some(v) if v < 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.0}"),
        None => "–".into(),
    }
}

/// `503×12, error×1`, or `0`.
pub fn refused(counts: &BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "0".into();
    }
    counts
        .iter()
        .map(|(what, n)| format!("{what}×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 10000000 → `10M`, 500000 → `500k`, otherwise grouped by thousands.
fn short(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        thousands(n as f64)
    }
}

/// 123456.7 → `123,457`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(123_456.7), "123,457");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }

    #[test]
    fn refusals_are_listed_by_status() {
        let mut counts = BTreeMap::new();
        assert_eq!(refused(&counts), "0");
        counts.insert("503".to_string(), 12);
        counts.insert("error".to_string(), 1);
        assert_eq!(refused(&counts), "503×12, error×1");
    }
}
