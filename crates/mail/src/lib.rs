//! hikeshi-mail: inbound mail into report-ready form, and the pure parts of outbound mail.
//!
//! Most reports reach a CSIRT by mail, much of it in Japanese legacy charsets. This crate
//! turns the raw bytes of one message into a [`ParsedMail`]: ids for threading, decoded
//! subject and addresses, the body as plain text (HTML-only mail converted, never passed
//! through), the language to answer in, attachments (forwarded `.eml` reports parsed
//! recursively), the headers loop prevention needs, and warnings for whatever had to be
//! guessed. It never re-serialises: the caller keeps the raw bytes.
//!
//! Main pieces:
//! - [`parse`] / [`parse_with`] and [`ParseOptions`]: bytes → [`ParsedMail`];
//! - [`TicketTag`] and [`thread_keys`]: which report a reply joins;
//! - [`should_auto_reply`] and [`NoReplyReason`]: RFC 3834 loop prevention;
//! - [`OutgoingMessage`]: an answer with checked headers, as lettre's message or RFC 5322
//!   bytes (sending is the server's);
//! - [`split_mbox`], [`read_maildir`], [`detect_source`]: mailbox files for imports.
//!
//! Indicator extraction is not done here: the server runs hikeshi-ioc's extractor over
//! [`ParsedMail::searchable_texts`] (subject, body, text attachments, forwarded messages,
//! each labelled), so one extractor serves every source.
//!
//! ```
//! use hikeshi_mail::{parse, should_auto_reply, Language, OutgoingMessage, Mailbox, TicketTag};
//!
//! let raw = b"From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n\
//! Subject: =?ISO-2022-JP?B?GyRCOTY3YhsoQg==?=\r\n\
//! Message-ID: <r1@example.jp>\r\n\
//! Content-Type: text/plain; charset=ISO-2022-JP\r\n\
//! \r\n\
//! \x1b$B$3$s$K$A$O\x1b(B hxxp://evil[.]example/\r\n";
//! let mail = parse(raw).unwrap();
//! assert_eq!(mail.subject, "攻撃");
//! assert_eq!(mail.text, "こんにちは hxxp://evil[.]example/\n");
//! assert_eq!(mail.language, Language::Ja);
//! assert!(should_auto_reply(&mail, &["csirt@example.org"]).is_ok());
//!
//! let tag = TicketTag::default();
//! let ack = OutgoingMessage::auto_reply(
//!     &mail, Mailbox::new("csirt@example.org"), &tag, 42, "受け付けました。").unwrap();
//! assert_eq!(ack.subject, "Re: [hikeshi #42] 攻撃");
//! assert_eq!(ack.in_reply_to.as_deref(), Some("r1@example.jp"));
//! let bytes = ack.to_bytes().unwrap();
//! assert_eq!(tag.find(&parse(&bytes).unwrap().subject), Some(42));
//! ```

mod charset;
mod guard;
mod headers;
mod html;
mod lang;
mod loops;
mod mailbox;
mod model;
mod outgoing;
mod parse;
mod thread;

pub use html::html_to_text;
pub use lang::detect_language;
pub use loops::{NoReplyReason, should_auto_reply};
pub use mailbox::{
    MailSource, MailboxError, MaildirMessage, MboxFormat, MboxMessage, MboxReader, detect_source,
    maildir_paths, open_mbox, read_maildir, split_mbox,
};
pub use model::{Attachment, Language, LoopHeaders, Mailbox, ParseWarning, ParsedMail};
pub use outgoing::{AutoSubmitted, OutgoingAttachment, OutgoingMessage, sanitize_header_text};
pub use parse::{ParseOptions, parse, parse_with};
pub use thread::{TicketTag, thread_keys};

/// Why a message could not be parsed or built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    #[error("empty message")]
    Empty,
    #[error("message of {size} bytes is larger than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("not a mail message: no header fields found")]
    NoHeaders,
    #[error("invalid mail address {value:?}")]
    InvalidAddress { value: String },
    #[error("invalid message id {value:?}")]
    InvalidMessageId { value: String },
    #[error("invalid content type {value:?}")]
    InvalidContentType { value: String },
    #[error("no recipient to send to")]
    NoRecipient,
    #[error("could not build the message: {0}")]
    Build(String),
}
