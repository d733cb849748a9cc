//! The audit log's hash chain (DESIGN.md §3 rule 4): each entry's hash covers its content and the
//! previous entry's hash, so changing, removing or reordering an entry breaks the chain at a
//! place [`verify_chain`] names.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that stands before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// 1, 2, 3… with no gaps.
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// Who: `user:3`, `token:7`, `system`, `public` (the report form), `cli`.
    pub actor: String,
    /// What: `report.create`, `incident.phase`, …
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// JSON text with the details of the change.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry's content chained to `prev_hash`. Fields are separated by a byte that
/// cannot appear in any of them unescaped (0x1f), so moving text between fields changes the hash.
pub fn entry_hash(
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: &str,
    detail: &str,
    prev_hash: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        seq.to_string().as_str(),
        at.to_string().as_str(),
        actor,
        action,
        object_type,
        object_id,
        detail,
        prev_hash,
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            self.at,
            &self.actor,
            &self.action,
            &self.object_type,
            &self.object_id,
            &self.detail,
            &self.prev_hash,
        )
    }
}

/// What is wrong with the chain, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("audit entry {seq}: its content was changed (stored hash does not match its content)")]
    Changed { seq: i64 },
    #[error("audit entry {expected} is missing (the entry after {previous} is {found})")]
    Removed {
        expected: i64,
        previous: i64,
        found: i64,
    },
    #[error(
        "audit entry {seq}: out of order (it does not follow the entry before it in the chain)"
    )]
    Reordered { seq: i64 },
    #[error(
        "audit log ends at entry {last} but the chain head says {head}: entries at the end were removed"
    )]
    Truncated { last: i64, head: i64 },
}

/// Check a whole chain, in stored order. `head` is the (seq, hash) the store keeps separately
/// as the chain's head, so that removing the newest entries is detected too.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
    head: (i64, &str),
) -> Result<i64, ChainError> {
    let mut prev_seq = 0;
    let mut prev_hash = GENESIS.to_owned();
    for e in entries {
        if e.seq != prev_seq + 1 {
            return Err(if e.seq > prev_seq + 1 {
                ChainError::Removed {
                    expected: prev_seq + 1,
                    previous: prev_seq,
                    found: e.seq,
                }
            } else {
                ChainError::Reordered { seq: e.seq }
            });
        }
        if e.computed_hash() != e.hash {
            return Err(ChainError::Changed { seq: e.seq });
        }
        if e.prev_hash != prev_hash {
            return Err(ChainError::Reordered { seq: e.seq });
        }
        prev_seq = e.seq;
        prev_hash.clone_from(&e.hash);
    }
    if prev_seq != head.0 || (head.0 > 0 && prev_hash != head.1) {
        return Err(ChainError::Truncated {
            last: prev_seq,
            head: head.0,
        });
    }
    Ok(prev_seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let mut e = AuditEntry {
                seq,
                at: 1000 + seq,
                actor: "user:1".into(),
                action: "incident.update".into(),
                object_type: "incident".into(),
                object_id: seq.to_string(),
                detail: format!("{{\"n\":{seq}}}"),
                prev_hash: prev,
                hash: String::new(),
            };
            e.hash = e.computed_hash();
            out.push(e);
        }
        out
    }

    fn head(c: &[AuditEntry]) -> (i64, &str) {
        c.last().map_or((0, GENESIS), |e| (e.seq, e.hash.as_str()))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(&c, head(&c)), Ok(5));
        assert_eq!(verify_chain(&[], (0, GENESIS)), Ok(0));
    }

    #[test]
    fn a_changed_entry_is_named() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        c[2].detail = "{\"n\":99}".into();
        assert_eq!(
            verify_chain(&c, (h.0, &h.1)),
            Err(ChainError::Changed { seq: 3 })
        );
    }

    #[test]
    fn a_changed_entry_with_recomputed_hash_breaks_the_next_link() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        c[2].detail = "{\"n\":99}".into();
        c[2].hash = c[2].computed_hash();
        assert_eq!(
            verify_chain(&c, (h.0, &h.1)),
            Err(ChainError::Reordered { seq: 4 })
        );
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        c.remove(1);
        assert_eq!(
            verify_chain(&c, (h.0, &h.1)),
            Err(ChainError::Removed {
                expected: 2,
                previous: 1,
                found: 3
            })
        );
    }

    #[test]
    fn swapped_entries_are_named() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        // Swap content but keep the sequence numbers in place, as an attacker editing rows would.
        let (a, b) = (c[1].clone(), c[2].clone());
        c[1] = AuditEntry { seq: 2, ..b };
        c[2] = AuditEntry { seq: 3, ..a };
        assert_eq!(
            verify_chain(&c, (h.0, &h.1)),
            Err(ChainError::Changed { seq: 2 })
        );
    }

    #[test]
    fn removing_the_newest_entries_is_detected_through_the_head() {
        let mut c = chain(5);
        let h = (5, c[4].hash.clone());
        c.truncate(3);
        assert_eq!(
            verify_chain(&c, (h.0, &h.1)),
            Err(ChainError::Truncated { last: 3, head: 5 })
        );
    }
}

/// Who made a change, as written into the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person.
    User(crate::UserId),
    /// A person acting through one of their API tokens.
    Token { user: crate::UserId, token: i64 },
    /// The public report form (no login).
    Public,
    /// The command line on the server machine.
    Cli,
    /// hikeshi itself (first-run setup, background jobs).
    System,
}

impl Actor {
    /// The user behind the change, when there is one.
    pub fn user(&self) -> Option<crate::UserId> {
        match self {
            Actor::User(u) | Actor::Token { user: u, .. } => Some(*u),
            _ => None,
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User(u) => write!(f, "user:{}", u.0),
            Actor::Token { user, token } => write!(f, "user:{}/token:{token}", user.0),
            Actor::Public => f.write_str("public"),
            Actor::Cli => f.write_str("cli"),
            Actor::System => f.write_str("system"),
        }
    }
}
