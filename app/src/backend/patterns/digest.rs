//! The optional prose digest of a summary, written by an LLM the operator configures
//! (`LODESTAR_LLM_URL`, `LODESTAR_LLM_MODEL`, `LODESTAR_LLM_API_KEY`: an OpenAI-compatible
//! chat-completions endpoint). Nothing is sent anywhere when it is not configured.
//!
//! The server computes the facts; the model only turns them into prose. What it is sent: the
//! summary's numbers and templates, and at most `max_samples` lines of the top patterns with
//! secret-looking values masked (`mask::mask_secrets`). Digests are written in the background
//! by one task, one request at a time (asking again for a digest being written joins it), and
//! cached per app and range (rounded to ten minutes) for an hour; a failure is cached for a
//! minute, and the card shows the deterministic summary with a short note meanwhile.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{BUCKET_US, secrets::mask_secrets};
use crate::{
    backend::{
        entities::apps,
        lock,
        store::{self, LogFilter},
    },
    model::{
        patterns::{PatternBrief, Summary, change_label},
        query::{self, format_rfc3339},
    },
};

/// The LLM endpoint, when configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmConfig {
    /// `https://api.example.com/v1/chat/completions`.
    pub url: String,
    pub model: String,
    pub api_key: String,
    /// Sample lines sent with the facts, at most.
    pub max_samples: usize,
    pub timeout: Duration,
}

const CACHE_FOR: Duration = Duration::from_secs(3_600);
const FAILURE_CACHED_FOR: Duration = Duration::from_secs(60);
/// Characters of the digest kept.
const MAX_DIGEST_CHARS: usize = 4_000;
/// Characters of one sample line sent.
const SAMPLE_CHARS: usize = 300;

type Key = (i64, i64, i64);

enum Entry {
    Writing,
    Written(String, Instant),
    Failed(String, Instant),
}

/// A digest to write: the app, the facts, and the lines to quote.
struct Job {
    key: Key,
    prompt: String,
}

/// The digests of this server: their cache and the task writing them.
pub struct Digests {
    config: Option<LlmConfig>,
    cache: Mutex<HashMap<Key, Entry>>,
    queue: Option<mpsc::UnboundedSender<Job>>,
}

impl Digests {
    /// Without a configuration, no task and no request, ever.
    pub fn disabled() -> Digests {
        Digests {
            config: None,
            cache: Mutex::new(HashMap::new()),
            queue: None,
        }
    }

    /// Starts the writing task on the current runtime.
    pub fn start(config: Option<LlmConfig>) -> std::sync::Arc<Digests> {
        let Some(config) = config else {
            return std::sync::Arc::new(Digests::disabled());
        };
        let (queue, jobs) = mpsc::unbounded_channel();
        let digests = std::sync::Arc::new(Digests {
            config: Some(config.clone()),
            cache: Mutex::new(HashMap::new()),
            queue: Some(queue),
        });
        tokio::spawn(write_digests(
            std::sync::Arc::downgrade(&digests),
            config,
            jobs,
        ));
        digests
    }

    pub fn enabled(&self) -> bool {
        self.config.is_some()
    }

    /// The digest of `summary` (cached), or a note saying why there is none yet.
    pub async fn digest_for(
        &self,
        db: &DatabaseConnection,
        app: &apps::Model,
        summary: &Summary,
    ) -> (Option<String>, Option<String>) {
        let Some(config) = &self.config else {
            return (None, None);
        };
        let key = (
            app.id,
            summary.start_us.div_euclid(BUCKET_US),
            summary.end_us.div_euclid(BUCKET_US),
        );
        {
            let mut cache = lock(&self.cache);
            match cache.get(&key) {
                Some(Entry::Written(text, at)) if at.elapsed() < CACHE_FOR => {
                    return (Some(text.clone()), None);
                }
                Some(Entry::Failed(why, at)) if at.elapsed() < FAILURE_CACHED_FOR => {
                    return (
                        None,
                        Some(format!("The digest could not be written ({why}).")),
                    );
                }
                Some(Entry::Writing) => return (None, Some(WRITING.into())),
                _ => {}
            }
            cache.insert(key, Entry::Writing);
        }
        let samples = samples(db, app.id, summary, config.max_samples).await;
        let prompt = prompt(&app.name, summary, &samples);
        if let Some(queue) = &self.queue {
            let _ = queue.send(Job { key, prompt });
        }
        (None, Some(WRITING.into()))
    }

    fn settle(&self, key: Key, outcome: Result<String, String>) {
        let entry = match outcome {
            Ok(text) => Entry::Written(text, Instant::now()),
            Err(why) => Entry::Failed(why, Instant::now()),
        };
        lock(&self.cache).insert(key, entry);
    }
}

const WRITING: &str = "The digest is being written; reload in a moment.";

async fn write_digests(
    digests: std::sync::Weak<Digests>,
    config: LlmConfig,
    mut jobs: mpsc::UnboundedReceiver<Job>,
) {
    let http = reqwest::Client::builder()
        .timeout(config.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    while let Some(job) = jobs.recv().await {
        let outcome = request(&http, &config, &job.prompt).await;
        if let Err(why) = &outcome {
            tracing::warn!(app = job.key.0, %why, "writing a digest failed");
        }
        let Some(digests) = digests.upgrade() else {
            return;
        };
        digests.settle(job.key, outcome);
    }
}

/// One chat-completions request; the digest, or why not (never the key).
pub async fn request(
    http: &reqwest::Client,
    config: &LlmConfig,
    prompt: &str,
) -> Result<String, String> {
    let body = json!({
        "model": config.model,
        "temperature": 0.2,
        "max_tokens": 500,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": prompt},
        ],
    });
    let response = http
        .post(&config.url)
        .bearer_auth(&config.api_key)
        .json(&body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the model did not answer in time".to_string()
            } else {
                "the model's endpoint could not be reached".to_string()
            }
        })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the model's endpoint answered {status}"));
    }
    let answer: Value = response
        .json()
        .await
        .map_err(|_| "the model's answer was not JSON".to_string())?;
    let text = answer["choices"][0]["message"]["content"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "the model's answer had no text".to_string())?;
    Ok(text.chars().take(MAX_DIGEST_CHARS).collect())
}

const SYSTEM: &str = "You write a short digest (at most 6 sentences, plain text, no markdown) \
of what happened in an application's logs, for its developers. Use only the facts given; do \
not invent causes. Lead with what needs attention: errors, new kinds of lines, spikes.";

/// The facts, as the model reads them.
pub fn prompt(app: &str, summary: &Summary, samples: &[String]) -> String {
    let mut text = format!(
        "App: {app}\nRange: {} to {}\nLines: {} ({} against the period before)\nErrors: {} ({})\n",
        format_rfc3339(summary.start_us),
        format_rfc3339(summary.end_us),
        summary.lines,
        change_label(summary.lines, summary.lines_before),
        summary.errors,
        change_label(summary.errors, summary.errors_before),
    );
    let list = |title: &str, items: &[PatternBrief], text: &mut String| {
        if items.is_empty() {
            return;
        }
        text.push_str(&format!("{title}:\n"));
        for item in items {
            text.push_str(&format!(
                "- {} ({} lines, {} before)\n",
                mask_secrets(&item.template),
                item.count,
                item.before
            ));
        }
    };
    list("New kinds of lines", &summary.new_patterns, &mut text);
    list("Top error patterns", &summary.top_errors, &mut text);
    list("Spikes", &summary.spikes, &mut text);
    if !samples.is_empty() {
        text.push_str("Sample lines:\n");
        for sample in samples {
            text.push_str(&format!("- {sample}\n"));
        }
    }
    text
}

/// Up to `max` recent lines of the summary's patterns (errors first), masked.
async fn samples(
    db: &DatabaseConnection,
    app_id: i64,
    summary: &Summary,
    max: usize,
) -> Vec<String> {
    let mut out = Vec::new();
    let patterns = summary
        .top_errors
        .iter()
        .chain(&summary.new_patterns)
        .chain(&summary.spikes);
    for pattern in patterns {
        if out.len() >= max {
            break;
        }
        let Ok(Some(parsed)) = query::parse(&pattern.search) else {
            continue;
        };
        let filter = LogFilter {
            app_id,
            start_us: summary.start_us,
            end_us: summary.end_us,
            environment: None,
            query: Some(&parsed),
        };
        let Ok(page) = store::page(db, &filter, None, 1).await else {
            continue;
        };
        for line in page.lines {
            let message: String = line.message.chars().take(SAMPLE_CHARS).collect();
            out.push(mask_secrets(&format!(
                "{} {} {}: {message}",
                line.level.name(),
                line.service,
                format_rfc3339(line.ts)
            )));
        }
    }
    out.truncate(max);
    out
}
