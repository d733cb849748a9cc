//! Outgoing mail: header injection, encoding, threading, read back through our own parser.

use std::time::{Duration, SystemTime};

use hikeshi_mail::{
    AutoSubmitted, Language, MailError, Mailbox, OutgoingAttachment, OutgoingMessage, TicketTag,
    parse,
};

fn ack() -> OutgoingMessage {
    let mut message = OutgoingMessage::new(
        Mailbox::named("Example CSIRT", "csirt@example.jp"),
        vec![Mailbox::new("reporter@example.org")],
        "Re: [hikeshi #7] Scan",
        "Received.\n",
    );
    message.message_id = Some("ack-7@example.jp".into());
    message.date = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    message
}

fn header_block(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

/// Header names of the top-level block, unfolded.
fn header_names(bytes: &[u8]) -> Vec<String> {
    header_block(bytes)
        .split("\r\n")
        .filter(|line| !line.starts_with([' ', '\t']))
        .filter_map(|line| {
            line.split_once(':')
                .map(|(name, _)| name.to_ascii_lowercase())
        })
        .collect()
}

#[test]
fn crlf_in_subject_cannot_add_a_header() {
    let mut message = ack();
    message.subject = "Re: x\r\nBcc: victim@example.net\r\nX-Evil: 1".into();
    let bytes = message.to_bytes().unwrap();
    let names = header_names(&bytes);
    assert!(!names.contains(&"bcc".to_owned()), "{names:?}");
    assert!(!names.contains(&"x-evil".to_owned()), "{names:?}");
    assert_eq!(
        parse(&bytes).unwrap().subject,
        "Re: x Bcc: victim@example.net X-Evil: 1"
    );
}

#[test]
fn crlf_in_display_name_and_filename_is_neutralised() {
    let mut message = ack();
    message.to = vec![Mailbox::named(
        "Eve\r\nBcc: victim@example.net",
        "eve@example.org",
    )];
    message.attachments = vec![OutgoingAttachment {
        filename: "a\r\nX-Evil: 1\"/../b.csv".into(),
        content_type: "text/csv; charset=utf-8".into(),
        data: b"kind,value\n".to_vec(),
    }];
    let bytes = message.to_bytes().unwrap();
    let names = header_names(&bytes);
    assert!(!names.contains(&"bcc".to_owned()), "{names:?}");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("\r\nX-Evil"), "{text}");
    let back = parse(&bytes).unwrap();
    assert_eq!(back.to[0].address, "eve@example.org");
    assert_eq!(
        back.attachments[0].filename.as_deref(),
        Some("a X-Evil: 1__.._b.csv")
    );
}

#[test]
fn structured_values_with_crlf_are_refused() {
    let mut message = ack();
    message.to = vec![Mailbox::new("a@example.org\r\nBcc: b@example.org")];
    assert!(matches!(
        message.to_bytes(),
        Err(MailError::InvalidAddress { .. })
    ));

    let mut message = ack();
    message.in_reply_to = Some("x@example.org>\r\nBcc: b@example.org".into());
    assert!(matches!(
        message.to_bytes(),
        Err(MailError::InvalidMessageId { .. })
    ));

    let mut message = ack();
    message.references = vec!["ok@example.org".into(), "bad id@example.org".into()];
    assert!(matches!(
        message.validate(),
        Err(MailError::InvalidMessageId { .. })
    ));

    let mut message = ack();
    message.attachments = vec![OutgoingAttachment {
        filename: "x".into(),
        content_type: "text/csv\r\nBcc: b@example.org".into(),
        data: vec![],
    }];
    assert!(matches!(
        message.to_bytes(),
        Err(MailError::InvalidContentType { .. })
    ));

    let mut message = ack();
    message.to.clear();
    assert_eq!(message.to_bytes(), Err(MailError::NoRecipient));

    let mut message = ack();
    message.from = Mailbox::new("not an address");
    assert!(matches!(
        message.to_bytes(),
        Err(MailError::InvalidAddress { .. })
    ));
}

#[test]
fn japanese_subject_and_body_are_encoded_and_read_back() {
    let mut message = ack();
    message.subject = "Re: [hikeshi #7] 攻撃予告について".into();
    message.body = "ご報告ありがとうございます。\n受付番号は 7 です。\n".into();
    message.language = Language::Ja;
    let bytes = message.to_bytes().unwrap();
    assert!(header_block(&bytes).is_ascii(), "headers must be 7-bit");
    let back = parse(&bytes).unwrap();
    assert_eq!(back.subject, "Re: [hikeshi #7] 攻撃予告について");
    assert_eq!(
        back.text,
        "ご報告ありがとうございます。\n受付番号は 7 です。\n"
    );
    assert_eq!(back.language, Language::Ja);
    assert_eq!(
        back.from.as_ref().and_then(|m| m.name.as_deref()),
        Some("Example CSIRT")
    );
    assert_eq!(back.message_id.as_deref(), Some("ack-7@example.jp"));
    assert_eq!(back.date, Some(1_700_000_000));
    let block = header_block(&bytes);
    assert!(block.contains("Content-Language: ja"), "{block}");
}

#[test]
fn auto_reply_threads_onto_the_report_and_marks_itself() {
    let report = parse(
        "From: Yamada <yamada@example.org>\r\nReply-To: noc@example.org\r\n\
         Subject: Re: RE: [hikeshi #3] 続報\r\nMessage-ID: <m2@example.org>\r\n\
         References: <m0@example.jp> <m1@example.org>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n追加のログです。\r\n"
            .as_bytes(),
    )
    .unwrap();
    let tag = TicketTag::default();
    let message = OutgoingMessage::auto_reply(
        &report,
        Mailbox::new("csirt@example.jp"),
        &tag,
        3,
        "受け付けました。",
    )
    .unwrap();
    assert_eq!(message.to, vec![Mailbox::new("noc@example.org")]);
    assert_eq!(message.subject, "Re: [hikeshi #3] 続報");
    assert_eq!(message.in_reply_to.as_deref(), Some("m2@example.org"));
    assert_eq!(
        message.references,
        vec!["m0@example.jp", "m1@example.org", "m2@example.org"]
    );
    assert_eq!(message.language, Language::Ja);
    assert_eq!(message.auto_submitted, Some(AutoSubmitted::AutoReplied));

    let bytes = message.to_bytes().unwrap();
    let back = parse(&bytes).unwrap();
    assert_eq!(
        back.loop_headers.auto_submitted.as_deref(),
        Some("auto-replied")
    );
    assert_eq!(
        back.loop_headers.x_auto_response_suppress.as_deref(),
        Some("All")
    );
    assert_eq!(back.in_reply_to, vec!["m2@example.org"]);
    assert_eq!(
        back.references,
        vec!["m0@example.jp", "m1@example.org", "m2@example.org"]
    );
    assert_eq!(tag.find(&back.subject), Some(3));
    // Our own acknowledgement must never be answered by another responder following RFC 3834,
    // nor by us.
    assert!(hikeshi_mail::should_auto_reply(&back, &["csirt@example.jp"]).is_err());
}

#[test]
fn auto_reply_drops_unsafe_ids_but_still_answers() {
    let report = parse(
        b"From: a@example.org\r\nSubject: x\r\nMessage-ID: <has space@example.org>\r\n\r\nx\r\n",
    )
    .unwrap();
    let message = OutgoingMessage::auto_reply(
        &report,
        Mailbox::new("csirt@example.jp"),
        &TicketTag::default(),
        1,
        "ok",
    )
    .unwrap();
    assert_eq!(message.in_reply_to, None);
    assert!(message.to_bytes().is_ok());
}

#[test]
fn long_reference_chains_keep_root_and_newest() {
    let references: Vec<String> = (0..30).map(|i| format!("<r{i}@example.org>")).collect();
    let raw = format!(
        "From: a@example.org\r\nSubject: x\r\nMessage-ID: <r30@example.org>\r\nReferences: {}\r\n\r\nx\r\n",
        references.join(" ")
    );
    let report = parse(raw.as_bytes()).unwrap();
    let message = OutgoingMessage::auto_reply(
        &report,
        Mailbox::new("csirt@example.jp"),
        &TicketTag::default(),
        1,
        "ok",
    )
    .unwrap();
    assert_eq!(message.references.len(), 20);
    assert_eq!(message.references[0], "r0@example.org");
    assert_eq!(message.references[1], "r12@example.org");
    assert_eq!(message.references[19], "r30@example.org");
}

#[test]
fn attachment_round_trips() {
    let mut message = ack();
    let csv = "kind,value\nurl,hxxp://evil[.]example/\n".repeat(100);
    message.attachments = vec![OutgoingAttachment {
        filename: "indicators.csv".into(),
        content_type: "text/csv; charset=utf-8".into(),
        data: csv.clone().into_bytes(),
    }];
    let back = parse(&message.to_bytes().unwrap()).unwrap();
    assert_eq!(back.text, "Received.\n");
    assert_eq!(back.attachments.len(), 1);
    assert_eq!(
        back.attachments[0].filename.as_deref(),
        Some("indicators.csv")
    );
    assert_eq!(back.attachments[0].text.as_deref(), Some(csv.as_str()));
}
