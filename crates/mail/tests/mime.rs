//! MIME structure: attachments, forwarded reports, HTML-only mail, and hostile input.

use hikeshi_mail::{MailError, ParseOptions, ParseWarning, parse, parse_with};

fn headers(extra: &str) -> String {
    format!(
        "From: Reporter <reporter@example.org>\r\nTo: csirt@example.jp\r\nSubject: report\r\n\
         Message-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n{extra}"
    )
}

#[test]
fn base64_attachment_is_decoded_with_name_and_type() {
    // "src,dst\n198.51.100.1,203.0.113.2\n" in base64; CSV counts as text for the extractor.
    let raw = headers(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n\
         --b1\r\nContent-Type: application/octet-stream; name=\"hits.csv\"\r\n\
         Content-Disposition: attachment; filename=\"hits.csv\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n\
         c3JjLGRzdAoxOTguNTEuMTAwLjEsMjAzLjAuMTEzLjIK\r\n--b1\r\n\
         Content-Type: image/png; name=\"x.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         iVBORw0KGgo=\r\n--b1--\r\n",
    );
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "see attached");
    assert_eq!(mail.attachments.len(), 2);
    let csv = &mail.attachments[0];
    assert_eq!(csv.filename.as_deref(), Some("hits.csv"));
    assert_eq!(csv.content_type, "application/octet-stream");
    assert_eq!(csv.data, b"src,dst\n198.51.100.1,203.0.113.2\n");
    assert_eq!(csv.size, csv.data.len());
    assert!(csv.is_text);
    assert_eq!(
        csv.text.as_deref(),
        Some("src,dst\n198.51.100.1,203.0.113.2\n")
    );
    let png = &mail.attachments[1];
    assert_eq!(png.content_type, "image/png");
    assert_eq!(png.data, b"\x89PNG\r\n\x1a\n");
    assert!(!png.is_text);
    assert_eq!(png.text, None);
}

const FORWARDED: &str = "From: victim@example.net\r\nSubject: =?UTF-8?B?6KuL5rGC5pu4?=\r\n\
    Message-ID: <inner@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
    Pay at hxxp://bank-login[.]example/\r\n";

#[test]
fn message_rfc822_attachment_is_parsed_as_forwarded_report() {
    let raw = headers(&format!(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nForwarding a phishing mail.\r\n\
         --b1\r\nContent-Type: message/rfc822\r\n\r\n{FORWARDED}--b1--\r\n"
    ));
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "Forwarding a phishing mail.");
    assert_eq!(mail.attachments.len(), 1);
    let inner = mail.attachments[0].forwarded.as_deref().expect("forwarded");
    assert_eq!(inner.subject, "請求書");
    assert_eq!(inner.message_id.as_deref(), Some("inner@example.net"));
    assert_eq!(inner.text, "Pay at hxxp://bank-login[.]example/");
    assert_eq!(mail.attachments[0].content_type, "message/rfc822");
}

#[test]
fn eml_file_sent_as_octet_stream_is_parsed_as_forwarded_report() {
    let encoded = base64(FORWARDED.as_bytes());
    let raw = headers(&format!(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nsee file\r\n\
         --b1\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename=\"phish.eml\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b1--\r\n"
    ));
    let mail = parse(raw.as_bytes()).unwrap();
    let attachment = &mail.attachments[0];
    assert_eq!(attachment.filename.as_deref(), Some("phish.eml"));
    assert_eq!(attachment.data, FORWARDED.as_bytes());
    let inner = attachment.forwarded.as_deref().expect("forwarded");
    assert_eq!(
        inner.from.as_ref().map(|m| m.address.as_str()),
        Some("victim@example.net")
    );
}

#[test]
fn forwards_nested_beyond_the_limit_are_kept_unparsed_and_flagged() {
    let mut message = FORWARDED.to_owned();
    for level in 0..4 {
        message = format!(
            "From: f{level}@example.org\r\nSubject: fwd {level}\r\n\
             Content-Type: multipart/mixed; boundary=\"l{level}\"\r\n\r\n\
             --l{level}\r\nContent-Type: message/rfc822\r\n\r\n{message}--l{level}--\r\n"
        );
    }
    let options = ParseOptions {
        max_forward_depth: 2,
        ..ParseOptions::default()
    };
    let mail = parse_with(message.as_bytes(), &options).unwrap();
    let level1 = mail.attachments[0].forwarded.as_deref().expect("level 1");
    let level2 = level1.attachments[0].forwarded.as_deref().expect("level 2");
    assert_eq!(level2.subject, "fwd 1");
    assert!(level2.attachments[0].forwarded.is_none());
    assert!(!level2.attachments[0].data.is_empty());
    assert!(
        level2
            .warnings
            .contains(&ParseWarning::ForwardDepthExceeded { limit: 2 })
    );
}

#[test]
fn html_only_mail_becomes_inert_text() {
    let raw = headers(
        "Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><head><script>steal()</script></head><body>\
         <p>Phishing at <a href=\"http://evil.example/login\">this link</a></p>\
         <script type=\"text/javascript\">document.location='x'</script>\
         <p>&lt;script&gt;alert(1)&lt;/script&gt;</p></body></html>\r\n",
    );
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(
        mail.text,
        "Phishing at this link <http://evil.example/login>\n\n<script>alert(1)</script>"
    );
    assert!(!mail.text.contains("steal"));
    assert!(!mail.text.contains("document.location"));
    assert!(mail.warnings.contains(&ParseWarning::HtmlConverted));
}

#[test]
fn plain_alternative_is_preferred_over_html() {
    let raw = headers(
        "Content-Type: multipart/alternative; boundary=\"a\"\r\n\r\n\
         --a\r\nContent-Type: text/plain\r\n\r\nplain version\r\n\
         --a\r\nContent-Type: text/html\r\n\r\n<b>html version</b>\r\n--a--\r\n",
    );
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "plain version");
    assert!(!mail.warnings.contains(&ParseWarning::HtmlConverted));
}

#[test]
fn missing_boundary_keeps_the_text_instead_of_failing() {
    let raw = headers(
        "Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\n\
         just text, the boundary never appears\r\n",
    );
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "just text, the boundary never appears\n");
    assert!(mail.attachments.is_empty());
    assert!(mail.warnings.contains(&ParseWarning::MissingBoundary));
}

#[test]
fn deep_multipart_nesting_is_truncated_and_flagged() {
    let depth = 2_000;
    let mut raw = headers("Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");
    for i in 0..depth {
        raw.push_str(&format!(
            "--b{i}\r\nContent-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n",
            i + 1
        ));
    }
    raw.push_str(&format!(
        "--b{depth}\r\nContent-Type: text/plain\r\n\r\ndeep secret\r\n"
    ));
    for i in (0..=depth).rev() {
        raw.push_str(&format!("--b{i}--\r\n"));
    }
    let mail = parse(raw.as_bytes()).unwrap();
    assert!(!mail.text.contains("deep secret"));
    assert!(
        mail.warnings
            .contains(&ParseWarning::NestingTruncated { limit: 16 })
    );

    let shallow = ParseOptions {
        max_multipart_depth: depth + 1,
        ..ParseOptions::default()
    };
    let mail = parse_with(raw.as_bytes(), &shallow).unwrap();
    assert_eq!(mail.text, "deep secret");
}

#[test]
fn fifty_megabyte_attachment_is_decoded_whole() {
    let data: Vec<u8> = (0..50 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let mut raw = headers(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nbig file\r\n\
         --b1\r\nContent-Type: application/zip; name=\"dump.zip\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n",
    );
    let encoded = base64(&data);
    for line in encoded.as_bytes().chunks(76) {
        raw.push_str(std::str::from_utf8(line).unwrap());
        raw.push_str("\r\n");
    }
    raw.push_str("--b1--\r\n");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.attachments.len(), 1);
    assert_eq!(mail.attachments[0].size, data.len());
    assert!(mail.attachments[0].data == data);
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let options = ParseOptions {
        max_input_bytes: 100,
        ..ParseOptions::default()
    };
    let raw = headers(&format!("\r\n{}\r\n", "x".repeat(200)));
    assert_eq!(
        parse_with(raw.as_bytes(), &options),
        Err(MailError::TooLarge {
            size: raw.len(),
            limit: 100
        })
    );
}

#[test]
fn empty_and_headerless_input_are_clear_errors() {
    assert_eq!(parse(b""), Err(MailError::Empty));
    assert_eq!(parse(b"  \r\n\r\n"), Err(MailError::Empty));
    assert_eq!(
        parse(b"\x00\x01\x02 binary junk"),
        Err(MailError::NoHeaders)
    );
    assert_eq!(parse(b"just a line of text\n"), Err(MailError::NoHeaders));
}

#[test]
fn missing_ids_and_dates_are_warnings_not_errors() {
    let mail = parse(b"Subject: hi\r\nDate: not a date\r\n\r\nbody\r\n").unwrap();
    assert_eq!(mail.subject, "hi");
    assert_eq!(mail.date, None);
    assert!(mail.warnings.contains(&ParseWarning::MissingMessageId));
    assert!(mail.warnings.contains(&ParseWarning::MissingFrom));
    assert!(mail.warnings.contains(&ParseWarning::BadDate {
        value: "not a date".to_owned()
    }));
}

#[test]
fn reply_headers_and_addresses_are_read() {
    let raw = "From: \"=?UTF-8?B?5bGx55Sw?=\" <yamada@example.jp>\r\n\
        Reply-To: team@example.jp\r\nTo: a@example.org, B <b@example.org>\r\nCc: c@example.org\r\n\
        Subject: Re: x\r\nMessage-ID: <r2@example.jp>\r\nIn-Reply-To: <r1@example.org>\r\n\
        References: <r0@example.org>\r\n <r1@example.org>\r\n\r\nbody\r\n";
    let mail = parse(raw.as_bytes()).unwrap();
    let from = mail.from.as_ref().unwrap();
    assert_eq!(from.name.as_deref(), Some("山田"));
    assert_eq!(from.address, "yamada@example.jp");
    assert_eq!(
        mail.reply_target().map(|m| m.address.as_str()),
        Some("team@example.jp")
    );
    assert_eq!(mail.to.len(), 2);
    assert_eq!(mail.to[1].name.as_deref(), Some("B"));
    assert_eq!(mail.cc[0].address, "c@example.org");
    assert_eq!(mail.in_reply_to, vec!["r1@example.org"]);
    assert_eq!(mail.references, vec!["r0@example.org", "r1@example.org"]);
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len() / 3 * 4 + 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn broken_base64_keeps_the_raw_part_and_warns() {
    let raw = headers(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nbody\r\n\
         --b1\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n!!!! not base64 at all ####\r\n--b1--\r\n",
    );
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.text, "body");
    assert!(
        mail.warnings
            .iter()
            .any(|w| matches!(w, ParseWarning::BrokenPart { .. })),
        "{:?} {:?}",
        mail.warnings,
        mail.attachments
    );
}

#[test]
fn thousands_of_nested_forwarded_messages_do_not_overflow_the_stack() {
    let depth = 20_000;
    let mut raw = String::new();
    for i in 0..depth {
        raw.push_str(&format!(
            "From: a{i}@example.org\r\nSubject: level {i}\r\nContent-Type: message/rfc822\r\n\r\n"
        ));
    }
    raw.push_str("From: z@example.org\r\nSubject: inner\r\n\r\nhello\r\n");
    let mail = parse(raw.as_bytes()).unwrap();
    assert_eq!(mail.subject, "level 0");
    // Parsed down to the limit, kept raw below it.
    let mut level = &mail;
    for _ in 0..ParseOptions::default().max_forward_depth {
        level = level.attachments[0]
            .forwarded
            .as_deref()
            .expect("forwarded level");
    }
    assert!(level.attachments.iter().all(|a| a.forwarded.is_none()));
    assert!(
        mail.warnings
            .iter()
            .any(|w| matches!(w, ParseWarning::TooManyMessageParts { .. }))
    );
}

/// A forwarded message whose header fields are read from raw bytes (Date, loop markers, a
/// subject in a charset only the fallback decodes), attached in place inside another
/// forwarded message, and attached base64-encoded.
#[test]
fn headers_of_forwarded_messages_are_read_from_the_right_bytes() {
    // "攻撃" in CP932 (Shift_JIS) is 8D 55 8C 82, base64 "jVWMgg==".
    let innermost = "From: bot@example.net\r\nSubject: =?cp932?B?jVWMgg==?=\r\n\
        Date: Mon, 10 Sep 2012 09:00:00 +0900\r\nAuto-Submitted: auto-generated\r\n\r\nx\r\n";
    let middle = format!(
        "From: mid@example.org\r\nSubject: middle\r\n\
         Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n\
         Content-Type: message/rfc822\r\n\r\n{innermost}--m--\r\n"
    );
    let in_place = headers(&format!(
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\
         Content-Type: message/rfc822\r\n\r\n{middle}--o--\r\n"
    ));
    let encoded = headers(&format!(
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n\
         Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--o--\r\n",
        base64(middle.as_bytes())
    ));
    for raw in [in_place, encoded] {
        let mail = parse(raw.as_bytes()).unwrap();
        let middle = mail.attachments[0].forwarded.as_deref().expect("middle");
        assert_eq!(middle.subject, "middle");
        let inner = middle.attachments[0]
            .forwarded
            .as_deref()
            .expect("innermost");
        assert_eq!(inner.subject, "攻撃");
        assert_eq!(
            inner.date_rfc3339.as_deref(),
            Some("2012-09-10T09:00:00+09:00")
        );
        assert_eq!(
            inner.loop_headers.auto_submitted.as_deref(),
            Some("auto-generated")
        );
        assert_eq!(middle.loop_headers.auto_submitted, None);
        assert_eq!(mail.loop_headers.auto_submitted, None);
        assert_eq!(
            String::from_utf8_lossy(&middle.attachments[0].data),
            innermost.trim_end_matches("\r\n")
        );
    }
}

#[test]
fn forwarded_message_bytes_are_the_attached_message_only() {
    let raw = headers(&format!(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nouter text\r\n\
         --b1\r\nContent-Type: message/rfc822\r\n\r\n{FORWARDED}--b1--\r\n"
    ));
    let mail = parse(raw.as_bytes()).unwrap();
    let data = String::from_utf8_lossy(&mail.attachments[0].data).into_owned();
    assert!(data.starts_with("From: victim@example.net\r\n"), "{data}");
    assert!(!data.contains("outer text"), "{data}");
    assert!(
        data.trim_end()
            .ends_with("Pay at hxxp://bank-login[.]example/"),
        "{data}"
    );
}

#[test]
fn searchable_texts_list_body_text_attachments_and_forwards_with_labels() {
    let raw = headers(&format!(
        "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nbody text\r\n\
         --b1\r\nContent-Type: text/csv; name=\"hits.csv\"\r\n\
         Content-Disposition: attachment; filename=\"hits.csv\"\r\n\r\na,b\r\n\
         --b1\r\nContent-Type: image/png; name=\"x.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n\
         --b1\r\nContent-Type: message/rfc822\r\n\r\n{FORWARDED}--b1--\r\n"
    ));
    let mail = parse(raw.as_bytes()).unwrap();
    let labels: Vec<(String, &str)> = mail.searchable_texts();
    let expected: Vec<(String, &str)> = vec![
        ("subject".into(), "report"),
        ("body".into(), "body text"),
        ("attachment 1 (hits.csv)".into(), "a,b"),
        ("forwarded 3 > subject".into(), "請求書"),
        (
            "forwarded 3 > body".into(),
            "Pay at hxxp://bank-login[.]example/",
        ),
    ];
    assert_eq!(labels, expected);
}
