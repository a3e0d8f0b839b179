//! Log patterns (docs/patterns.md): each app's messages clustered into templates, off the
//! ingest path. A background task reads the lines committed after its watermark, a batch at a
//! time, runs them through the app's [`drain::Miner`] (masks for numbers, ids, hex, IPs,
//! UUIDs, quoted strings…, then a similarity threshold), and writes in one transaction each
//! pattern's template, first and last seen and count, the lines per pattern per ten minutes
//! by level, and the new watermark.
//!
//! Memory is bounded per app (messages are read to [`MINED_BYTES`]; the miner keeps at most
//! `max_clusters`, least recently used first out) and in all (at most [`MAX_APPS`] miners;
//! the least recently used app's is dropped and read back from its stored patterns when its
//! lines come again). With several
//! servers, the one holding the lease of the single progress row mines.
pub mod digest;
pub mod drain;
pub mod mask;
pub mod secrets;
mod store;

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DbErr};

use crate::backend::store::horizon;

pub use store::{
    PatternRow, delete_app_patterns, lines_after, pattern_buckets, pattern_rows, pattern_total,
    watermark,
};

/// Lines per bucket of `pattern_counts`: ten minutes.
pub const BUCKET_US: i64 = 10 * 60 * 1_000_000;
/// Apps whose miners stay in memory at once.
pub const MAX_APPS: usize = 256;
/// Lines mined per transaction.
pub const BATCH: u32 = 5_000;
/// Bytes of a message the miner reads: templates keep their literal words, so this bounds
/// the memory of a cluster (64 tokens at most) whatever the lines hold.
pub const MINED_BYTES: usize = 512;

/// Patterns' settings (`LODESTAR_PATTERNS`, `LODESTAR_LLM_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternSettings {
    /// Whether the background miner runs.
    pub mining: bool,
    /// The LLM writing digests, when configured.
    pub llm: Option<digest::LlmConfig>,
}

impl Default for PatternSettings {
    fn default() -> Self {
        PatternSettings {
            mining: true,
            llm: None,
        }
    }
}

/// The mining state of one server: a miner per app, loaded from the stored patterns.
pub struct PatternMiner {
    config: drain::MinerConfig,
    /// Names this server in the progress row's lease.
    owner: String,
    miners: HashMap<i64, (drain::Miner, u64)>,
    /// Advances on every batch: the apps' last use, for dropping the least recently used.
    tick: u64,
    /// Whether this server held the lease last time: if not, another may have mined since
    /// and the miners in memory are stale.
    leading: bool,
}

impl PatternMiner {
    pub fn new(config: drain::MinerConfig) -> PatternMiner {
        PatternMiner {
            config,
            owner: super::secrets::instance_name(),
            miners: HashMap::new(),
            tick: 0,
            leading: false,
        }
    }

    /// Mines up to `batch` lines committed after the watermark; answers how many. Nothing
    /// when another server holds the lease.
    pub async fn mine(
        &mut self,
        db: &DatabaseConnection,
        batch: u32,
        now_us: i64,
    ) -> Result<u64, DbErr> {
        if !store::lease(db, &self.owner, now_us).await? {
            self.leading = false;
            return Ok(0);
        }
        if !self.leading {
            self.miners.clear();
            self.leading = true;
        }
        // On PostgreSQL another server may still be committing lower ids than some already
        // visible: read only up to the ids that can no longer appear.
        let Some(settled) = horizon::settled(db).await? else {
            return Ok(0);
        };
        let (after, lines) = store::lines_after_watermark(db, settled, batch).await?;
        if lines.is_empty() {
            return Ok(0);
        }
        self.tick += 1;
        for line in &lines {
            if !self.miners.contains_key(&line.app_id) {
                let miner = self.load(db, line.app_id).await?;
                self.make_room();
                self.miners.insert(line.app_id, (miner, self.tick));
            }
        }
        // Masking and matching are CPU work: off the async threads, so that requests are not
        // held up behind a batch.
        let mut miners = std::mem::take(&mut self.miners);
        let tick = self.tick;
        let (miners, lines, batch_counts) = tokio::task::spawn_blocking(move || {
            let mut counts = store::BatchCounts::default();
            for line in &lines {
                let (miner, used) = miners.get_mut(&line.app_id).expect("loaded above");
                *used = tick;
                let added = miner.add(head(&line.message, MINED_BYTES));
                let template = miner.template(added.cluster).unwrap_or_default();
                counts.add(
                    line.app_id,
                    added.cluster as i64,
                    template,
                    line.ts,
                    line.level,
                );
            }
            (miners, lines, counts)
        })
        .await
        .map_err(|e| DbErr::Custom(format!("mining stopped: {e}")))?;
        self.miners = miners;
        let last = lines.last().map_or(after, |line| line.id);
        if !store::write(db, &self.owner, &batch_counts, last).await? {
            // The lease ran out in between: another server mines from the old watermark.
            self.leading = false;
            self.miners.clear();
            return Ok(0);
        }
        Ok(lines.len() as u64)
    }

    /// The app's miner, with its most recently seen stored patterns.
    async fn load(&self, db: &DatabaseConnection, app_id: i64) -> Result<drain::Miner, DbErr> {
        let mut miner = drain::Miner::new(self.config.clone());
        let stored = store::stored_templates(db, app_id, self.config.max_clusters).await?;
        // Oldest first, so that the most recent end up the most recently used.
        for (cluster, template, count) in stored.into_iter().rev() {
            miner.restore(cluster as u64, &template, count.max(0) as u64);
        }
        Ok(miner)
    }

    fn make_room(&mut self) {
        while self.miners.len() >= MAX_APPS {
            let Some((&oldest, _)) = self.miners.iter().min_by_key(|(_, (_, used))| *used) else {
                return;
            };
            self.miners.remove(&oldest);
        }
    }
}

/// The first `max` bytes of `text`, cut on a character.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The search that finds a template's lines in the log view: each run of its literal words
/// as `message:"…"` (every run must match), or nothing when the template is all masks.
pub fn search_for(template: &str) -> String {
    let mut runs: Vec<Vec<&str>> = vec![Vec::new()];
    for token in template.split_whitespace() {
        if token.contains('"') || token.contains('\\') {
            runs.push(Vec::new());
            continue;
        }
        // `user_id=<num>`: the literal part before the mask ends the run.
        match token.find('<') {
            None => runs.last_mut().expect("one run at least").push(token),
            Some(mask) => {
                if mask > 0 {
                    runs.last_mut()
                        .expect("one run at least")
                        .push(&token[..mask]);
                }
                runs.push(Vec::new());
            }
        }
    }
    runs.iter()
        .filter(|run| !run.is_empty())
        .map(|run| format!("message:\"{}\"", run.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_mined_by_their_head() {
        assert_eq!(head("short", 512), "short");
        let long = "é".repeat(400);
        let cut = head(&long, 511);
        assert_eq!(cut.len(), 510);
        assert!(long.starts_with(cut));
    }

    #[test]
    fn a_template_searches_for_its_literal_runs() {
        assert_eq!(
            search_for("payment failed for order <num> by <email>"),
            "message:\"payment failed for order\" message:\"by\""
        );
        assert_eq!(search_for("<num> <*>"), "");
        assert_eq!(
            search_for("GET /cart <num> in <num>"),
            "message:\"GET /cart\" message:\"in\""
        );
        assert_eq!(
            search_for("said \"hi\" twice"),
            "message:\"said\" message:\"twice\""
        );
        assert_eq!(
            search_for("login for user_id=<num> ok"),
            "message:\"login for user_id=\" message:\"ok\""
        );
        // Every search it gives parses.
        for template in ["a <*> b", "x=<num> y", "<str> z"] {
            crate::model::query::parse(&search_for(template)).unwrap();
        }
    }
}
