//! Drafts of a customer notice (お詫びとお知らせ) and a press release from one incident, written
//! with the administrator-editable templates `notice.customer` and `notice.press` (registered in
//! [`crate::msg_templates`]; defaults in `templates/notice/notice.{customer,press}.{ja,en}.txt`).
//!
//! A draft is for a person to finish and publish, never sent by hikeshi. It is built from the
//! incident as the asking viewer sees it, with no indicator list at all and every indicator
//! value in free text defanged or, when marked above the incident, withheld
//! ([`crate::incident_report`]'s rule); the page reminds the reader of the source's marking.

use crate::i18n::Lang;
use crate::incident_report::{IncidentDoc, scrub_json};
use crate::msg_templates::{self, TemplateError, Text, Vars};
use hikeshi_domain::Named;
use hikeshi_store::Store;
use minijinja::Value;
use serde_json::json;

/// The two notices, in page order.
pub const NOTICES: [&str; 2] = ["notice.customer", "notice.press"];

/// What a notice template is given.
pub static NOTICE_VARS: Vars = Vars {
    names: &[
        "organisation",
        "issued_on",
        "incident_number",
        "incident_title",
        "category",
        "summary",
        "discovered_on",
        "contained_on",
        "impact",
        "accounts",
        "data",
        "actions",
        "lessons",
    ],
    sample: notice_sample,
};

fn notice_sample(lang: &str) -> Value {
    let ja = lang == "ja";
    Value::from_serialize(json!({
        "organisation": if ja { "株式会社サンプル" } else { "Example Corp." },
        "issued_on": if ja { "2026年4月10日" } else { "10 April 2026" },
        "incident_number": "HK-2026-000123",
        "incident_title": if ja { "会員サイトへの不正アクセス" } else { "Unauthorised access to the members' site" },
        "category": if ja { "標的型攻撃" } else { "Targeted attack" },
        "summary": if ja { "会員サイトのサーバーに外部から不正アクセスがありました。" } else { "An outside party gained access to the members' site server." },
        "discovered_on": if ja { "2026年4月2日" } else { "2 April 2026" },
        "contained_on": if ja { "2026年4月3日" } else { "3 April 2026" },
        "impact": if ja { "会員情報が閲覧された可能性があります。" } else { "Member records may have been viewed." },
        "accounts": if ja { "2026年3月以前に登録した会員 1,200 名" } else { "1,200 members registered before March 2026" },
        "data": if ja { "氏名、メールアドレス" } else { "names and e-mail addresses" },
        "actions": if ja { vec!["該当サーバーをネットワークから隔離", "全会員のパスワードを初期化"] } else { vec!["isolated the server from the network", "reset every member's password"] },
        "lessons": "",
    }))
}

/// A date in the display time zone as a notice writes it: 2026年4月2日, 2 April 2026.
pub fn date_words(ms: i64, lang: Lang, offset_minutes: i32) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap_or(time::UtcOffset::UTC);
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let t = t.to_offset(offset);
    match lang {
        Lang::Ja => format!("{}年{}月{}日", t.year(), u8::from(t.month()), t.day()),
        Lang::En => format!("{} {} {}", t.day(), t.month(), t.year()),
    }
}

/// The template context for one incident in `lang`.
pub fn context(doc: &IncidentDoc, lang: Lang, organisation: &str, offset_minutes: i32) -> Value {
    let i = &doc.incident;
    let date = |ms: i64| date_words(ms, lang, offset_minutes);
    let actions: Vec<String> = doc
        .tasks
        .iter()
        .filter(|t| t.done_at.is_some())
        .map(|t| t.title.clone())
        .chain(
            doc.decisions
                .iter()
                .map(|d| format!("{}: {}", d.subject, d.decision)),
        )
        .collect();
    let mut v = json!({
        "organisation": organisation,
        "issued_on": date(hikeshi_domain::time::now_ms()),
        "incident_number": i.number.to_string(),
        "incident_title": i.title,
        "category": crate::i18n::t(lang, &format!("category.{}", i.classification.category.as_str())),
        "summary": i.summary,
        "discovered_on": date(i.reported_at),
        "contained_on": i.contained_at.map(date).unwrap_or_default(),
        "impact": i.writeup.impact,
        "accounts": i.writeup.accounts,
        "data": i.writeup.data,
        "actions": actions,
        "lessons": i.writeup.lessons,
    });
    scrub_json(doc, lang, &mut v);
    Value::from_serialize(v)
}

/// One rendered draft.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Draft {
    pub name: &'static str,
    pub lang: &'static str,
    #[serde(flatten)]
    pub text: Text,
}

/// Both notices in both languages, from the templates in force.
pub async fn drafts(
    store: &Store,
    doc: &IncidentDoc,
    organisation: &str,
    offset_minutes: i32,
) -> Result<Vec<Draft>, TemplateError> {
    let mut out = Vec::new();
    for name in NOTICES {
        for lang in [Lang::Ja, Lang::En] {
            let ctx = context(doc, lang, organisation, offset_minutes);
            let text = msg_templates::render(store, name, lang.code(), &ctx).await?;
            out.push(Draft {
                name,
                lang: lang.code(),
                text,
            });
        }
    }
    Ok(out)
}
