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
}
