//! The live bus: committed lines, per app, to the subscribers that are listening (the live
//! view). Publishing never waits: each subscriber has a bounded inbox, and when it falls
//! behind the oldest lines are dropped and counted, so it can say how many it missed.
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, Weak},
};

use tokio::sync::Notify;

use super::NewLine;
use crate::backend::lock;

/// A committed line as subscribers see it: the line as it was written, with its id.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveLine {
    pub id: i64,
    pub app_id: i64,
    pub line: NewLine,
}

/// What a subscriber receives next.
#[derive(Debug, PartialEq)]
pub enum Delivery {
    /// Lines, oldest first.
    Lines(Vec<Arc<LiveLine>>),
    /// This many lines were dropped because the subscriber did not keep up; the lines after
    /// them follow.
    Missed(u64),
}

pub struct LiveBus {
    capacity: usize,
    apps: Mutex<HashMap<i64, Vec<Weak<Inbox>>>>,
}

struct Inbox {
    waiting: Mutex<(VecDeque<Arc<LiveLine>>, u64)>,
    notify: Notify,
}

/// One listener on one app. Dropping it unsubscribes.
pub struct Subscription {
    inbox: Arc<Inbox>,
}

impl LiveBus {
    /// `capacity`: lines a subscriber may have waiting.
    pub fn new(capacity: usize) -> Self {
        LiveBus {
            capacity: capacity.max(1),
            apps: Mutex::new(HashMap::new()),
        }
    }

    pub fn subscribe(&self, app_id: i64) -> Subscription {
        let inbox = Arc::new(Inbox {
            waiting: Mutex::new((VecDeque::new(), 0)),
            notify: Notify::new(),
        });
        lock(&self.apps)
            .entry(app_id)
            .or_default()
            .push(Arc::downgrade(&inbox));
        Subscription { inbox }
    }

    /// Whether anyone listens to `app_id` (publishing costs nothing otherwise).
    pub fn has_subscribers(&self, app_id: i64) -> bool {
        lock(&self.apps).contains_key(&app_id)
    }

    /// Hands `lines` of `app_id` to each of its subscribers, without waiting for any.
    pub fn publish(&self, app_id: i64, lines: &[Arc<LiveLine>]) {
        let mut apps = lock(&self.apps);
        let Some(inboxes) = apps.get_mut(&app_id) else {
            return;
        };
        inboxes.retain(|inbox| {
            let Some(inbox) = inbox.upgrade() else {
                return false;
            };
            {
                let mut waiting = lock(&inbox.waiting);
                let (queue, missed) = &mut *waiting;
                queue.extend(lines.iter().cloned());
                let over = queue.len().saturating_sub(self.capacity);
                if over > 0 {
                    queue.drain(..over);
                    *missed += over as u64;
                }
            }
            inbox.notify.notify_one();
            true
        });
        if inboxes.is_empty() {
            apps.remove(&app_id);
        }
    }
}

impl Subscription {
    /// Waits for the next lines (or the count of those missed).
    pub async fn next(&mut self) -> Delivery {
        loop {
            if let Some(delivery) = self.try_next() {
                return delivery;
            }
            self.inbox.notify.notified().await;
        }
    }

    /// What is waiting now, if anything.
    pub fn try_next(&mut self) -> Option<Delivery> {
        let mut waiting = lock(&self.inbox.waiting);
        let (queue, missed) = &mut *waiting;
        if *missed > 0 {
            return Some(Delivery::Missed(std::mem::take(missed)));
        }
        (!queue.is_empty()).then(|| Delivery::Lines(queue.drain(..).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64) -> Arc<LiveLine> {
        Arc::new(LiveLine {
            id,
            app_id: 1,
            line: NewLine {
                ts: id,
                received_at: id,
                level: crate::model::Level::Info,
                service: "api".into(),
                environment: None,
                release: None,
                message: format!("line {id}"),
                attributes: "{}".into(),
                trace_id: None,
                issue_id: None,
            },
        })
    }

    fn ids(delivery: Option<Delivery>) -> Vec<i64> {
        match delivery {
            Some(Delivery::Lines(lines)) => lines.iter().map(|l| l.id).collect(),
            other => panic!("expected lines, got {other:?}"),
        }
    }

    #[test]
    fn subscribers_get_their_apps_lines_and_are_told_what_they_missed() {
        let bus = LiveBus::new(3);
        let mut first = bus.subscribe(1);
        let mut other_app = bus.subscribe(2);
        bus.publish(1, &[line(1), line(2)]);
        assert_eq!(ids(first.try_next()), vec![1, 2]);
        assert_eq!(other_app.try_next(), None);

        // A slow subscriber keeps the newest 3 and learns that 2 were dropped.
        bus.publish(1, &[line(3), line(4), line(5), line(6), line(7)]);
        assert_eq!(first.try_next(), Some(Delivery::Missed(2)));
        assert_eq!(ids(first.try_next()), vec![5, 6, 7]);
        assert_eq!(first.try_next(), None);

        // Dropping the last subscriber of an app removes the app.
        drop(first);
        bus.publish(1, &[line(8)]);
        assert!(!bus.has_subscribers(1));
        assert!(bus.has_subscribers(2));
    }

    #[tokio::test]
    async fn next_waits_for_a_publish() {
        let bus = Arc::new(LiveBus::new(10));
        let mut sub = bus.subscribe(1);
        let publisher = bus.clone();
        tokio::spawn(async move { publisher.publish(1, &[line(9)]) });
        match sub.next().await {
            Delivery::Lines(lines) => assert_eq!(lines[0].id, 9),
            other => panic!("{other:?}"),
        }
    }
}
