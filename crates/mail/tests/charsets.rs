//! Japanese legacy charsets as real mail carries them, encoded here with encoding_rs so the
//! expected text is written once, in UTF-8.

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, SHIFT_JIS};
use hikeshi_mail::{Language, ParseWarning, parse};

const SUBJECT: &str = "【至急】不正アクセスの報告";
const BODY: &str = "弊社サーバ 203.0.113.5 から御社への攻撃を確認しました。\r\n\
    ログ: hxxps://phish[.]example[.]jp/ｌｏｇｉｎ\r\n";

fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, had_errors) = encoding.encode(text);
    assert!(
        !had_errors,
        "test text not representable in {}",
        encoding.name()
    );
    bytes.into_owned()
}

/// RFC 2047 B-encoded subject and a raw 8-bit (or 7-bit for ISO-2022-JP) body.
fn message(charset: &str, encoding: &'static Encoding, transfer: &str) -> Vec<u8> {
    let subject = base64(&encode(encoding, SUBJECT));
    let mut raw = format!(
        "From: reporter@example.jp\r\nTo: csirt@example.org\r\n\
         Subject: =?{charset}?B?{subject}?=\r\nMessage-ID: <{charset}@example.jp>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n\
         Content-Transfer-Encoding: {transfer}\r\n\r\n"
    )
    .into_bytes();
    raw.extend(encode(encoding, BODY));
    raw
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
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

fn assert_decodes(raw: &[u8]) {
    let mail = parse(raw).unwrap();
    assert_eq!(mail.subject, SUBJECT);
    assert_eq!(mail.text, BODY.replace("\r\n", "\n"));
    assert_eq!(mail.language, Language::Ja);
    assert!(
        !mail
            .warnings
            .iter()
            .any(|w| matches!(w, ParseWarning::UnknownCharset { .. })),
        "{:?}",
        mail.warnings
    );
}

#[test]
fn iso_2022_jp_subject_and_body_decode() {
    let raw = message("ISO-2022-JP", ISO_2022_JP, "7bit");
    assert!(raw.is_ascii(), "ISO-2022-JP mail is 7-bit");
    assert_decodes(&raw);
}

#[test]
fn shift_jis_subject_and_body_decode() {
    assert_decodes(&message("Shift_JIS", SHIFT_JIS, "8bit"));
}

#[test]
fn cp932_label_decodes_as_shift_jis() {
    assert_decodes(&message("CP932", SHIFT_JIS, "8bit"));
}

#[test]
fn euc_jp_subject_and_body_decode() {
    assert_decodes(&message("EUC-JP", EUC_JP, "8bit"));
}

#[test]
fn unknown_charset_falls_back_to_utf8_with_a_warning() {
    let raw = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nplain ascii text \xff\r\n";
    let mail = parse(raw).unwrap();
    assert_eq!(mail.text, "plain ascii text \u{FFFD}\n");
    assert!(mail.warnings.contains(&ParseWarning::UnknownCharset {
        charset: "x-klingon".to_owned()
    }));
}

#[test]
fn invalid_utf8_in_a_utf8_part_becomes_replacement_characters() {
    let raw = b"From: a@example.org\r\nSubject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xc3\x28 end\r\n";
    let mail = parse(raw).unwrap();
    assert_eq!(mail.text, "ok \u{FFFD}( end\n");
}
