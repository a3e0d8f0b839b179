//! Attempt limits for sign-in and sign-up, in memory per server: a fixed window per key.
//! With several servers each keeps its own counts, so the effective limit is per server.
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::Mutex,
    time::{Duration, Instant},
};

use super::lock;

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Beyond this many keys, expired windows are pruned on the next hit.
const PRUNE_ABOVE: usize = 10_000;
/// If pruning leaves more than this many live keys (a flood of distinct keys), the counts are
/// dropped: memory stays bounded, at the price of forgetting recent attempts.
const MAX_KEYS: usize = 100_000;

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        RateLimiter {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds to wait when `key` has used up its window, without counting an attempt.
    pub fn blocked(&self, key: &str) -> Option<u64> {
        let windows = lock(&self.windows);
        let (started, count) = windows.get(key)?;
        let elapsed = started.elapsed();
        (elapsed < self.window && *count >= self.limit)
            .then(|| (self.window - elapsed).as_secs().max(1))
    }

    /// Counts one attempt for `key`; `Err(seconds to wait)` once the limit is passed.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let mut windows = lock(&self.windows);
        let now = Instant::now();
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, (started, _)| now.duration_since(*started) < self.window);
            if windows.len() > MAX_KEYS {
                windows.clear();
            }
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.limit {
            Err((self.window - now.duration_since(entry.0)).as_secs().max(1))
        } else {
            Ok(())
        }
    }

    pub fn reset(&self, key: &str) {
        lock(&self.windows).remove(key);
    }
}

/// The per-IP key of a request: the TCP peer, or, when the operator says a reverse proxy is in
/// front (`trust_proxy`), the address the proxy appended last to `X-Forwarded-For` (the
/// leftmost entries are whatever the client claimed). IPv6 addresses count per /64, the block
/// one subscriber usually holds.
pub fn client_key(
    headers: &http::HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> String {
    let forwarded = trust_proxy
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()
        })
        .flatten()
        .and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    match forwarded.or(peer.map(|p| p.ip())) {
        Some(IpAddr::V4(ip)) => ip.to_string(),
        Some(IpAddr::V6(ip)) => {
            let s = ip.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
    }
}

/// The limits on account endpoints.
pub struct AuthLimits {
    /// Sign-in and sign-up attempts from one IP address.
    pub per_ip: RateLimiter,
    /// Failed sign-ins for one account (reset by a successful one).
    pub per_account: RateLimiter,
    /// Device-flow requests (`lodestar init`) started from one IP address.
    pub device_starts: RateLimiter,
}

impl Default for AuthLimits {
    fn default() -> Self {
        AuthLimits {
            per_ip: RateLimiter::new(30, Duration::from_secs(300)),
            per_account: RateLimiter::new(5, Duration::from_secs(300)),
            device_starts: RateLimiter::new(20, Duration::from_secs(600)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_key_trusts_forwarded_for_only_when_told() {
        let peer = Some("10.0.0.2:5000".parse().unwrap());
        let mut headers = http::HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
        assert_eq!(client_key(&headers, peer, false), "10.0.0.2");
        assert_eq!(client_key(&headers, peer, true), "203.0.113.9");
        headers.insert("x-forwarded-for", "not an address".parse().unwrap());
        assert_eq!(client_key(&headers, peer, true), "10.0.0.2");
        headers.insert("x-forwarded-for", "2001:db8:1:2:3:4:5:6".parse().unwrap());
        assert_eq!(client_key(&headers, peer, true), "2001:db8:1:2::/64");
        assert_eq!(client_key(&http::HeaderMap::new(), None, true), "unknown");
    }

    #[test]
    fn the_limit_holds_within_a_window_and_resets_after() {
        let limiter = RateLimiter::new(2, Duration::from_millis(200));
        assert!(limiter.hit("k").is_ok());
        assert!(limiter.hit("k").is_ok());
        assert!(limiter.blocked("k").is_some());
        assert!(limiter.hit("k").is_err());
        assert!(limiter.hit("other").is_ok());
        std::thread::sleep(Duration::from_millis(250));
        assert!(limiter.blocked("k").is_none());
        assert!(limiter.hit("k").is_ok());
        limiter.hit("k").ok();
        limiter.reset("k");
        assert!(limiter.blocked("k").is_none());
    }
}
