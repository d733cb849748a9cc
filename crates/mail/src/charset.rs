//! Charset labels mail-parser does not know, decoded with encoding_rs.
//!
//! mail-parser maps the WHATWG labels and many aliases, but not every label Japanese software
//! writes: Python's codec names (`cp932`), Microsoft's code page numbers (`cp51932`,
//! `cp50220`) and the `-ms` variants. For those the part or header is decoded again from the
//! raw bytes here, instead of being shown as replacement characters.

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, SHIFT_JIS};
use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;
use mail_parser::{Message, MessagePart, MimeHeaders};

use crate::headers::raw_header;

/// The encoding for a label mail-parser lacks, if we know it.
pub(crate) fn fallback_encoding(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches('"').to_ascii_lowercase();
    match label.as_str() {
        "cp932" | "x-ms-cp932" | "ibm-943" | "ibm943" | "cswindows31j" | "shift_jisx0213" => {
            Some(SHIFT_JIS)
        }
        "cp51932" | "eucjp-ms" | "eucjp-open" | "euc-jp-ms" | "euc-jisx0213" => Some(EUC_JP),
        "cp50220" | "cp50221" | "cp50222" | "iso-2022-jp-1" | "iso-2022-jp-2" | "iso-2022-jp-3"
        | "iso-2022-jp-ms" => Some(ISO_2022_JP),
        _ => Encoding::for_label(label.as_bytes()),
    }
}

/// Whether mail-parser decodes this label itself.
pub(crate) fn known_to_parser(label: &str) -> bool {
    charset_decoder(label.as_bytes()).is_some()
        || matches!(
            label.to_ascii_lowercase().as_str(),
            "utf-8" | "utf8" | "us-ascii" | "ascii"
        )
}

/// The text of a part whose charset only the fallback knows, decoded from the raw bytes.
/// `base` is the buffer the part's offsets point into (see `parse::convert`).
pub(crate) fn redecode_part(base: &[u8], part: &MessagePart<'_>) -> Option<String> {
    let label = part.content_type()?.attribute("charset")?;
    if known_to_parser(label) {
        return None;
    }
    let encoding = fallback_encoding(label)?;
    let raw = base.get(part.offset_body as usize..part.offset_end as usize)?;
    let bytes = match part.encoding {
        mail_parser::Encoding::Base64 => base64_decode(&strip_whitespace(raw))?,
        mail_parser::Encoding::QuotedPrintable => quoted_printable_decode(raw)?,
        mail_parser::Encoding::None => raw.to_vec(),
    };
    Some(encoding.decode(&bytes).0.into_owned())
}

/// The Subject decoded again when one of its RFC 2047 words uses a fallback-only charset.
pub(crate) fn redecode_subject(message: &Message<'_>, base: &[u8]) -> Option<String> {
    let raw = raw_header(message, base, "Subject")?;
    let mut out = String::new();
    let mut rest = raw.trim();
    let mut used_fallback = false;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let gap = &rest[..start];
        // Whitespace between two encoded words is folding, not text (RFC 2047 §6.2).
        if !(last_was_word && gap.trim().is_empty()) {
            out.push_str(&unfold(gap));
        }
        let word = &rest[start + 2..];
        let Some((decoded, fallback, len)) = decode_word(word) else {
            out.push_str("=?");
            rest = word;
            last_was_word = false;
            continue;
        };
        used_fallback |= fallback;
        out.push_str(&decoded);
        rest = &word[len..];
        last_was_word = true;
    }
    out.push_str(&unfold(rest));
    used_fallback.then(|| out.trim().to_owned())
}

/// Decodes `charset?B|Q?text?=` at the start of `word`; returns the text, whether the
/// fallback decoded it, and the length consumed.
fn decode_word(word: &str) -> Option<(String, bool, usize)> {
    let mut fields = word.splitn(3, '?');
    let charset = fields.next()?;
    let charset = charset.split('*').next().unwrap_or(charset); // RFC 2231 language suffix
    let kind = fields.next()?;
    let tail = fields.next()?;
    let end = tail.find("?=")?;
    let text = &tail[..end];
    let bytes = match kind {
        "B" | "b" => base64_decode(text.as_bytes())?,
        "Q" | "q" => quoted_printable_decode(text.replace('_', " ").as_bytes())?,
        _ => return None,
    };
    let consumed = word.len() - tail.len() + end + 2;
    if let Some(decoder) = charset_decoder(charset.as_bytes()) {
        return Some((decoder(&bytes), false, consumed));
    }
    let encoding = fallback_encoding(charset)?;
    Some((encoding.decode(&bytes).0.into_owned(), true, consumed))
}

fn unfold(text: &str) -> String {
    text.replace(['\r', '\n'], "")
}

fn strip_whitespace(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect()
}
