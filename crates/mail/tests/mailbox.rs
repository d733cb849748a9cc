//! mbox splitting and Maildir reading for `hikeshi import mail`.

use std::fs;
use std::io::Cursor;
use std::path::PathBuf;

use hikeshi_mail::{
    MailSource, MailboxError, MboxFormat, detect_source, parse, read_maildir, split_mbox,
};

const MBOX: &str = "From reporter@example.org Mon Sep 10 09:00:00 2012\n\
Subject: first\n\
Message-ID: <a@example.org>\n\
\n\
line one\n\
>From the log: scanner at 198.51.100.14\n\
>>From quoted twice\n\
\n\
From noc@example.net Tue Sep 11 10:00:00 2012\n\
Subject: second\n\
\n\
body two\n\
\n";

#[test]
fn mboxrd_splits_messages_with_their_lines_and_unescapes_from() {
    let messages: Vec<_> = split_mbox(Cursor::new(MBOX))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].line, 1);
    assert_eq!(
        messages[0].envelope,
        "reporter@example.org Mon Sep 10 09:00:00 2012"
    );
    assert_eq!(
        String::from_utf8_lossy(&messages[0].raw),
        "Subject: first\nMessage-ID: <a@example.org>\n\nline one\n\
         From the log: scanner at 198.51.100.14\n>From quoted twice\n"
    );
    assert_eq!(messages[1].line, 9);
    assert_eq!(
        String::from_utf8_lossy(&messages[1].raw),
        "Subject: second\n\nbody two\n"
    );
    let first = parse(&messages[0].raw).unwrap();
    assert_eq!(first.subject, "first");
    assert!(first.text.contains("From the log: scanner"));
}

#[test]
fn mboxo_unescapes_only_one_level() {
    let messages: Vec<_> = split_mbox(Cursor::new(MBOX))
        .format(MboxFormat::Mboxo)
        .collect::<Result<_, _>>()
        .unwrap();
    let text = String::from_utf8_lossy(&messages[0].raw).into_owned();
    assert!(text.contains("\nFrom the log"), "{text}");
    assert!(text.contains("\n>>From quoted twice"), "{text}");
}

#[test]
fn crlf_mbox_keeps_crlf_and_drops_the_separator_line() {
    let mbox = "From a@b Mon Sep 10 09:00:00 2012\r\nSubject: x\r\n\r\nbody\r\n\r\nFrom c@d x\r\nSubject: y\r\n\r\nz\r\n";
    let messages: Vec<_> = split_mbox(Cursor::new(mbox))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(messages[0].raw, b"Subject: x\r\n\r\nbody\r\n");
    assert_eq!(messages[1].line, 6);
}

#[test]
fn a_file_that_is_not_an_mbox_is_one_clear_error() {
    let results: Vec<_> = split_mbox(Cursor::new("\n\nSubject: not mbox\n\nbody\n")).collect();
    assert_eq!(results.len(), 1);
    match &results[0] {
        Err(MailboxError::NotMbox { line, found }) => {
            assert_eq!(*line, 3);
            assert_eq!(found, "Subject: not mbox");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(split_mbox(Cursor::new("")).count(), 0);
}

#[test]
fn an_oversized_message_is_skipped_and_the_next_still_read() {
    let big = format!(
        "From a@b x\nSubject: big\n\n{}\nFrom c@d y\nSubject: small\n\nok\n",
        "x".repeat(500)
    );
    let results: Vec<_> = split_mbox(Cursor::new(big))
        .max_message_bytes(100)
        .collect();
    assert_eq!(results.len(), 2);
    assert!(matches!(
        results[0],
        Err(MailboxError::TooLarge {
            line: 1,
            limit: 100
        })
    ));
    let second = results[1].as_ref().unwrap();
    assert_eq!(second.line, 5);
    assert_eq!(second.raw, b"Subject: small\n\nok\n");
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hikeshi-mail-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn maildir_reads_new_and_cur_sorted_and_skips_tmp_and_dot_files() {
    let dir = scratch_dir("maildir");
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    fs::write(dir.join("new/2.host"), "Subject: two\n\nb\n").unwrap();
    fs::write(dir.join("cur/1.host:2,S"), "Subject: one\n\na\n").unwrap();
    fs::write(dir.join("tmp/3.host"), "Subject: partial\n").unwrap();
    fs::write(dir.join("cur/.hidden"), "x").unwrap();
    let messages: Vec<_> = read_maildir(&dir)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let subjects: Vec<String> = messages
        .iter()
        .map(|m| parse(&m.raw).unwrap().subject)
        .collect();
    assert_eq!(subjects, vec!["one", "two"]);
    assert_eq!(messages[0].path, dir.join("cur/1.host:2,S"));
    assert_eq!(detect_source(&dir).unwrap(), MailSource::Maildir);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_directory_without_cur_or_new_is_not_a_maildir() {
    let dir = scratch_dir("notmaildir");
    match read_maildir(&dir) {
        Err(MailboxError::NotMaildir { path }) => assert_eq!(path, dir),
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("accepted a directory without cur/ or new/"),
    }
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn detect_source_tells_mbox_from_single_message() {
    let dir = scratch_dir("detect");
    fs::write(dir.join("box.mbox"), MBOX).unwrap();
    fs::write(dir.join("one.eml"), "Subject: x\n\nFrom here on\n").unwrap();
    assert_eq!(
        detect_source(&dir.join("box.mbox")).unwrap(),
        MailSource::Mbox
    );
    assert_eq!(
        detect_source(&dir.join("one.eml")).unwrap(),
        MailSource::Message
    );
    assert!(matches!(
        detect_source(&dir.join("missing.eml")),
        Err(MailboxError::Io { .. })
    ));
    fs::remove_dir_all(&dir).unwrap();
}
