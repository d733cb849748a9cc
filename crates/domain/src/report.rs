//! A report: one incoming message or submission, kept raw and immutable.

use crate::ids::{IncidentId, ReportId};
use crate::named::Named;
use serde::{Deserialize, Serialize};

/// How the report reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    Api,
    Mail,
    Cli,
}

impl Named for Channel {
    const WHAT: &'static str = "channel";
    fn all() -> &'static [Self] {
        &[Channel::Web, Channel::Api, Channel::Mail, Channel::Cli]
    }
    fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Mail => "mail",
            Channel::Cli => "cli",
        }
    }
}

/// Where the report stands in triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for a handler.
    New,
    /// Linked to an incident.
    Linked,
    /// Looked at and judged not an incident.
    Rejected,
}

impl Named for ReportStatus {
    const WHAT: &'static str = "report-status";
    fn all() -> &'static [Self] {
        &[
            ReportStatus::New,
            ReportStatus::Linked,
            ReportStatus::Rejected,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            ReportStatus::New => "new",
            ReportStatus::Linked => "linked",
            ReportStatus::Rejected => "rejected",
        }
    }
}

/// A report about to be stored: the raw bytes are what arrived, the rest is what we read from it.
#[derive(Debug, Clone, Default)]
pub struct NewReport {
    pub channel: Option<Channel>,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_org: String,
    pub subject: String,
    pub body: String,
    /// "ja" or "en": the language the reporter wrote in, used for replies.
    pub lang: String,
    /// Exactly what arrived (the form or API body as received, or the message bytes).
    pub raw: Vec<u8>,
    pub raw_content_type: String,
    pub client_addr: String,
    pub message_id: Option<String>,
    pub attachments: Vec<NewAttachment>,
    /// Indicators found in the text, stored with the report as proposals for review (see
    /// [`NewReport::extract_indicators`]).
    pub indicators: Vec<FoundIndicator>,
}

/// An indicator found in a report: where (`body` or `attachment:N`) and at which byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundIndicator {
    pub source: String,
    pub found: hikeshi_ioc::Extracted,
}

impl NewReport {
    /// Find the indicators in the subject and body (offsets into the body; the subject's are
    /// reported as `subject`) and in every attachment that is text, with the extractor given.
    pub fn extract_indicators(&mut self, extractor: &hikeshi_ioc::Extractor) {
        let mut out = Vec::new();
        for (source, bytes) in [
            ("subject", self.subject.as_bytes()),
            ("body", self.body.as_bytes()),
        ] {
            out.extend(
                extractor
                    .extract_bytes(bytes)
                    .into_iter()
                    .map(|found| FoundIndicator {
                        source: source.to_owned(),
                        found,
                    }),
            );
        }
        for (n, a) in self.attachments.iter().enumerate() {
            if attachment_is_text(a) {
                out.extend(extractor.extract_bytes(&a.data).into_iter().map(|found| {
                    FoundIndicator {
                        source: format!("attachment:{n}"),
                        found,
                    }
                }));
            }
        }
        self.indicators = out;
    }
}

/// Text worth searching: a text/* type, or a name that says log, CSV or text, as long as the
/// bytes are valid UTF-8 (a binary with a .txt name is not searched).
fn attachment_is_text(a: &NewAttachment) -> bool {
    let name = a.filename.to_ascii_lowercase();
    let texty = a.content_type.starts_with("text/")
        || [".txt", ".log", ".csv", ".tsv", ".json", ".eml", ".md"]
            .iter()
            .any(|e| name.ends_with(e));
    texty && std::str::from_utf8(&a.data).is_ok()
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A stored report (without its raw bytes and attachment contents, fetched separately).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Also the ticket number.
    pub id: ReportId,
    pub ticket: String,
    pub received_at: i64,
    pub channel: Channel,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_org: String,
    pub subject: String,
    pub body: String,
    pub lang: String,
    pub status: ReportStatus,
    pub incident_id: Option<IncidentId>,
    pub raw_size: i64,
    pub raw_content_type: String,
    pub message_id: Option<String>,
    pub attachments: Vec<AttachmentInfo>,
    pub reject_reason: Option<String>,
    /// The queue or constituency label of the IMAP mailbox a mail report came through; empty
    /// for every other door.
    pub mailbox: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// The ticket as the reporter sees it, `[hikeshi #42]`.
pub fn ticket_tag(id: ReportId) -> String {
    format!("[hikeshi #{}]", id.0)
}

/// "ja" when the text contains Japanese script (kana or CJK ideographs), else "en". Good enough
/// to choose the language of an acknowledgement; a mixed message gets Japanese, since a reporter
/// who writes any Japanese reads it.
pub fn detect_lang(text: &str) -> &'static str {
    let japanese = text.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30FF   // hiragana, katakana
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xFF66..=0xFF9F // half-width katakana
        )
    });
    if japanese { "ja" } else { "en" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_japanese_when_any_japanese_script_appears() {
        assert_eq!(detect_lang("不審な通信を確認しました"), "ja");
        assert_eq!(detect_lang("Scan from 192.0.2.1 ｶﾀｶﾅ"), "ja");
        assert_eq!(detect_lang("Port scan from 192.0.2.1"), "en");
        assert_eq!(ticket_tag(ReportId(42)), "[hikeshi #42]");
    }

    #[test]
    fn indicators_are_found_in_subject_body_and_text_attachments_only() {
        let mut r = NewReport {
            subject: "C2 at evil.example.com".into(),
            body: "beacon to hxxp://198.51.100.7/gate.php".into(),
            attachments: vec![
                NewAttachment {
                    filename: "proxy.log".into(),
                    content_type: "application/octet-stream".into(),
                    data: b"GET http://bad.example.net/x".to_vec(),
                },
                NewAttachment {
                    filename: "blob.bin".into(),
                    content_type: "application/octet-stream".into(),
                    data: b"evil2.example.org".to_vec(),
                },
            ],
            ..Default::default()
        };
        r.extract_indicators(hikeshi_ioc::default_extractor());
        let got: Vec<(String, String)> = r
            .indicators
            .iter()
            .map(|f| (f.source.clone(), f.found.value.clone()))
            .collect();
        assert!(
            got.contains(&("subject".into(), "evil.example.com".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("body".into(), "http://198.51.100.7/gate.php".into())),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|(s, v)| s == "attachment:0" && v.contains("bad.example.net")),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|(_, v)| v.contains("evil2")),
            "binary attachments are not searched: {got:?}"
        );
    }
}
