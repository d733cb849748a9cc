//! Taking a report in, whichever door it came through: check it, store it whole, and only then
//! hand back the ticket number.

use crate::error::{AppError, AppResult};
use hikeshi_domain::{Actor, Channel, NewAttachment, NewReport, Report};
use hikeshi_store::Store;

/// What a submitter gives us, from the form or the API.
#[derive(Debug, Default)]
pub struct Submission {
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_org: String,
    pub subject: String,
    pub body: String,
    pub lang: String,
    pub attachments: Vec<NewAttachment>,
}

const MAX_FIELD: usize = 1_000;
const MAX_BODY_TEXT: usize = 1_000_000;

/// Check a submission and store it with its raw bytes. The error says which field was wrong.
pub async fn submit(
    store: &Store,
    extractor: &hikeshi_ioc::Extractor,
    actor: &Actor,
    channel: Channel,
    s: Submission,
    raw: Vec<u8>,
    raw_content_type: &str,
    client_addr: &str,
    max_attachment: usize,
) -> AppResult<Report> {
    if s.body.trim().is_empty() {
        return Err(AppError::bad_request("description (body) is required"));
    }
    if s.body.len() > MAX_BODY_TEXT {
        return Err(AppError::too_large(format!(
            "description is longer than {MAX_BODY_TEXT} bytes"
        )));
    }
    for (name, v) in [
        ("name", &s.reporter_name),
        ("email", &s.reporter_email),
        ("organisation", &s.reporter_org),
        ("subject", &s.subject),
    ] {
        if v.len() > MAX_FIELD {
            return Err(AppError::bad_request(format!(
                "{name} is longer than {MAX_FIELD} bytes"
            )));
        }
        if v.contains(['\r', '\n']) {
            return Err(AppError::bad_request(format!("{name} must be one line")));
        }
    }
    let email = s.reporter_email.trim();
    if !email.is_empty() && !plausible_email(email) {
        return Err(AppError::bad_request(format!(
            "{email:?} does not look like an e-mail address"
        )));
    }
    if let Some(a) = s.attachments.iter().find(|a| a.data.len() > max_attachment) {
        return Err(AppError::too_large(format!(
            "attachment {:?} is {} bytes; the limit is {max_attachment}",
            a.filename,
            a.data.len()
        )));
    }
    let lang = match s.lang.as_str() {
        "ja" | "en" => s.lang.clone(),
        _ => String::new(),
    };
    let subject = if s.subject.trim().is_empty() {
        s.body
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .chars()
            .take(80)
            .collect()
    } else {
        s.subject.trim().to_owned()
    };
    let new = NewReport {
        channel: Some(channel),
        reporter_name: s.reporter_name.trim().to_owned(),
        reporter_email: email.to_owned(),
        reporter_org: s.reporter_org.trim().to_owned(),
        subject,
        body: s.body,
        lang,
        raw,
        raw_content_type: raw_content_type.to_owned(),
        client_addr: client_addr.to_owned(),
        message_id: None,
        attachments: s.attachments,
        indicators: Vec::new(),
    };
    let mut new = new;
    new.extract_indicators(extractor);
    Ok(store.submit_report(actor, new).await?)
}

/// One `@`, something on each side, a dot in the domain, no spaces: enough to catch typos
/// without refusing real addresses.
fn plausible_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
        && !domain.contains('@')
}

#[cfg(test)]
mod tests {
    #[test]
    fn plausible_emails() {
        for ok in ["a@example.jp", "taro.yamada+csirt@mail.example.co.jp"] {
            assert!(super::plausible_email(ok), "{ok}");
        }
        for bad in [
            "a",
            "@example.jp",
            "a@b",
            "a@.jp",
            "a b@example.jp",
            "a@b@example.jp",
        ] {
            assert!(!super::plausible_email(bad), "{bad}");
        }
    }
}

/// The report a mail message makes: sender, subject, text, language, message id, attachments
/// (text ones are searched for indicators by [`NewReport::extract_indicators`]); the raw bytes
/// are kept exactly as received.
pub fn report_from_mail(m: &hikeshi_mail::ParsedMail, raw: Vec<u8>, channel: Channel) -> NewReport {
    let from = m
        .from
        .clone()
        .unwrap_or_else(|| hikeshi_mail::Mailbox::new(""));
    NewReport {
        channel: Some(channel),
        reporter_name: from.name.clone().unwrap_or_default(),
        reporter_email: from.address.clone(),
        reporter_org: String::new(),
        subject: m.subject.clone(),
        body: m.text.clone(),
        lang: m.language.as_str().to_owned(),
        raw_content_type: "message/rfc822".into(),
        message_id: m.message_id.clone(),
        attachments: m
            .attachments
            .iter()
            .map(|a| NewAttachment {
                filename: a.filename.clone().unwrap_or_else(|| "attachment".into()),
                content_type: a.content_type.clone(),
                data: a.data.clone(),
            })
            .collect(),
        raw,
        client_addr: String::new(),
        indicators: Vec::new(),
    }
}
