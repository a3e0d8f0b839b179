//! The time services are asked to act at. The server reads the system clock; tests hold it
//! still and move it forward (device-flow expiry, polling intervals).
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

use super::lock;

#[derive(Clone, Default)]
pub struct Clock {
    /// `None`: the system clock.
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    /// A clock that stands at `at` until moved with [`Clock::advance`].
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock {
            fixed: Some(Arc::new(Mutex::new(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(at) => *lock(at),
            None => Utc::now(),
        }
    }

    /// Moves a fixed clock forward (the system clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.fixed {
            *lock(at) += by;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let start = Utc::now() - Duration::days(1);
        let clock = Clock::fixed(start);
        let copy = clock.clone();
        assert_eq!(clock.now(), start);
        copy.advance(Duration::seconds(5));
        assert_eq!(clock.now(), start + Duration::seconds(5));
        assert!(Clock::system().now() > start + Duration::hours(23));
    }
}
