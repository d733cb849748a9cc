//! Message templates administrators can edit: a registry of template names, each with its
//! default text per language compiled into the binary and the variables it is given, and
//! [`render`], which uses an administrator's saved override when there is one.
//!
//! A template is two minijinja texts, a one-line subject and a body, rendered as plain text
//! (no autoescape: escaping would corrupt `&` in a URL) with strict undefined, so a typo in a
//! variable name is an error rather than a silently empty string. Saving goes through
//! [`validate`]: both parts must compile, may only name the variables registered for the
//! template, and must render against a sample context; a refusal names the part, the line and
//! what is wrong. Deleting the override ([`reset`]) brings the default back.
//!
//! A default file holds the subject on its first line, then a blank line, then the body.
//! Registering a template is one entry in [`REGISTRY`] (name, variable set, two files).

use hikeshi_domain::Actor;
use hikeshi_store::{Store, StoreError, TemplateOverride};
use minijinja::{Environment, UndefinedBehavior, Value, context};
use std::collections::BTreeSet;

/// The languages every template exists in.
pub const LANGS: [&str; 2] = ["ja", "en"];

/// Longest subject or body an administrator may save, in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// The variables a family of templates is given, and a sample of them for previews and for
/// the trial render on save. Each name's description is the catalog key `tmplvar.<name>`.
pub struct Vars {
    pub names: &'static [&'static str],
    pub sample: fn(lang: &str) -> Value,
}

/// One registered template.
pub struct TemplateDef {
    pub name: &'static str,
    pub vars: &'static Vars,
    /// The default texts: subject line, blank line, body.
    pub ja: &'static str,
    pub en: &'static str,
}

macro_rules! notice_files {
    ($stem:literal) => {
        (
            include_str!(concat!("../templates/notice/", $stem, ".ja.txt")),
            include_str!(concat!("../templates/notice/", $stem, ".en.txt")),
        )
    };
}

const fn def(
    name: &'static str,
    vars: &'static Vars,
    files: (&'static str, &'static str),
) -> TemplateDef {
    TemplateDef {
        name,
        vars,
        ja: files.0,
        en: files.1,
    }
}

/// Every template there is. `notification.<category>` is the default notification for an
/// incident of that JPCERT/CC category; `notification.other` is the fallback.
pub static REGISTRY: &[TemplateDef] = &[
    def(
        "notification.phishing",
        &NOTIFICATION_VARS,
        notice_files!("notification.phishing"),
    ),
    def(
        "notification.defacement",
        &NOTIFICATION_VARS,
        notice_files!("notification.defacement"),
    ),
    def(
        "notification.malware-site",
        &NOTIFICATION_VARS,
        notice_files!("notification.malware-site"),
    ),
    def(
        "notification.scan",
        &NOTIFICATION_VARS,
        notice_files!("notification.scan"),
    ),
    def(
        "notification.dos",
        &NOTIFICATION_VARS,
        notice_files!("notification.dos"),
    ),
    def(
        "notification.ics",
        &NOTIFICATION_VARS,
        notice_files!("notification.ics"),
    ),
    def(
        "notification.targeted",
        &NOTIFICATION_VARS,
        notice_files!("notification.targeted"),
    ),
    def(
        "notification.other",
        &NOTIFICATION_VARS,
        notice_files!("notification.other"),
    ),
    // Drafts written from an incident for a person to publish (crate::notice_drafts).
    def(
        "notice.customer",
        &crate::notice_drafts::NOTICE_VARS,
        notice_files!("notice.customer"),
    ),
    def(
        "notice.press",
        &crate::notice_drafts::NOTICE_VARS,
        notice_files!("notice.press"),
    ),
];

/// What a notification from an incident is given (see `crate::notify`).
pub static NOTIFICATION_VARS: Vars = Vars {
    names: &[
        "team_name",
        "from_address",
        "handler_name",
        "recipient_name",
        "recipient_organisation",
        "incident_number",
        "ticket_tag",
        "incident_title",
        "category",
        "tlp_label",
        "note",
        "indicators",
        "indicator_count",
        "csv_attached",
        "csv_filename",
    ],
    sample: notification_sample,
};

fn notification_sample(lang: &str) -> Value {
    let ja = lang == "ja";
    let indicators = vec![
        context! { kind => "url", value => "hxxps://login[.]example-bank[.]test/", role => "phishing", tlp => "TLP:GREEN" },
        context! { kind => "ipv4", value => "192.0.2[.]10", role => "hosting", tlp => "TLP:GREEN" },
    ];
    context! {
        team_name => "Example CSIRT",
        from_address => "csirt@example.jp",
        handler_name => if ja { "山田 花子" } else { "Hanako Yamada" },
        recipient_name => if ja { "ご担当者" } else { "Abuse team" },
        recipient_organisation => "Example Hosting",
        incident_number => "HK-2026-000123",
        ticket_tag => "[hikeshi #42]",
        incident_title => if ja { "銀行を装うフィッシングサイト" } else { "Phishing site imitating a bank" },
        category => if ja { "フィッシングサイト" } else { "Phishing site" },
        tlp_label => "TLP:GREEN",
        note => "",
        indicator_count => indicators.len(),
        indicators => indicators,
        csv_attached => false,
        csv_filename => "HK-2026-000123-indicators.csv",
    }
}

/// The registered template called `name`.
pub fn find(name: &str) -> Option<&'static TemplateDef> {
    REGISTRY.iter().find(|d| d.name == name)
}

/// A subject and a body, as stored or rendered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Text {
    pub subject: String,
    pub body: String,
}

impl TemplateDef {
    /// The built-in text in `lang` (English for anything but Japanese).
    pub fn default_text(&self, lang: &str) -> Text {
        let raw = if lang == "ja" { self.ja } else { self.en };
        let (subject, body) = raw.split_once('\n').unwrap_or((raw, ""));
        Text {
            subject: subject.trim_end_matches('\r').to_owned(),
            body: body
                .strip_prefix('\n')
                .or_else(|| body.strip_prefix("\r\n"))
                .unwrap_or(body)
                .to_owned(),
        }
    }
}

/// Why a template could not be saved or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template is called {0:?}")]
    UnknownTemplate(String),
    #[error("templates exist in ja and en, not {0:?}")]
    UnknownLang(String),
    /// The text is wrong: which part (`subject` or `body`), which line (1-based), what.
    #[error("{part} line {line}: {message}")]
    Invalid {
        part: &'static str,
        line: usize,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Globals minijinja provides that a template may use besides its variables.
const BUILTINS: [&str; 4] = ["range", "dict", "namespace", "debug"];

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env
}

fn invalid(part: &'static str, e: &minijinja::Error) -> TemplateError {
    let message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    TemplateError::Invalid {
        part,
        line: e.line().unwrap_or(1),
        message,
    }
}

/// The first line of `src` on which `word` appears as a whole identifier.
fn line_of(src: &str, word: &str) -> usize {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    for (i, line) in src.lines().enumerate() {
        for (at, _) in line.match_indices(word) {
            let before = line[..at].chars().next_back();
            let after = line[at + word.len()..].chars().next();
            if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
                return i + 1;
            }
        }
    }
    1
}

/// Compile one part and check the names it uses.
fn check_part(
    env: &Environment<'static>,
    part: &'static str,
    src: &str,
    allowed: &BTreeSet<&str>,
) -> Result<(), TemplateError> {
    if src.len() > MAX_TEMPLATE_BYTES {
        return Err(TemplateError::Invalid {
            part,
            line: 1,
            message: format!("longer than {MAX_TEMPLATE_BYTES} bytes"),
        });
    }
    let t = env
        .template_from_named_str(part, src)
        .map_err(|e| invalid(part, &e))?;
    let mut unknown: Vec<String> = t
        .undeclared_variables(false)
        .into_iter()
        .filter(|v| !allowed.contains(v.as_str()) && !BUILTINS.contains(&v.as_str()))
        .collect();
    unknown.sort_by_key(|v| (line_of(src, v), v.clone()));
    if let Some(v) = unknown.first() {
        return Err(TemplateError::Invalid {
            part,
            line: line_of(src, v),
            message: format!(
                "unknown variable `{v}`; this template gets: {}",
                allowed.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    Ok(())
}

/// Render `text` with `ctx` without looking anything up. The subject becomes one line.
pub fn render_text(text: &Text, ctx: &Value) -> Result<Text, TemplateError> {
    let env = env();
    let subject = env
        .render_named_str("subject", &text.subject, ctx)
        .map_err(|e| invalid("subject", &e))?;
    let body = env
        .render_named_str("body", &text.body, ctx)
        .map_err(|e| invalid("body", &e))?;
    Ok(Text {
        subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
        body,
    })
}

/// Check `text` as a new version of `def`: it compiles, names only `def`'s variables and
/// renders against the sample context in `lang`. Returns that sample rendering.
pub fn validate(def: &TemplateDef, lang: &str, text: &Text) -> Result<Text, TemplateError> {
    let env = env();
    let allowed: BTreeSet<&str> = def.vars.names.iter().copied().collect();
    check_part(&env, "subject", &text.subject, &allowed)?;
    check_part(&env, "body", &text.body, &allowed)?;
    render_text(text, &(def.vars.sample)(lang))
}

fn lookup(name: &str, lang: &str) -> Result<&'static TemplateDef, TemplateError> {
    if !LANGS.contains(&lang) {
        return Err(TemplateError::UnknownLang(lang.to_owned()));
    }
    find(name).ok_or_else(|| TemplateError::UnknownTemplate(name.to_owned()))
}

/// One template in one language as it is in force: the override if saved, else the default.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Current {
    pub name: &'static str,
    pub lang: &'static str,
    #[serde(flatten)]
    pub text: Text,
    /// The saved override, if any (who saved it and when).
    pub overridden: Option<TemplateOverride>,
    pub variables: &'static [&'static str],
}

fn current_of(
    def: &'static TemplateDef,
    lang: &'static str,
    saved: Option<TemplateOverride>,
) -> Current {
    let text = match &saved {
        Some(o) => Text {
            subject: o.subject.clone(),
            body: o.body.clone(),
        },
        None => def.default_text(lang),
    };
    Current {
        name: def.name,
        lang,
        text,
        overridden: saved,
        variables: def.vars.names,
    }
}

fn static_lang(lang: &str) -> &'static str {
    LANGS.iter().copied().find(|l| *l == lang).unwrap_or("en")
}

/// `name` in `lang` as it is in force.
pub async fn current(store: &Store, name: &str, lang: &str) -> Result<Current, TemplateError> {
    let def = lookup(name, lang)?;
    let saved = store.template_override(name, lang).await?;
    Ok(current_of(def, static_lang(lang), saved))
}

/// Every registered template in every language, in registry order.
pub async fn all(store: &Store) -> Result<Vec<Current>, TemplateError> {
    let mut saved = store.template_overrides().await?;
    let mut out = Vec::new();
    for def in REGISTRY {
        for lang in LANGS {
            let pos = saved
                .iter()
                .position(|o| o.name == def.name && o.lang == lang);
            out.push(current_of(def, lang, pos.map(|p| saved.swap_remove(p))));
        }
    }
    Ok(out)
}

/// Render `name` in `lang` (override or default) with `ctx`.
pub async fn render(
    store: &Store,
    name: &str,
    lang: &str,
    ctx: &Value,
) -> Result<Text, TemplateError> {
    let cur = current(store, name, lang).await?;
    render_text(&cur.text, ctx)
}

/// Validate and save an override; returns the sample rendering of what was saved.
pub async fn save(
    store: &Store,
    actor: &Actor,
    name: &str,
    lang: &str,
    text: &Text,
) -> Result<Text, TemplateError> {
    let def = lookup(name, lang)?;
    let preview = validate(def, lang, text)?;
    store
        .save_template(actor, name, lang, &text.subject, &text.body)
        .await?;
    Ok(preview)
}

/// Drop the override (back to the default). Returns whether there was one.
pub async fn reset(
    store: &Store,
    actor: &Actor,
    name: &str,
    lang: &str,
) -> Result<bool, TemplateError> {
    lookup(name, lang)?;
    Ok(store.reset_template(actor, name, lang).await?)
}

/// The sample rendering of `text` (or of the template in force when `None`) in `lang`.
pub async fn preview(
    store: &Store,
    name: &str,
    lang: &str,
    text: Option<&Text>,
) -> Result<Text, TemplateError> {
    let def = lookup(name, lang)?;
    match text {
        Some(t) => validate(def, lang, t),
        None => {
            let cur = current(store, name, lang).await?;
            render_text(&cur.text, &(def.vars.sample)(lang))
        }
    }
}

#[cfg(test)]
#[path = "msg_templates_tests.rs"]
mod tests;
