//! Live mail intake and its acknowledgement: the one function `hikeshi mailgate` and the IMAP
//! poller both call ([`take_mail`]), and the acknowledgement it queues in the same transaction
//! as the report.
//!
//! The acknowledgement is rendered from a plain-text minijinja template in the reporter's
//! language (`templates/mail/ack.{ja,en}.txt`), never HTML-escaped and never put into a header.
//! Headers are built by [`hikeshi_mail::OutgoingMessage`]: free text (the reporter's subject and
//! name) loses its control characters, addresses and message ids are checked, and lettre
//! encodes the rest, so a CR/LF in a hostile subject cannot add a header. Loop prevention
//! (RFC 3834, [`hikeshi_mail::should_auto_reply`]) and the per-sender limit (counted in the
//! database) decide whether one is sent at all; `hikeshi import mail` never acknowledges,
//! because it reads old mail whose senders were answered long ago, or deliberately not.

use crate::mail_config::MailConfig;
use hikeshi_domain::{Channel, ReportId};
use hikeshi_mail::{Language, Mailbox, OutgoingMessage, ParsedMail, TicketTag};
use hikeshi_store::{AckOutcome, MailAction, MailIntake, NewOutgoing, OutKind, SendLimit, Store};
use minijinja::{Environment, context};
use std::sync::OnceLock;

const ACK_JA: &str = include_str!("../templates/mail/ack.ja.txt");
const ACK_EN: &str = include_str!("../templates/mail/ack.en.txt");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Plain text: nothing to escape, and escaping would corrupt `&` in a subject.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(true);
        env.add_template("ack.ja.txt", ACK_JA)
            .expect("ack.ja.txt compiles (checked by a test)");
        env.add_template("ack.en.txt", ACK_EN)
            .expect("ack.en.txt compiles (checked by a test)");
        env
    })
}

/// What happened to one live message.
#[derive(Debug)]
pub struct Taken {
    pub report: hikeshi_domain::Report,
    pub action: MailAction,
    pub ack: AckOutcome,
}

/// Why a message was not taken in.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    /// Not a mail message; retrying will not help.
    #[error("not a mail message: {0}")]
    Unreadable(hikeshi_mail::MailError),
    /// The store failed; the message must be kept and offered again.
    #[error(transparent)]
    Store(#[from] hikeshi_store::StoreError),
}

/// Take one message in: parse, thread, store with its raw bytes and, when it opens a new
/// report and `mail` asks for it, queue the acknowledgement in the same transaction.
/// `mailbox` is the queue label of the IMAP mailbox it came from (empty for mailgate).
#[allow(clippy::too_many_arguments)]
pub async fn take_mail(
    store: &Store,
    actor: &hikeshi_domain::Actor,
    extractor: &hikeshi_ioc::Extractor,
    raw: Vec<u8>,
    mailbox: &str,
    mail: Option<&MailConfig>,
    team_name: &str,
    offset_minutes: i32,
) -> Result<Taken, TakeError> {
    let parsed = hikeshi_mail::parse(&raw).map_err(TakeError::Unreadable)?;
    let tag = TicketTag::default();
    let ticket = tag
        .find(&parsed.subject)
        .and_then(|t| i64::try_from(t).ok());
    let thread = hikeshi_mail::thread_keys(&parsed);
    let mut new = crate::intake::report_from_mail(&parsed, raw, Channel::Mail);
    new.extract_indicators(extractor);
    let mail = mail.filter(|m| m.acknowledge && m.address.contains('@'));
    let build = |id: ReportId| match mail {
        Some(m) => acknowledgement(&parsed, m, team_name, offset_minutes, id),
        None => Err("acknowledgements are off".to_owned()),
    };
    let how = MailIntake {
        ticket,
        thread_ids: &thread,
        mailbox,
        ack: mail.map(|_| &build as hikeshi_store::AckBuilder<'_>),
        ack_limit: mail.map(|m| SendLimit {
            max: m.ack_per_hour,
            window_ms: 3_600_000,
        }),
    };
    let (report, action, ack) = store.intake_mail_with(actor, new, how).await?;
    Ok(Taken {
        report,
        action,
        ack,
    })
}

/// The acknowledgement of `parsed` as report `id`, or why none is sent.
pub fn acknowledgement(
    parsed: &ParsedMail,
    mail: &MailConfig,
    team_name: &str,
    offset_minutes: i32,
    id: ReportId,
) -> Result<NewOutgoing, String> {
    let ours = mail.our_addresses();
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    hikeshi_mail::should_auto_reply(parsed, &ours).map_err(|r| r.to_string())?;
    let ticket = u64::try_from(id.0).map_err(|_| "negative ticket".to_owned())?;
    let tag = TicketTag::default();
    let body = render_ack(parsed, mail, team_name, offset_minutes, &tag, ticket)?;
    let name = if mail.display_name.is_empty() {
        team_name
    } else {
        &mail.display_name
    };
    let from = Mailbox {
        name: Some(name.to_owned()),
        address: mail.address.clone(),
    };
    let mut msg =
        OutgoingMessage::auto_reply(parsed, from, &tag, ticket, body).map_err(|e| e.to_string())?;
    let domain = mail
        .address
        .rsplit_once('@')
        .map_or("hikeshi.invalid", |(_, d)| d);
    msg.message_id = Some(format!(
        "ack.{ticket}.{}@{domain}",
        hex::encode(crate::auth::random_bytes(8))
    ));
    let raw = msg.to_bytes().map_err(|e| e.to_string())?;
    Ok(NewOutgoing {
        kind: OutKind::Ack,
        report_id: Some(id),
        incident_id: None,
        sender: mail.address.clone(),
        recipients: msg.to.iter().map(|m| m.address.clone()).collect(),
        subject: hikeshi_mail::sanitize_header_text(&msg.subject),
        lang: msg.language.as_str().to_owned(),
        message_id: msg.message_id.clone().unwrap_or_default(),
        raw,
    })
}

fn render_ack(
    parsed: &ParsedMail,
    mail: &MailConfig,
    team_name: &str,
    offset_minutes: i32,
    tag: &TicketTag,
    ticket: u64,
) -> Result<String, String> {
    let name = match parsed.language {
        Language::Ja => "ack.ja.txt",
        _ => "ack.en.txt",
    };
    let reporter = parsed
        .reply_target()
        .and_then(|m| m.name.clone())
        .map(|n| hikeshi_mail::sanitize_header_text(&n))
        .unwrap_or_default();
    let ticket_tag = tag.format(ticket);
    let tmpl = env().get_template(name).map_err(|e| e.to_string())?;
    tmpl.render(context! {
        reporter_name => reporter,
        team_name => team_name,
        ticket_tag => ticket_tag,
        subject => hikeshi_mail::sanitize_header_text(&parsed.subject),
        received => now_text(offset_minutes),
        per_hour => mail.ack_per_hour,
        from_address => mail.address,
    })
    .map_err(|e| e.to_string())
}

fn now_text(offset_minutes: i32) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::now_utc().to_offset(offset);
    let zone = if offset_minutes == 540 {
        "JST".to_owned()
    } else {
        format!(
            "UTC{:+03}:{:02}",
            offset.whole_hours(),
            offset.minutes_past_hour().abs()
        )
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} {zone}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
#[path = "ack_tests.rs"]
mod tests;
