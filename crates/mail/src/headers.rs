//! Header fields of the top-level message: addresses, message ids, loop markers.

use mail_parser::{Address, HeaderValue, Message};

use crate::model::{LoopHeaders, Mailbox};

pub(crate) fn first_mailbox(address: &Address<'_>) -> Option<Mailbox> {
    address.iter().find_map(to_mailbox)
}

pub(crate) fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|a| a.iter().filter_map(to_mailbox).collect())
        .unwrap_or_default()
}

fn to_mailbox(addr: &mail_parser::Addr<'_>) -> Option<Mailbox> {
    let address = addr.address()?.trim();
    if address.is_empty() {
        return None;
    }
    Some(Mailbox {
        name: addr
            .name()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        address: address.to_owned(),
    })
}

pub(crate) fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Loop-relevant headers from the top-level header block only: markers inside a forwarded
/// message describe that message, not the one we might answer.
pub(crate) fn loop_headers(message: &Message<'_>, base: &[u8]) -> LoopHeaders {
    let mut loop_headers = LoopHeaders::default();
    let raw = base;
    let Some(root) = message.parts.first() else {
        return loop_headers;
    };
    for header in &root.headers {
        let value = raw
            .get(header.offset_start as usize..header.offset_end as usize)
            .map(String::from_utf8_lossy)
            .map(|v| unfold(&v))
            .unwrap_or_default();
        let name = header.name.as_str();
        match name.to_ascii_lowercase().as_str() {
            "auto-submitted" => loop_headers.auto_submitted = Some(value),
            "precedence" => loop_headers.precedence = Some(value),
            "list-id" => loop_headers.list_id = Some(value),
            "list-unsubscribe" => loop_headers.list_unsubscribe = true,
            "x-auto-response-suppress" => loop_headers.x_auto_response_suppress = Some(value),
            "x-autoreply" | "x-autorespond" | "x-loop" => loop_headers
                .other_auto_markers
                .push((name.to_owned(), value)),
            // The topmost Return-Path is the one the final delivery added; later copies may
            // come from earlier hops or a forwarder.
            "return-path" if loop_headers.return_path.is_none() => {
                let address = value.trim_start_matches('<').trim_end_matches('>').trim();
                loop_headers.return_path = Some(address.to_owned());
            }
            _ => {}
        }
    }
    loop_headers
}

/// The raw value of the first top-level header `name`, read from `base`, the buffer the
/// header offsets point into. mail-parser's own `header_raw` reads from the message's
/// `raw_message`, which for a message attached in place is only the attachment while the
/// offsets still count from the start of the outermost message.
pub(crate) fn raw_header(message: &Message<'_>, base: &[u8], name: &str) -> Option<String> {
    let header = message
        .parts
        .first()?
        .headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
    base.get(header.offset_start as usize..header.offset_end as usize)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Joins folded header lines and trims: header values are compared, not displayed.
fn unfold(value: &str) -> String {
    value
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
