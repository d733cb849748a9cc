//! Inbound mail: raw RFC 5322 bytes → [`ParsedMail`].
//!
//! MIME structure, transfer encodings, RFC 2047/2231 and the Japanese charsets are decoded by
//! `mail-parser` (its `full_encoding` feature brings encoding_rs for ISO-2022-JP, Shift_JIS/
//! CP932 and EUC-JP). This module decides what a report needs from that: which text is the
//! body, what is an attachment, what is a forwarded report, and what went wrong.

use std::borrow::Cow;

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::MailError;
use crate::charset::{fallback_encoding, known_to_parser, redecode_part, redecode_subject};
use crate::guard::{MAX_MESSAGE_DECLARATIONS, defuse_message_nesting};
use crate::headers::{first_mailbox, ids, loop_headers, mailboxes, raw_header};
use crate::html::html_to_text;
use crate::lang::detect_language;
use crate::model::{Attachment, ParseWarning, ParsedMail};

/// Limits that keep hostile input from costing more than a report is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Larger input is refused with [`MailError::TooLarge`] before parsing. The default
    /// (128 MiB) admits a 50 MB attachment in base64 (≈ 68 MB) with room to spare.
    pub max_input_bytes: usize,
    /// Multipart nesting deeper than this is left out of text and attachments and flagged
    /// ([`ParseWarning::NestingTruncated`]). Real mail rarely nests beyond 5.
    pub max_multipart_depth: usize,
    /// How many levels of forwarded messages (message/rfc822, `.eml`) are parsed; deeper
    /// ones are kept as plain attachments ([`ParseWarning::ForwardDepthExceeded`]).
    pub max_forward_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_input_bytes: 128 * 1024 * 1024,
            max_multipart_depth: 16,
            max_forward_depth: 3,
        }
    }
}

/// Parses one message with the default [`ParseOptions`].
pub fn parse(raw: &[u8]) -> Result<ParsedMail, MailError> {
    parse_with(raw, &ParseOptions::default())
}

/// Parses one message with explicit limits.
pub fn parse_with(raw: &[u8], options: &ParseOptions) -> Result<ParsedMail, MailError> {
    parse_at_depth(raw, options, 0)
}

fn parse_at_depth(
    raw: &[u8],
    options: &ParseOptions,
    depth: usize,
) -> Result<ParsedMail, MailError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(MailError::Empty);
    }
    if raw.len() > options.max_input_bytes {
        return Err(MailError::TooLarge {
            size: raw.len(),
            limit: options.max_input_bytes,
        });
    }
    let defused = defuse_message_nesting(raw, MAX_MESSAGE_DECLARATIONS);
    let message = MessageParser::default()
        .parse(defused.as_deref().unwrap_or(raw))
        .ok_or(MailError::NoHeaders)?;
    // mail-parser is lenient: arbitrary bytes become a message whose "headers" are junk. A
    // report needs at least one header we recognise, or it is not mail at all.
    if message.headers().iter().all(|h| h.name.is_other()) {
        return Err(MailError::NoHeaders);
    }
    let mut mail = convert(&message, message.raw_message(), options, depth);
    if defused.is_some() {
        mail.warnings.push(ParseWarning::TooManyMessageParts {
            limit: MAX_MESSAGE_DECLARATIONS,
        });
    }
    Ok(mail)
}

/// `base` is the buffer all part and header offsets of `message` point into: the input for
/// the outermost message and for messages attached in place, and the decoded bytes for a
/// message that was attached base64- or quoted-printable-encoded (mail-parser parses those
/// from their own buffer).
fn convert(message: &Message<'_>, base: &[u8], options: &ParseOptions, depth: usize) -> ParsedMail {
    let mut warnings = Vec::new();
    let part_depths = part_depths(message);
    let too_deep = |id: u32| {
        part_depths
            .get(id as usize)
            .is_some_and(|&d| d > options.max_multipart_depth)
    };
    if part_depths.iter().any(|&d| d > options.max_multipart_depth) {
        warnings.push(ParseWarning::NestingTruncated {
            limit: options.max_multipart_depth,
        });
    }
    charset_warnings(message, &mut warnings);

    let message_id = message.message_id().map(str::to_owned);
    if message_id.is_none() {
        warnings.push(ParseWarning::MissingMessageId);
    }
    let from = message.from().and_then(first_mailbox);
    if from.is_none() {
        warnings.push(ParseWarning::MissingFrom);
    }
    let (date, date_rfc3339) = match message.date() {
        Some(d) if d.is_valid() => (Some(d.to_timestamp()), Some(d.to_rfc3339())),
        _ => {
            if let Some(value) = raw_header(message, base, "Date") {
                warnings.push(ParseWarning::BadDate {
                    value: value.trim().to_owned(),
                });
            }
            (None, None)
        }
    };

    let mut text = body_text(message, base, &too_deep, &mut warnings);
    let mut attachments = attachments(message, base, options, depth, &too_deep, &mut warnings);
    // A multipart whose boundary never appears comes back from mail-parser as one text
    // "attachment" typed multipart/*: it is the body the sender meant.
    if text.trim().is_empty()
        && let Some(pos) = attachments
            .iter()
            .position(|a| a.is_text && a.content_type.starts_with("multipart/"))
    {
        let broken = attachments.remove(pos);
        text = broken.text.unwrap_or_default().replace("\r\n", "\n");
        warnings.push(ParseWarning::MissingBoundary);
    }
    let subject = redecode_subject(message, base)
        .unwrap_or_else(|| message.subject().unwrap_or_default().trim().to_owned());
    let language = detect_language(&format!("{subject}\n{text}"));
    for part in message.parts.iter().enumerate() {
        if part.1.is_encoding_problem {
            warnings.push(ParseWarning::BrokenPart { part: part.0 });
        }
    }

    ParsedMail {
        message_id,
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        subject,
        from,
        sender: message.sender().and_then(first_mailbox),
        reply_to: mailboxes(message.reply_to()),
        to: mailboxes(message.to()),
        cc: mailboxes(message.cc()),
        date,
        date_rfc3339,
        loop_headers: loop_headers(message, base),
        text,
        language,
        attachments,
        warnings,
    }
}

/// Depth of each part below the root, walking Multipart children with an explicit stack so
/// hostile nesting cannot overflow ours (mail-parser itself does not recurse on multiparts).
fn part_depths(message: &Message<'_>) -> Vec<usize> {
    let mut depths = vec![0usize; message.parts.len()];
    let mut stack = vec![(0u32, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        depths[id as usize] = depth;
        if let PartType::Multipart(children) = &part.body {
            // Children always have larger ids than their parent; the check makes a
            // malformed tree terminate instead of looping.
            stack.extend(
                children
                    .iter()
                    .filter(|&&c| c > id)
                    .map(|&c| (c, depth + 1)),
            );
        }
    }
    depths
}

/// One warning per distinct unknown charset, at most `MAX_CHARSET_WARNINGS`: a hostile
/// message with a million parts and as many invented charsets must not cost quadratic time
/// or a million warnings.
fn charset_warnings(message: &Message<'_>, warnings: &mut Vec<ParseWarning>) {
    const MAX_CHARSET_WARNINGS: usize = 16;
    let mut seen = std::collections::BTreeSet::new();
    for part in &message.parts {
        let Some(charset) = part.content_type().and_then(|ct| ct.attribute("charset")) else {
            continue;
        };
        if known_to_parser(charset) || fallback_encoding(charset).is_some() {
            continue;
        }
        if seen.len() < MAX_CHARSET_WARNINGS && seen.insert(charset.to_owned()) {
            warnings.push(ParseWarning::UnknownCharset {
                charset: charset.to_owned(),
            });
        }
    }
}

/// text/plain parts joined; HTML only where mail-parser found no plain alternative (it then
/// lists the HTML part among the text bodies), and converted so HTML never reaches a report.
fn body_text(
    message: &Message<'_>,
    base: &[u8],
    too_deep: &dyn Fn(u32) -> bool,
    warnings: &mut Vec<ParseWarning>,
) -> String {
    let mut pieces: Vec<Cow<'_, str>> = Vec::new();
    let mut converted = false;
    for &id in message.text_body.iter().filter(|&&id| !too_deep(id)) {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        match &part.body {
            PartType::Text(text) => match redecode_part(base, part) {
                Some(redecoded) => pieces.push(Cow::Owned(redecoded)),
                None => pieces.push(Cow::Borrowed(text.as_ref())),
            },
            PartType::Html(html) => {
                converted = true;
                pieces.push(Cow::Owned(html_to_text(html)));
            }
            _ => {}
        }
    }
    if converted {
        warnings.push(ParseWarning::HtmlConverted);
    }
    let mut text = pieces.join("\n");
    // One line-ending convention for everything downstream (extractor line numbers, diffs).
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    text
}

fn attachments(
    message: &Message<'_>,
    base: &[u8],
    options: &ParseOptions,
    depth: usize,
    too_deep: &dyn Fn(u32) -> bool,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<Attachment> {
    let mut out = Vec::new();
    for &id in message.attachments.iter().filter(|&&id| !too_deep(id)) {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let filename = part.attachment_name().map(str::to_owned);
        let content_type = part
            .content_type()
            .map(|ct| match &ct.c_subtype {
                Some(sub) => format!("{}/{}", ct.c_type, sub),
                None => ct.c_type.to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_owned())
            .to_ascii_lowercase();
        let mut attachment = Attachment {
            filename,
            content_type,
            data: Vec::new(),
            size: 0,
            is_text: false,
            text: None,
            forwarded: None,
        };
        match &part.body {
            PartType::Message(inner) => {
                // mail-parser gives an attached message exactly its own bytes (a slice of
                // the input, or the decoded buffer when it was transfer-encoded).
                attachment.data = inner.raw_message().to_vec();
                if depth < options.max_forward_depth {
                    let inner_base = if part.encoding == mail_parser::Encoding::None {
                        base
                    } else {
                        inner.raw_message()
                    };
                    let forwarded = convert(inner, inner_base, options, depth + 1);
                    attachment.forwarded = Some(Box::new(forwarded));
                } else {
                    push_once(warnings, forward_warning(options));
                }
            }
            PartType::Text(text) => {
                let text = redecode_part(base, part).unwrap_or_else(|| text.to_string());
                attachment.data = text.as_bytes().to_vec();
                attachment.is_text = true;
                attachment.text = Some(text);
            }
            PartType::Html(html) => {
                attachment.data = html.as_bytes().to_vec();
                attachment.is_text = true;
                attachment.text = Some(html_to_text(html));
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                attachment.data = bytes.to_vec();
                binary_attachment(&mut attachment, options, depth, warnings);
            }
            PartType::Multipart(_) => continue,
        }
        attachment.size = attachment.data.len();
        out.push(attachment);
    }
    out
}

/// A binary part may still be a forwarded message (an `.eml` sent as octet-stream, or a
/// message/rfc822 mail-parser gave up on) or text with a text file name.
fn binary_attachment(
    attachment: &mut Attachment,
    options: &ParseOptions,
    depth: usize,
    warnings: &mut Vec<ParseWarning>,
) {
    let name = attachment
        .filename
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let looks_like_mail = attachment.content_type == "message/rfc822" || name.ends_with(".eml");
    if looks_like_mail {
        if depth < options.max_forward_depth {
            attachment.forwarded = parse_at_depth(&attachment.data, options, depth + 1)
                .ok()
                .map(Box::new);
        } else {
            push_once(warnings, forward_warning(options));
        }
        return;
    }
    const TEXT_EXTENSIONS: [&str; 9] = [
        ".txt", ".csv", ".tsv", ".log", ".json", ".jsonl", ".xml", ".ioc", ".md",
    ];
    if TEXT_EXTENSIONS.iter().any(|ext| name.ends_with(ext))
        && let Ok(text) = std::str::from_utf8(&attachment.data)
    {
        attachment.is_text = true;
        attachment.text = Some(text.to_owned());
    }
}

fn forward_warning(options: &ParseOptions) -> ParseWarning {
    ParseWarning::ForwardDepthExceeded {
        limit: options.max_forward_depth,
    }
}

fn push_once(warnings: &mut Vec<ParseWarning>, warning: ParseWarning) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}
