//! RFC 3834 loop prevention as a table: headers in, decision out.

use hikeshi_mail::{NoReplyReason, parse, should_auto_reply};

const OURS: [&str; 2] = ["csirt@example.jp", "hikeshi-noreply@example.jp"];

fn decide(headers: &str) -> Result<(), NoReplyReason> {
    let raw = format!("{headers}Subject: s\r\nMessage-ID: <x@example.org>\r\n\r\nbody\r\n");
    should_auto_reply(&parse(raw.as_bytes()).unwrap(), &OURS)
}

#[test]
fn loop_prevention_table() {
    use NoReplyReason::*;
    let person = "From: Reporter <reporter@example.org>\r\n";
    let table: Vec<(String, Result<(), NoReplyReason>)> = vec![
        (person.into(), Ok(())),
        (format!("{person}Auto-Submitted: no\r\n"), Ok(())),
        (format!("{person}Precedence: first-class\r\n"), Ok(())),
        (
            format!("{person}Return-Path: <reporter@example.org>\r\n"),
            Ok(()),
        ),
        (
            format!("{person}X-Auto-Response-Suppress: DR, RN\r\n"),
            Ok(()),
        ),
        (
            format!("{person}Auto-Submitted: auto-replied\r\n"),
            Err(AutoSubmitted("auto-replied".into())),
        ),
        (
            format!("{person}Auto-Submitted: Auto-Generated; comment\r\n"),
            Err(AutoSubmitted("Auto-Generated; comment".into())),
        ),
        (
            format!("{person}Precedence: bulk\r\n"),
            Err(Precedence("bulk".into())),
        ),
        (
            format!("{person}Precedence: List\r\n"),
            Err(Precedence("List".into())),
        ),
        (
            format!("{person}Precedence: junk\r\n"),
            Err(Precedence("junk".into())),
        ),
        (
            format!("{person}List-Id: Security <sec.lists.example.org>\r\n"),
            Err(MailingList("Security <sec.lists.example.org>".into())),
        ),
        (
            format!("{person}List-Unsubscribe: <mailto:leave@example.org>\r\n"),
            Err(MailingList("List-Unsubscribe".into())),
        ),
        (
            format!("{person}X-Auto-Response-Suppress: All\r\n"),
            Err(Suppressed("All".into())),
        ),
        (
            format!("{person}X-Auto-Response-Suppress: DR, OOF\r\n"),
            Err(Suppressed("DR, OOF".into())),
        ),
        (
            format!("{person}X-Autoreply: yes\r\n"),
            Err(AutoResponderMarker("X-Autoreply: yes".into())),
        ),
        (format!("{person}Return-Path: <>\r\n"), Err(NullReturnPath)),
        (
            "From: MAILER-DAEMON@mx.example.org\r\n".into(),
            Err(SystemAddress("MAILER-DAEMON@mx.example.org".into())),
        ),
        (
            "From: Mail Delivery <postmaster@example.org>\r\n".into(),
            Err(SystemAddress("postmaster@example.org".into())),
        ),
        (
            "From: no-reply@service.example\r\n".into(),
            Err(SystemAddress("no-reply@service.example".into())),
        ),
        (
            "From: do_not_reply@service.example\r\n".into(),
            Err(SystemAddress("do_not_reply@service.example".into())),
        ),
        (
            "From: owner-security@lists.example.org\r\n".into(),
            Err(SystemAddress("owner-security@lists.example.org".into())),
        ),
        (
            format!("{person}Return-Path: <bounces+x=example.org@mail.example>\r\n"),
            Err(SystemAddress("bounces+x=example.org@mail.example".into())),
        ),
        (
            "From: CSIRT <CSIRT@Example.JP>\r\n".into(),
            Err(OwnAddress("CSIRT@Example.JP".into())),
        ),
        (
            format!("{person}Reply-To: csirt@example.jp\r\n"),
            Err(OwnAddress("csirt@example.jp".into())),
        ),
        ("To: csirt@example.jp\r\n".into(), Err(NoRecipient)),
    ];
    for (headers, expected) in table {
        assert_eq!(decide(&headers), expected, "{headers}");
    }
}

#[test]
fn markers_inside_a_forwarded_message_do_not_block_the_answer() {
    let raw = "From: reporter@example.org\r\nSubject: fwd\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n\
        --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: MAILER-DAEMON@x.example\r\n\
        Auto-Submitted: auto-replied\r\nSubject: bounce\r\n\r\nbounced\r\n--b--\r\n";
    assert_eq!(
        should_auto_reply(&parse(raw.as_bytes()).unwrap(), &OURS),
        Ok(())
    );
}

#[test]
fn reasons_read_as_sentences() {
    assert_eq!(
        NoReplyReason::Precedence("bulk".into()).to_string(),
        "Precedence: bulk"
    );
    assert_eq!(
        NoReplyReason::NullReturnPath.to_string(),
        "null Return-Path (bounce)"
    );
}
