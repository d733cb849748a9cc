//! The parsed, report-ready form of one inbound message.

use serde::{Deserialize, Serialize};

/// One mailbox: an optional display name and an address.
///
/// The address is kept as the sender wrote it (case included); comparisons that must ignore
/// case (loop prevention, our own addresses) lower-case at the comparison, not here, so what a
/// handler sees is what the reporter sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// A mailbox without display name.
    pub fn new(address: impl Into<String>) -> Self {
        Mailbox {
            name: None,
            address: address.into(),
        }
    }

    /// A mailbox with a display name.
    pub fn named(name: impl Into<String>, address: impl Into<String>) -> Self {
        Mailbox {
            name: Some(name.into()),
            address: address.into(),
        }
    }
}

/// The language a message is written in, as far as hikeshi needs to know it: which
/// template to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ja,
    #[default]
    En,
}

impl Language {
    /// The BCP 47 tag ("ja", "en"), as used in Content-Language and templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }
}

/// The header fields that decide whether an automatic answer is allowed (RFC 3834), kept
/// verbatim (trimmed) so the decision can be explained to a handler.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoopHeaders {
    /// `Auto-Submitted` (RFC 3834), e.g. `auto-replied`.
    pub auto_submitted: Option<String>,
    /// `Precedence` (de-facto), e.g. `bulk`, `list`, `junk`.
    pub precedence: Option<String>,
    /// `List-Id` (RFC 2919).
    pub list_id: Option<String>,
    /// `List-Unsubscribe` (RFC 2369) present: mail from a list even without List-Id.
    pub list_unsubscribe: bool,
    /// `X-Auto-Response-Suppress` (Microsoft), e.g. `All`, `OOF`, `AutoReply`.
    pub x_auto_response_suppress: Option<String>,
    /// Other de-facto auto-responder markers (`X-Autoreply`, `X-Autorespond`,
    /// `X-Loop`): name and value.
    pub other_auto_markers: Vec<(String, String)>,
    /// `Return-Path` as an address; `Some("")` is the null reverse-path `<>` of bounces.
    pub return_path: Option<String>,
}

/// A forwarded message or other attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// The file name the sender gave (RFC 2231/2047 decoded), if any.
    pub filename: Option<String>,
    /// `type/subtype`, lower-case; `application/octet-stream` when the part had none.
    pub content_type: String,
    /// The decoded bytes (transfer encoding removed). For text parts these are the UTF-8
    /// bytes of `text` (charset already converted); the raw message keeps the original.
    /// Not serialised: bytes belong in blob storage, not in a JSON column.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// Size of `data`, kept when `data` is not serialised.
    pub size: usize,
    /// True when the part is text worth searching for indicators (text/*, or a known text
    /// extension such as `.csv`/`.log` whose bytes are valid UTF-8).
    pub is_text: bool,
    /// The text, when `is_text`; HTML attachments are converted to plain text here.
    pub text: Option<String>,
    /// A message/rfc822 part or `.eml` file, parsed as a forwarded report.
    pub forwarded: Option<Box<ParsedMail>>,
}

/// Something the parser had to guess or skip. A warning never loses the message: the raw
/// bytes are kept by the caller and the handler sees why a part looks odd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ParseWarning {
    /// A charset no decoder knows; the bytes were read as UTF-8 with replacement characters.
    UnknownCharset { charset: String },
    /// A part whose transfer encoding or structure was broken; its raw text was kept.
    BrokenPart { part: usize },
    /// A multipart whose boundary never appears; its content was taken as the body text.
    MissingBoundary,
    /// Multipart nesting deeper than the limit; deeper parts were left out of text and
    /// attachments (they stay in the raw message).
    NestingTruncated { limit: usize },
    /// Forwarded messages nested deeper than the limit; the innermost were kept as plain
    /// attachments, not parsed.
    ForwardDepthExceeded { limit: usize },
    /// More than `limit` attached-message declarations (message/rfc822, message/global,
    /// multipart/digest); the later ones were kept as plain attachments so that hostile
    /// nesting cannot exhaust the stack.
    TooManyMessageParts { limit: usize },
    /// HTML-only message: `text` was made from HTML (scripts, styles and tags removed).
    HtmlConverted,
    /// No `Message-ID`: threading by reply headers cannot find this message later.
    MissingMessageId,
    /// No usable `From` address.
    MissingFrom,
    /// A `Date` header that could not be read.
    BadDate { value: String },
}

/// One inbound message in the form a report needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedMail {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To ids without angle brackets (usually one).
    pub in_reply_to: Vec<String>,
    /// References ids without angle brackets, oldest first as written.
    pub references: Vec<String>,
    /// Subject, RFC 2047 decoded; empty when absent.
    pub subject: String,
    pub from: Option<Mailbox>,
    pub sender: Option<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Date as unix seconds (UTC).
    pub date: Option<i64>,
    /// Date as RFC 3339 with the sender's offset, e.g. `2016-07-08T14:00:00+09:00`.
    pub date_rfc3339: Option<String>,
    pub loop_headers: LoopHeaders,
    /// The body as plain text: text/plain parts joined; HTML only when there is no
    /// text/plain, and then converted to text. Never HTML.
    pub text: String,
    /// Language of subject and text.
    pub language: Language,
    pub attachments: Vec<Attachment>,
    pub warnings: Vec<ParseWarning>,
}

impl ParsedMail {
    /// Body, text attachments and forwarded messages (recursively), each with a label, in
    /// the order a handler reads them: `(label, text)` with labels such as `body`,
    /// `attachment 2 (hits.csv)`, `forwarded 1 > body`, so a handler sees why an indicator
    /// was proposed. The server runs hikeshi-ioc's extractor over these texts.
    pub fn searchable_texts(&self) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        self.collect_texts("", &mut out);
        out
    }

    fn collect_texts<'a>(&'a self, prefix: &str, out: &mut Vec<(String, &'a str)>) {
        if !self.subject.is_empty() {
            out.push((format!("{prefix}subject"), self.subject.as_str()));
        }
        out.push((format!("{prefix}body"), self.text.as_str()));
        for (i, attachment) in self.attachments.iter().enumerate() {
            let name = attachment.filename.as_deref().unwrap_or("unnamed");
            if let Some(text) = attachment.text.as_deref().filter(|_| attachment.is_text) {
                out.push((format!("{prefix}attachment {} ({name})", i + 1), text));
            }
            if let Some(forwarded) = &attachment.forwarded {
                forwarded.collect_texts(&format!("{prefix}forwarded {} > ", i + 1), out);
            }
        }
    }

    /// Where a human answer goes: Reply-To when given, else From.
    ///
    /// Return-Path is deliberately not used: it is often a bounce-processing address (VERP),
    /// and an acknowledgement is meant for the person who wrote the report.
    pub fn reply_target(&self) -> Option<&Mailbox> {
        self.reply_to.first().or(self.from.as_ref())
    }
}
