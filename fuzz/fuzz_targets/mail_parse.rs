//! Fuzzes everything hikeshi-mail does with outside bytes: parse a message (charsets, MIME,
//! forwarded messages, HTML conversion), thread and loop checks on the result, building the
//! acknowledgement from it, and mbox splitting. Any panic is a bug: bad mail must become a
//! clear error or a warning.
#![no_main]

use hikeshi_mail::{
    Mailbox, OutgoingMessage, ParseOptions, TicketTag, parse_with, should_auto_reply, split_mbox,
    thread_keys,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions {
        max_input_bytes: 1 << 20,
        ..ParseOptions::default()
    };
    if let Ok(mail) = parse_with(data, &options) {
        let tag = TicketTag::default();
        let _ = tag.find(&mail.subject);
        let _ = tag.reply_subject(&mail.subject, 1);
        let _ = thread_keys(&mail);
        let _ = should_auto_reply(&mail, &["csirt@example.jp"]);
        if let Ok(reply) =
            OutgoingMessage::auto_reply(&mail, Mailbox::new("csirt@example.jp"), &tag, 1, "ok")
        {
            let _ = reply.to_bytes();
        }
    }
    for message in split_mbox(data).take(64) {
        let _ = message;
    }
    let _ = hikeshi_mail::html_to_text(&String::from_utf8_lossy(data));
});
