//! The results as a terminal summary and as a BENCHMARKS.md section, with the DESIGN.md §7
//! targets beside them so a regression is visible without looking anything up.
use std::{collections::BTreeMap, fmt::Write};

use crate::{database::Engine, load::Measured};

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
        let _ = writeln!(
            out,
            "\n## Ingest — {} (`make bench`, {} s per step)\n",
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

pub fn best_step(steps: &[Measured]) -> Option<&Measured> {
    steps
        .iter()
        .filter(|s| s.lines_per_s > 0.0)
        .max_by(|a, b| a.lines_per_s.total_cmp(&b.lines_per_s))
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}

fn ms(value: Option<f64>) -> String {
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

/// 123456.7 → `123,457`.
fn thousands(value: f64) -> String {
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
