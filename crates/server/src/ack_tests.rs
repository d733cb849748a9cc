use super::*;
use hikeshi_domain::ReportId;

fn config() -> MailConfig {
    MailConfig {
        address: "csirt@example.org".into(),
        display_name: "Example CSIRT".into(),
        ..MailConfig::default()
    }
}

fn ack_of(raw: &[u8]) -> Result<NewOutgoing, String> {
    let parsed = hikeshi_mail::parse(raw).unwrap();
    acknowledgement(&parsed, &config(), "Example CSIRT", 540, ReportId(42))
}

#[test]
fn a_japanese_report_gets_a_japanese_threaded_tagged_acknowledgement() {
    let raw = "From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\n\
        To: csirt@example.org\r\n\
        Subject: =?UTF-8?B?5LiN5a+p44Gq44Oh44O844Or?=\r\n\
        Message-ID: <r1@example.jp>\r\n\
        Content-Type: text/plain; charset=UTF-8\r\n\r\n\
        不審なメールを受信しました。\r\n";
    let ack = ack_of(raw.as_bytes()).unwrap();
    assert_eq!(ack.recipients, vec!["yamada@example.jp"]);
    assert_eq!(ack.sender, "csirt@example.org");
    assert_eq!(ack.lang, "ja");
    assert_eq!(ack.subject, "Re: [hikeshi #42] 不審なメール");
    assert!(ack.message_id.starts_with("ack.42."), "{}", ack.message_id);
    assert!(ack.message_id.ends_with("@example.org"));
    let back = hikeshi_mail::parse(&ack.raw).unwrap();
    assert_eq!(back.subject, "Re: [hikeshi #42] 不審なメール");
    assert_eq!(back.in_reply_to, vec!["r1@example.jp"]);
    assert_eq!(back.references, vec!["r1@example.jp"]);
    assert_eq!(
        back.loop_headers.auto_submitted.as_deref(),
        Some("auto-replied")
    );
    assert_eq!(back.language, hikeshi_mail::Language::Ja);
    assert!(
        back.text.contains("ご報告をお受けしました"),
        "{}",
        back.text
    );
    assert!(
        back.text.contains("受付番号: [hikeshi #42]"),
        "{}",
        back.text
    );
    assert!(back.text.starts_with("山田 様"), "{}", back.text);
    let from = back.from.unwrap();
    assert_eq!(
        (from.name.as_deref(), from.address.as_str()),
        (Some("Example CSIRT"), "csirt@example.org")
    );
}

#[test]
fn an_english_report_gets_an_english_acknowledgement() {
    let raw = b"From: soc@example.net\r\nSubject: Scan from your network\r\n\
        Message-ID: <e1@example.net>\r\n\r\nWe saw scans from 192.0.2.7.\r\n";
    let ack = ack_of(raw).unwrap();
    assert_eq!(ack.lang, "en");
    let back = hikeshi_mail::parse(&ack.raw).unwrap();
    assert!(back.text.starts_with("Dear reporter,"), "{}", back.text);
    assert!(
        back.text.contains("Ticket:   [hikeshi #42]"),
        "{}",
        back.text
    );
    assert!(back.text.contains("at most 5"), "{}", back.text);
}

#[test]
fn no_acknowledgement_to_machines_lists_or_ourselves() {
    let table: [(&str, &str); 5] = [
        (
            "From: a@example.jp\r\nAuto-Submitted: auto-replied\r\n",
            "Auto-Submitted",
        ),
        ("From: a@example.jp\r\nPrecedence: bulk\r\n", "Precedence"),
        (
            "From: a@example.jp\r\nList-Id: <l.example.jp>\r\n",
            "mailing list",
        ),
        ("From: MAILER-DAEMON@example.jp\r\n", "system address"),
        ("From: CSIRT@example.org\r\n", "our own address"),
    ];
    for (headers, why) in table {
        let raw = format!("{headers}Subject: x\r\nMessage-ID: <n@example.jp>\r\n\r\nbody\r\n");
        let err = ack_of(raw.as_bytes()).unwrap_err();
        assert!(err.contains(why), "{headers:?}: {err}");
    }
}

#[test]
fn cr_lf_in_subject_and_name_cannot_add_headers() {
    // An encoded word may decode to CR/LF: "x\r\nBcc: victim@example.com".
    let raw = b"From: =?UTF-8?B?RXZlDQpCY2M6IHZpY3RpbUBleGFtcGxlLmNvbQ==?= <eve@example.jp>\r\n\
        Subject: =?UTF-8?B?eA0KQmNjOiB2aWN0aW1AZXhhbXBsZS5jb20=?=\r\n\
        Message-ID: <inj@example.jp>\r\n\r\nhello\r\n";
    let ack = ack_of(raw).unwrap();
    let text = String::from_utf8_lossy(&ack.raw);
    let header_end = text.find("\r\n\r\n").unwrap();
    let headers = &text[..header_end];
    assert!(
        !headers
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{headers}"
    );
    assert!(!ack.subject.contains('\n') && !ack.subject.contains('\r'));
    let back = hikeshi_mail::parse(&ack.raw).unwrap();
    assert_eq!(back.to.len(), 1);
    assert_eq!(back.subject, "Re: [hikeshi #42] x Bcc: victim@example.com");
    // The name reaches only the body, on one line.
    assert!(
        back.text.contains("Eve Bcc: victim@example.com 様")
            || back.text.contains("Dear Eve Bcc: victim@example.com,"),
        "{}",
        back.text
    );
}

#[test]
fn templates_compile() {
    for name in ["ack.ja.txt", "ack.en.txt"] {
        env().get_template(name).unwrap();
    }
}
