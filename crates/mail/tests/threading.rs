//! Ticket tags in subjects and the message ids a reply is looked up by.

use hikeshi_mail::{TicketTag, parse, thread_keys};

#[test]
fn ticket_tag_table() {
    let tag = TicketTag::default();
    let table: [(&str, Option<u64>); 14] = [
        ("[hikeshi #12] Scan report", Some(12)),
        ("Re: [hikeshi #12] Scan report", Some(12)),
        ("RE: Fwd: scan [HIKESHI #7]", Some(7)),
        ("[hikeshi#3]", Some(3)),
        ("[ hikeshi  # 45 ]", Some(45)),
        ("Re: [hikeshi ＃99] full-width hash", Some(99)),
        ("［ＨＩＫＥＳＨＩ　＃１２３］ 全角", Some(123)),
        ("[hikeshi #1] and [hikeshi #2]", Some(1)),
        ("[hikeshi #] no number", None),
        ("[hikeshi #12 unterminated", None),
        ("[other #12] someone else's tracker", None),
        ("[hikeshi-dev #12] longer prefix", None),
        ("[hikeshi #99999999999999999999999] overflow", None),
        ("hikeshi #12 without brackets", None),
    ];
    for (subject, expected) in table {
        assert_eq!(tag.find(subject), expected, "{subject}");
    }
}

#[test]
fn prefix_is_configurable() {
    let tag = TicketTag::new("CSIRT-Example");
    assert_eq!(tag.find("Re: [csirt-example #5] x"), Some(5));
    assert_eq!(tag.find("Re: [hikeshi #5] x"), None);
    assert_eq!(tag.format(5), "[CSIRT-Example #5]");
}

#[test]
fn tag_subject_adds_the_tag_once() {
    let tag = TicketTag::default();
    assert_eq!(
        tag.tag_subject("Scan report", 4),
        "[hikeshi #4] Scan report"
    );
    assert_eq!(
        tag.tag_subject("Re: [hikeshi #4] Scan report", 4),
        "Re: [hikeshi #4] Scan report"
    );
    assert_eq!(
        tag.tag_subject("Re: [hikeshi ＃4] Scan", 4),
        "Re: [hikeshi ＃4] Scan"
    );
    assert_eq!(
        tag.tag_subject("[hikeshi #3] other", 4),
        "[hikeshi #4] [hikeshi #3] other"
    );
    assert_eq!(tag.tag_subject("  ", 4), "[hikeshi #4]");
    assert_eq!(
        tag.tag_subject("[hikeshi #3] [hikeshi #4] both", 4),
        "[hikeshi #3] [hikeshi #4] both"
    );
}

#[test]
fn reply_subject_collapses_markers_and_duplicate_tags() {
    let tag = TicketTag::default();
    let table = [
        ("Scan report", "Re: [hikeshi #1] Scan report"),
        (
            "Re: Re: [hikeshi #1] [hikeshi #1] Scan report",
            "Re: [hikeshi #1] Scan report",
        ),
        ("RE: [hikeshi #1] Re: [hikeshi #1] x", "Re: [hikeshi #1] x"),
        ("Fwd: AW: Re[2]: x", "Re: [hikeshi #1] x"),
        ("返信： 転送: 攻撃予告", "Re: [hikeshi #1] 攻撃予告"),
        ("", "Re: [hikeshi #1]"),
        ("Reminder: patch", "Re: [hikeshi #1] Reminder: patch"),
        ("[hikeshi #1]", "Re: [hikeshi #1]"),
        ("Re: Scan [hikeshi #1]", "Re: [hikeshi #1] Scan"),
        ("Re: [hikeshi ＃１] x ［hikeshi #1］", "Re: [hikeshi #1] x"),
        (
            "Re: [hikeshi #3] merged",
            "Re: [hikeshi #1] [hikeshi #3] merged",
        ),
    ];
    for (subject, expected) in table {
        assert_eq!(tag.reply_subject(subject, 1), expected, "{subject}");
    }
}

#[test]
fn thread_keys_are_in_reply_to_then_references_newest_first() {
    let raw = b"From: a@example.org\r\nSubject: Re: x\r\nMessage-ID: <own@example.org>\r\n\
        In-Reply-To: <p2@example.jp>\r\n\
        References: <root@example.jp> <p1@example.jp> <p2@example.jp> <own@example.org>\r\n\r\nx\r\n";
    let mail = parse(raw).unwrap();
    assert_eq!(
        thread_keys(&mail),
        vec!["p2@example.jp", "p1@example.jp", "root@example.jp"]
    );
}

#[test]
fn a_new_message_has_no_thread_keys() {
    let mail = parse(b"From: a@example.org\r\nMessage-ID: <n@example.org>\r\n\r\nx\r\n").unwrap();
    assert!(thread_keys(&mail).is_empty());
}
