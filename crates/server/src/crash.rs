//! Crash points for the kill-at-each-step tests of "nothing acknowledged is ever lost": when
//! the command line names one (`HIKESHI_CRASH_AT`, read by the `cli` crate and handed over
//! with [`arm`]), the process aborts the moment it reaches that point, as a power cut or a
//! `kill -9` would stop it there. Unarmed (always, outside those tests) a point costs one
//! atomic load.
//!
//! Points: `imap.fetched` (a message read, nothing stored), `imap.committed` (its report and
//! acknowledgement committed, the message not yet `\Seen`), `imap.flagged` (flag set),
//! `mail.sent` (the SMTP server accepted a queued message, not yet recorded as sent).

use std::sync::OnceLock;

static ARMED: OnceLock<String> = OnceLock::new();

/// Abort at the point named `at` (once per process; later calls are ignored).
pub fn arm(at: &str) {
    let _ = ARMED.set(at.to_owned());
}

/// A point the process may be told to die at.
pub fn point(here: &str) {
    if ARMED.get().is_some_and(|a| a == here) {
        eprintln!("hikeshi: crash point {here} reached: aborting (HIKESHI_CRASH_AT)");
        std::process::abort();
    }
}
