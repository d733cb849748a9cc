//! What each configured IMAP mailbox's poller last did, for the administration page, and a
//! way to make a poller look now instead of at its next interval. Kept in memory per node:
//! it describes this process's pollers, and starts empty at each start.

use crate::imap_poll::Polled;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// One mailbox's poller, as last seen.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BoxState {
    /// When the last poll ended (ms since the epoch).
    pub last_poll_at: Option<i64>,
    /// When a poll last succeeded.
    pub last_ok_at: Option<i64>,
    /// The last poll's error, if it failed.
    pub last_error: Option<String>,
    pub polls: u64,
    pub failures: u64,
    /// Messages taken in since start: new reports, follow-ups joined to a report, duplicates.
    pub new: u64,
    pub joined: u64,
    pub duplicate: u64,
    /// Left unseen because they could not be read as mail.
    pub unreadable: u64,
}

/// Every mailbox's state and wake-up signal, keyed by the mailbox label.
#[derive(Debug, Default)]
pub struct MailStatus {
    boxes: Mutex<BTreeMap<String, BoxState>>,
    wake: BTreeMap<String, Arc<Notify>>,
}

impl MailStatus {
    pub fn new<'a>(labels: impl IntoIterator<Item = &'a str>) -> MailStatus {
        let mut s = MailStatus::default();
        for l in labels {
            s.wake.insert(l.to_owned(), Arc::new(Notify::new()));
        }
        s
    }

    /// The signal that wakes `label`'s poller; `None` for a mailbox not configured.
    pub fn waker(&self, label: &str) -> Option<Arc<Notify>> {
        self.wake.get(label).cloned()
    }

    /// Ask `label`'s poller to poll now. False when no such mailbox is configured.
    pub fn poll_now(&self, label: &str) -> bool {
        match self.wake.get(label) {
            Some(n) => {
                n.notify_one();
                true
            }
            None => false,
        }
    }

    /// Record the outcome of one poll.
    pub fn record(&self, label: &str, at: i64, outcome: &Result<Polled, String>) {
        let mut boxes = self.boxes.lock().unwrap_or_else(|e| e.into_inner());
        let b = boxes.entry(label.to_owned()).or_default();
        b.last_poll_at = Some(at);
        b.polls += 1;
        match outcome {
            Ok(p) => {
                b.last_ok_at = Some(at);
                b.last_error = None;
                b.new += p.new as u64;
                b.joined += p.joined as u64;
                b.duplicate += p.duplicate as u64;
                b.unreadable += p.unreadable as u64;
            }
            Err(e) => {
                b.failures += 1;
                b.last_error = Some(e.clone());
            }
        }
    }

    /// `label`'s state; the default (never polled) when it has not run yet.
    pub fn get(&self, label: &str) -> BoxState {
        let boxes = self.boxes.lock().unwrap_or_else(|e| e.into_inner());
        boxes.get(label).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_successes_failures_and_wakes_only_known_mailboxes() {
        let s = MailStatus::new(["abuse"]);
        assert!(s.get("abuse").last_poll_at.is_none());
        let p = Polled {
            new: 2,
            joined: 1,
            duplicate: 0,
            unreadable: 1,
        };
        s.record("abuse", 10, &Ok(p));
        s.record("abuse", 20, &Err("login as x: NO".into()));
        let b = s.get("abuse");
        assert_eq!((b.last_poll_at, b.last_ok_at), (Some(20), Some(10)));
        assert_eq!(
            (b.polls, b.failures, b.new, b.joined, b.unreadable),
            (2, 1, 2, 1, 1)
        );
        assert_eq!(b.last_error.as_deref(), Some("login as x: NO"));
        s.record("abuse", 30, &Ok(Polled::default()));
        assert!(
            s.get("abuse").last_error.is_none(),
            "a success clears the error"
        );
        assert!(s.poll_now("abuse"));
        assert!(!s.poll_now("other"));
    }
}
