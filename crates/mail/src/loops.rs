//! Loop prevention (RFC 3834): when an automatic answer must not be sent.
//!
//! Two auto-responders that answer each other fill both mailboxes within minutes, and a
//! CSIRT's acknowledgement to a mailing list reaches hundreds of people. Every rule below
//! errs towards silence: a missed acknowledgement costs a reporter a wait, a loop costs
//! everyone. The per-sender rate limit that backs these rules up lives in the server, which
//! knows the history.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Mailbox, ParsedMail};

/// Why no automatic answer is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum NoReplyReason {
    /// `Auto-Submitted` other than `no` (RFC 3834 §5).
    AutoSubmitted(String),
    /// `Precedence: bulk | list | junk`.
    Precedence(String),
    /// `List-Id` or `List-Unsubscribe`: the message came through a mailing list.
    MailingList(String),
    /// `X-Auto-Response-Suppress` asks for no auto-replies (Exchange).
    Suppressed(String),
    /// `X-Autoreply`, `X-Autorespond`, `X-Loop`: another responder's marker.
    AutoResponderMarker(String),
    /// `Return-Path: <>`: a bounce or other delivery notification.
    NullReturnPath,
    /// The answer would go to a system address (MAILER-DAEMON, postmaster, noreply …).
    SystemAddress(String),
    /// The message is ours, or the answer would go to us.
    OwnAddress(String),
    /// There is no address to answer.
    NoRecipient,
}

impl fmt::Display for NoReplyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoReplyReason::AutoSubmitted(v) => write!(f, "Auto-Submitted: {v}"),
            NoReplyReason::Precedence(v) => write!(f, "Precedence: {v}"),
            NoReplyReason::MailingList(v) => write!(f, "mailing list ({v})"),
            NoReplyReason::Suppressed(v) => write!(f, "X-Auto-Response-Suppress: {v}"),
            NoReplyReason::AutoResponderMarker(v) => write!(f, "auto-responder marker {v}"),
            NoReplyReason::NullReturnPath => write!(f, "null Return-Path (bounce)"),
            NoReplyReason::SystemAddress(a) => write!(f, "system address {a}"),
            NoReplyReason::OwnAddress(a) => write!(f, "our own address {a}"),
            NoReplyReason::NoRecipient => write!(f, "no address to answer"),
        }
    }
}

/// Local parts that belong to machines, not people (compared without `-`, `_`, `.`).
const SYSTEM_LOCAL_PARTS: [&str; 9] = [
    "mailerdaemon",
    "postmaster",
    "noreply",
    "donotreply",
    "nobody",
    "bounce",
    "bounces",
    "listserv",
    "majordomo",
];

/// `Ok(())` when an automatic answer (acknowledgement) may be sent to
/// [`ParsedMail::reply_target`]; otherwise the first reason found.
///
/// `our_addresses` are the addresses hikeshi sends from or receives at; compared
/// case-insensitively.
pub fn should_auto_reply(mail: &ParsedMail, our_addresses: &[&str]) -> Result<(), NoReplyReason> {
    let h = &mail.loop_headers;
    if let Some(value) = &h.auto_submitted {
        // RFC 3834 §5.1: "no" is the only value that marks a human-sent message; a
        // parameter such as `no; comment` still counts as no.
        let keyword = value.split(';').next().unwrap_or("").trim();
        if !keyword.eq_ignore_ascii_case("no") {
            return Err(NoReplyReason::AutoSubmitted(value.clone()));
        }
    }
    if let Some(value) = &h.precedence {
        let v = value.trim().to_ascii_lowercase();
        if matches!(v.as_str(), "bulk" | "list" | "junk" | "auto_reply") {
            return Err(NoReplyReason::Precedence(value.clone()));
        }
    }
    if let Some(list_id) = &h.list_id {
        return Err(NoReplyReason::MailingList(list_id.clone()));
    }
    if h.list_unsubscribe {
        return Err(NoReplyReason::MailingList("List-Unsubscribe".to_owned()));
    }
    if let Some(value) = &h.x_auto_response_suppress {
        let suppressed = value.split(',').map(str::trim).any(|v| {
            ["all", "autoreply", "oof"]
                .iter()
                .any(|s| v.eq_ignore_ascii_case(s))
        });
        if suppressed {
            return Err(NoReplyReason::Suppressed(value.clone()));
        }
    }
    if let Some((name, value)) = h.other_auto_markers.first() {
        return Err(NoReplyReason::AutoResponderMarker(format!(
            "{name}: {value}"
        )));
    }
    if h.return_path.as_deref().is_some_and(str::is_empty) {
        return Err(NoReplyReason::NullReturnPath);
    }
    let is_ours = |address: &str| {
        our_addresses
            .iter()
            .any(|ours| ours.trim().eq_ignore_ascii_case(address.trim()))
    };
    // Our own message coming back (a copy, a bounce of a forward) is checked on From and
    // Sender; the reply target on top, because a Reply-To pointing at us would make us
    // answer ourselves.
    let senders = mail.from.iter().chain(mail.sender.iter());
    for mailbox in senders.chain(mail.reply_target()) {
        if is_ours(&mailbox.address) {
            return Err(NoReplyReason::OwnAddress(mailbox.address.clone()));
        }
        if is_system_address(mailbox) {
            return Err(NoReplyReason::SystemAddress(mailbox.address.clone()));
        }
    }
    if let Some(return_path) = &h.return_path
        && is_system_address(&Mailbox::new(return_path.as_str()))
    {
        return Err(NoReplyReason::SystemAddress(return_path.clone()));
    }
    match mail.reply_target() {
        Some(_) => Ok(()),
        None => Err(NoReplyReason::NoRecipient),
    }
}

fn is_system_address(mailbox: &Mailbox) -> bool {
    let local = mailbox
        .address
        .rsplit_once('@')
        .map_or(mailbox.address.as_str(), |(local, _)| local);
    // `bounces+abc=example.org@` (VERP) and `owner-list@` carry the role before a separator.
    let local = local
        .split('+')
        .next()
        .unwrap_or(local)
        .to_ascii_lowercase();
    if local.starts_with("owner-") || local.ends_with("-request") || local.ends_with("-bounces") {
        return true;
    }
    let squeezed: String = local
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .collect();
    SYSTEM_LOCAL_PARTS.contains(&squeezed.as_str())
}
