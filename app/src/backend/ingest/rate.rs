//! Per-app line rate limit, a token bucket in memory per server. With several servers the
//! effective limit is per server.
use std::{collections::HashMap, sync::Mutex, time::Instant};

use crate::backend::lock;

pub struct AppRate {
    /// Lines per second; 0 means no limit.
    rate: f64,
    buckets: Mutex<HashMap<i64, (f64, Instant)>>,
}

impl AppRate {
    pub fn new(rate: f64) -> Self {
        AppRate {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `lines` from `app_id`'s bucket, or answers the seconds to wait. The bucket holds
    /// one second of lines; a batch larger than that passes when the bucket is full and
    /// leaves it in debt, so large batches are slowed, never refused forever.
    pub fn take(&self, app_id: i64, lines: usize) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = lock(&self.buckets);
        let (tokens, at) = buckets.entry(app_id).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.rate);
        *at = now;
        let wanted = lines as f64;
        if *tokens >= wanted.min(self.rate) {
            *tokens -= wanted;
            Ok(())
        } else {
            let missing = wanted.min(self.rate) - *tokens;
            Err((missing / self.rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_passes_then_refuses_with_a_wait() {
        let limit = AppRate::new(100.0);
        assert_eq!(limit.take(1, 60), Ok(()));
        assert_eq!(limit.take(1, 40), Ok(()));
        assert_eq!(limit.take(1, 10), Err(1));
        // Another app has its own bucket; a batch above the rate passes on a full bucket.
        assert_eq!(limit.take(2, 500), Ok(()));
        assert!(limit.take(2, 1).unwrap_err() >= 4);
        assert_eq!(AppRate::new(0.0).take(1, 1_000_000), Ok(()));
    }
}
