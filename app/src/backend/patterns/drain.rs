//! Groups log messages into templates, in the manner of Drain (He, Zhu, Zheng and Lyu, 2017).
//!
//! Each message is tokenised and masked (`super::mask`), then compared only with the clusters of
//! its group: the same number of tokens and the same first token when that is a literal word
//! (messages starting with a masked value share one group per length). This stands in for
//! Drain's fixed-depth tree. The message joins the most similar cluster of its group if at least
//! `similarity` of the positions agree, else it starts a new cluster. Positions where a joining
//! message differs become wildcards, printed `<*>`.
//!
//! Memory is bounded: a miner holds at most `max_clusters` clusters of at most `MAX_TOKENS` slots
//! each. When a new cluster would go past the limit, the least recently used one is dropped first
//! and its id reported; ids are never reused. Literal words are kept as written, so callers should
//! cap message length before mining.
//!
//! Mining is deterministic: the same messages in the same order give the same ids and templates.
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::mask::{self, Token};

/// How a wildcard slot prints in a template.
pub const WILDCARD: &str = "<*>";

/// Settings for a [`Miner`].
#[derive(Clone, Debug, PartialEq)]
pub struct MinerConfig {
    /// The share of positions (0 to 1) that must agree for a message to join a cluster.
    pub similarity: f64,
    /// The most clusters kept; 0 is taken as 1.
    pub max_clusters: usize,
}

impl Default for MinerConfig {
    fn default() -> Self {
        MinerConfig {
            similarity: 0.5,
            max_clusters: 500,
        }
    }
}

/// One position of a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Every message of the cluster has this token here: a literal word or a kind of value.
    Token(Token),
    /// The messages of the cluster differ here.
    Wildcard,
}

impl Slot {
    /// Reads a slot back from how it prints.
    pub fn parse(text: &str) -> Slot {
        if text == WILDCARD {
            Slot::Wildcard
        } else {
            Slot::Token(Token::parse(text))
        }
    }

    fn accepts(&self, token: &Token) -> bool {
        match self {
            Slot::Token(own) => own == token,
            Slot::Wildcard => true,
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slot::Token(token) => token.fmt(f),
            Slot::Wildcard => f.write_str(WILDCARD),
        }
    }
}

/// A group of messages that share a template.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// Assigned in order of creation from 1, never reused.
    pub id: u64,
    pub template: Vec<Slot>,
    /// Messages counted in the cluster, including those counted before a restore.
    pub count: u64,
    /// The miner's tick (one per `add` or `restore`) when the cluster was last used.
    pub last_used: u64,
}

impl Cluster {
    /// The template as text: slots joined by single spaces.
    pub fn template_text(&self) -> String {
        let slots: Vec<String> = self.template.iter().map(Slot::to_string).collect();
        slots.join(" ")
    }

    fn agreeing_positions(&self, tokens: &[Token]) -> usize {
        let pairs = self.template.iter().zip(tokens);
        pairs.filter(|(slot, token)| slot.accepts(token)).count()
    }

    /// Counts in a message of the same length; returns whether the template gained wildcards.
    fn absorb(&mut self, tokens: &[Token], tick: u64) -> bool {
        let mut changed = false;
        for (slot, token) in self.template.iter_mut().zip(tokens) {
            if !slot.accepts(token) {
                *slot = Slot::Wildcard;
                changed = true;
            }
        }
        self.count += 1;
        self.last_used = tick;
        changed
    }
}

/// What [`Miner::add`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Added {
    /// The cluster the message is now counted in.
    pub cluster: u64,
    /// The cluster was created for this message.
    pub new: bool,
    /// An existing cluster's template gained wildcards.
    pub changed: bool,
    /// A cluster dropped to make room for the new one.
    pub evicted: Option<u64>,
}

/// Which clusters a message is compared with: same token count, same first word.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    length: usize,
    /// `None` when the first token is not a literal word.
    first_word: Option<String>,
}

impl GroupKey {
    fn new(length: usize, first: Option<&Token>) -> Self {
        let first_word = match first {
            Some(Token::Word(word)) => Some(word.clone()),
            _ => None,
        };
        GroupKey { length, first_word }
    }

    fn of(template: &[Slot]) -> Self {
        let first = template.first().and_then(|slot| match slot {
            Slot::Token(token) => Some(token),
            Slot::Wildcard => None,
        });
        GroupKey::new(template.len(), first)
    }
}

/// Mines templates from a stream of messages, with bounded memory (see the module notes).
#[derive(Debug)]
pub struct Miner {
    config: MinerConfig,
    clusters: BTreeMap<u64, Cluster>,
    groups: HashMap<GroupKey, Vec<u64>>,
    next_id: u64,
    tick: u64,
}

impl Default for Miner {
    fn default() -> Self {
        Miner::new(MinerConfig::default())
    }
}

impl Miner {
    pub fn new(config: MinerConfig) -> Self {
        Miner {
            config,
            clusters: BTreeMap::new(),
            groups: HashMap::new(),
            next_id: 1,
            tick: 0,
        }
    }

    /// Counts `message` in the most similar cluster of its group, or in a new cluster when none
    /// is similar enough. Ties go to the older cluster.
    pub fn add(&mut self, message: &str) -> Added {
        let tokens = mask::tokens(message);
        self.tick += 1;
        let key = GroupKey::new(tokens.len(), tokens.first());
        if let Some(id) = self.most_similar(&key, &tokens) {
            let cluster = self
                .clusters
                .get_mut(&id)
                .expect("grouped ids have clusters");
            let changed = cluster.absorb(&tokens, self.tick);
            return Added {
                cluster: id,
                new: false,
                changed,
                evicted: None,
            };
        }
        let id = self.next_id;
        self.next_id += 1;
        let evicted = self.insert(Cluster {
            id,
            template: tokens.into_iter().map(Slot::Token).collect(),
            count: 1,
            last_used: self.tick,
        });
        Added {
            cluster: id,
            new: true,
            changed: false,
            evicted,
        }
    }

    /// Rebuilds cluster `id` from its printed template and count, for reloading saved clusters.
    /// It replaces any cluster with that id, counts as just used, and clusters created later get
    /// higher ids. Returns the cluster dropped to make room, if one was.
    pub fn restore(&mut self, id: u64, template: &str, count: u64) -> Option<u64> {
        self.remove(id);
        self.tick += 1;
        self.next_id = self.next_id.max(id.saturating_add(1));
        self.insert(Cluster {
            id,
            template: template.split_whitespace().map(Slot::parse).collect(),
            count,
            last_used: self.tick,
        })
    }

    /// The printed template of `cluster`, if the miner still holds it.
    pub fn template(&self, cluster: u64) -> Option<String> {
        self.clusters.get(&cluster).map(Cluster::template_text)
    }

    pub fn cluster(&self, id: u64) -> Option<&Cluster> {
        self.clusters.get(&id)
    }

    /// All clusters, in id order.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.values()
    }

    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// The cluster of the group with the most agreeing positions (the lowest id among equals),
    /// if enough of its positions agree.
    fn most_similar(&self, key: &GroupKey, tokens: &[Token]) -> Option<u64> {
        let mut best: Option<(usize, u64)> = None;
        for &id in self.groups.get(key)? {
            let agreeing = self.clusters[&id].agreeing_positions(tokens);
            if best
                .is_none_or(|(most, best_id)| agreeing > most || (agreeing == most && id < best_id))
            {
                best = Some((agreeing, id));
            }
        }
        let (agreeing, id) = best?;
        let similarity = if tokens.is_empty() {
            1.0
        } else {
            agreeing as f64 / tokens.len() as f64
        };
        (similarity >= self.config.similarity).then_some(id)
    }

    /// Adds `cluster`, first dropping the least recently used one if the miner is full.
    fn insert(&mut self, cluster: Cluster) -> Option<u64> {
        let evicted = if self.clusters.len() >= self.config.max_clusters.max(1) {
            let oldest = self.clusters.values().min_by_key(|c| (c.last_used, c.id));
            let oldest = oldest.map(|c| c.id);
            oldest.and_then(|id| self.remove(id)).map(|c| c.id)
        } else {
            None
        };
        let key = GroupKey::of(&cluster.template);
        self.groups.entry(key).or_default().push(cluster.id);
        self.clusters.insert(cluster.id, cluster);
        evicted
    }

    fn remove(&mut self, id: u64) -> Option<Cluster> {
        let cluster = self.clusters.remove(&id)?;
        let key = GroupKey::of(&cluster.template);
        if let Some(ids) = self.groups.get_mut(&key) {
            ids.retain(|&other| other != id);
            if ids.is_empty() {
                self.groups.remove(&key);
            }
        }
        Some(cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miner(similarity: f64, max_clusters: usize) -> Miner {
        Miner::new(MinerConfig {
            similarity,
            max_clusters,
        })
    }

    #[test]
    fn lines_differing_only_in_masked_values_share_one_cluster() {
        let mut miner = Miner::default();
        let first = miner.add("user 42 logged in from 10.0.0.1 after 12ms");
        let second = miner.add("user 7 logged in from 192.168.3.4 after 3.5s");
        assert!(first.new);
        let joined = Added {
            cluster: first.cluster,
            new: false,
            changed: false,
            evicted: None,
        };
        assert_eq!(second, joined);
        let template = miner.template(first.cluster).unwrap();
        assert_eq!(template, "user <num> logged in from <ip> after <num>");
        assert_eq!(miner.len(), 1);
    }

    #[test]
    fn a_differing_word_becomes_a_wildcard_once_similar_enough() {
        let mut miner = Miner::default();
        let first = miner.add("connection to db-primary closed by server");
        let second = miner.add("connection to db-replica closed by server");
        assert_eq!(
            (second.cluster, second.new, second.changed),
            (first.cluster, false, true)
        );
        assert_eq!(
            miner.template(first.cluster).unwrap(),
            "connection to <*> closed by server"
        );
        let third = miner.add("connection to cache-1 closed by server");
        assert_eq!((third.cluster, third.changed), (first.cluster, false));
    }

    #[test]
    fn dissimilar_lines_stay_apart() {
        let mut miner = Miner::default();
        let reset = miner.add("connection reset by peer");
        let disk = miner.add("disk full on /dev/sda1");
        assert_ne!(reset.cluster, disk.cluster);
        // Same first word and length, but only one position of four agrees.
        let started = miner.add("worker started job import");
        let crashed = miner.add("worker crashed with panic");
        assert_ne!(started.cluster, crashed.cluster);
        assert_eq!(
            miner.template(started.cluster).unwrap(),
            "worker started job import"
        );
        assert_eq!(miner.len(), 4);
    }

    #[test]
    fn the_threshold_decides_whether_words_merge() {
        let lines = ["job alpha finished ok", "job beta finished ok"];
        let mut loose = miner(0.75, 10);
        let mut strict = miner(0.9, 10);
        for line in lines {
            loose.add(line);
            strict.add(line);
        }
        assert_eq!((loose.len(), strict.len()), (1, 2));
    }

    #[test]
    fn different_token_counts_stay_apart() {
        let mut miner = Miner::default();
        let short = miner.add("cache miss for key");
        let long = miner.add("cache miss for key again");
        assert_ne!(short.cluster, long.cluster);
        assert!(long.new);
    }

    #[test]
    fn ties_go_to_the_older_cluster() {
        let mut miner = miner(0.6, 10);
        let alpha = miner.add("job alpha beta start");
        let gamma = miner.add("job gamma delta start");
        assert!(gamma.new);
        // Three of four positions agree with each cluster.
        assert_eq!(miner.add("job alpha delta start").cluster, alpha.cluster);
    }

    #[test]
    fn counts_add_up() {
        let mut miner = Miner::default();
        let lines = [
            "GET /health 200 1ms",
            "GET /health 200 2ms",
            "payment failed for order 1 (a@b.io)",
            "GET /health 503 9ms",
            "payment failed for order 2 (c@d.io)",
        ];
        let added: Vec<Added> = lines.iter().map(|line| miner.add(line)).collect();
        let total: u64 = miner.clusters().map(|cluster| cluster.count).sum();
        assert_eq!(total, lines.len() as u64);
        assert_eq!(miner.cluster(added[0].cluster).unwrap().count, 3);
        assert_eq!(miner.cluster(added[2].cluster).unwrap().count, 2);
    }

    #[test]
    fn ids_and_templates_are_the_same_across_runs() {
        let lines = [
            "disk full on /dev/sda1",
            "user 1 logged in",
            "connection reset by peer",
            "user 2 logged out",
            "disk full on /dev/sdb2",
            "user 3 logged in",
        ];
        let run = || {
            let mut miner = miner(0.5, 3);
            let added: Vec<Added> = lines.iter().map(|line| miner.add(line)).collect();
            let templates: Vec<String> = miner.clusters().map(Cluster::template_text).collect();
            (added, templates)
        };
        let (first, second) = (run(), run());
        assert_eq!(first, second);
        let ids: Vec<u64> = first.0.iter().map(|added| added.cluster).collect();
        assert_eq!(ids, [1, 2, 3, 2, 1, 2]);
        assert_eq!(
            first.1,
            [
                "disk full on <*>",
                "user <num> logged <*>",
                "connection reset by peer"
            ]
        );
    }

    #[test]
    fn eviction_drops_the_least_recently_used_and_never_reuses_ids() {
        let mut miner = miner(0.5, 3);
        for line in ["alpha one", "beta two", "gamma three"] {
            assert_eq!(miner.add(line).evicted, None);
        }
        miner.add("alpha one"); // cluster 1 is now more recent than 2
        let delta = miner.add("delta four");
        assert_eq!(
            (delta.cluster, delta.new, delta.evicted),
            (4, true, Some(2))
        );
        assert_eq!(miner.len(), 3);
        assert_eq!(miner.template(2), None);
        let beta = miner.add("beta two");
        assert_eq!((beta.cluster, beta.evicted), (5, Some(3)));
        assert!(miner.len() <= 3);
    }

    #[test]
    fn restored_clusters_take_matching_lines_and_ids_continue() {
        let mut miner = Miner::default();
        assert_eq!(
            miner.restore(41, "payment failed for order <num> (<email>)", 10),
            None
        );
        miner.restore(7, "connection to <*> closed", 3);
        let paid = miner.add("payment failed for order 1234 (bob@example.com)");
        assert_eq!((paid.cluster, paid.new, paid.changed), (41, false, false));
        assert_eq!(miner.cluster(41).unwrap().count, 11);
        assert_eq!(miner.add("connection to db-2 closed").cluster, 7);
        let fresh = miner.add("something else entirely");
        assert_eq!((fresh.cluster, fresh.new), (42, true));
    }

    #[test]
    fn printed_templates_restore_to_the_same_slots() {
        let mut mined = Miner::default();
        for line in [
            "GET /a 200 12ms user_id=42",
            "GET /b 200 13ms user_id=7",
            "[2024-03-05T10:15:30Z] sshd[22]: Failed for root from 10.0.0.1",
        ] {
            mined.add(line);
        }
        let long: Vec<String> = (0..80).map(|n| format!("w{n}")).collect();
        mined.add(&long.join(" "));
        let mut restored = Miner::default();
        for cluster in mined.clusters() {
            restored.restore(cluster.id, &cluster.template_text(), cluster.count);
        }
        let original: Vec<&Cluster> = mined.clusters().collect();
        let rebuilt: Vec<&Cluster> = restored.clusters().collect();
        assert_eq!(original.len(), rebuilt.len());
        for (original, rebuilt) in original.iter().zip(rebuilt) {
            assert_eq!(
                (&original.template, original.count),
                (&rebuilt.template, rebuilt.count)
            );
        }
    }
}
