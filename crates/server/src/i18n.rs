//! Japanese and English: message catalogs (`locales/*.json`, compiled in) and choosing the
//! language of a response.
//!
//! Choice, first match wins: an explicit `?lang=`, the `hikeshi_lang` cookie it leaves, the
//! signed-in user's setting, then `Accept-Language`; English otherwise.

use axum::http::{HeaderMap, header};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ja" | "ja-jp" | "jp" => Some(Lang::Ja),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
}

pub const LANG_COOKIE: &str = "hikeshi_lang";

/// The language of `Accept-Language`, honouring q-values: `en;q=0.5, ja` is Japanese.
pub fn from_accept_language(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Lang)> = None;
    for part in v.split(',') {
        let mut it = part.split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = match tag.split('-').next() {
            Some("ja") => Lang::Ja,
            Some("en") => Lang::En,
            _ => continue,
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

pub fn negotiate(query_lang: Option<&str>, user_lang: Option<&str>, headers: &HeaderMap) -> Lang {
    // The latest explicit choice (this request's ?lang=, then the cookie it left) wins over the
    // account's setting, so the language links work for everyone.
    query_lang
        .and_then(Lang::parse)
        .or_else(|| {
            crate::auth::cookie(headers, LANG_COOKIE)
                .as_deref()
                .and_then(Lang::parse)
        })
        .or_else(|| user_lang.and_then(Lang::parse))
        .or_else(|| from_accept_language(headers))
        .unwrap_or(Lang::En)
}

fn catalogs() -> &'static (HashMap<String, String>, HashMap<String, String>) {
    static C: OnceLock<(HashMap<String, String>, HashMap<String, String>)> = OnceLock::new();
    C.get_or_init(|| {
        let en = serde_json::from_str(include_str!("../locales/en.json"))
            .expect("locales/en.json is valid JSON (checked by a test)");
        let ja = serde_json::from_str(include_str!("../locales/ja.json"))
            .expect("locales/ja.json is valid JSON (checked by a test)");
        (en, ja)
    })
}

/// The message for `key`; a missing key shows as itself so it is noticed, and a test checks
/// that both catalogs have the same keys.
pub fn t(lang: Lang, key: &str) -> String {
    let (en, ja) = catalogs();
    let cat = if lang == Lang::Ja { ja } else { en };
    cat.get(key)
        .or_else(|| en.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_owned())
}

/// Every key of a catalog, for the completeness test.
pub fn keys(lang: Lang) -> Vec<String> {
    let (en, ja) = catalogs();
    let mut k: Vec<String> = if lang == Lang::Ja { ja } else { en }
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_exactly_the_same_keys() {
        let (en, ja) = (keys(Lang::En), keys(Lang::Ja));
        let only_en: Vec<_> = en.iter().filter(|k| !ja.contains(k)).collect();
        let only_ja: Vec<_> = ja.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            only_en.is_empty() && only_ja.is_empty(),
            "only en: {only_en:?}, only ja: {only_ja:?}"
        );
    }

    #[test]
    fn every_domain_vocabulary_value_has_a_label_in_both_languages() {
        use hikeshi_domain::*;
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Phase::ALL.iter().map(|v| v.label_key()));
        keys.extend(Category::all().iter().map(|v| v.label_key()));
        keys.extend(Tlp::all().iter().map(|v| v.label_key()));
        keys.extend(Priority::all().iter().map(|v| v.label_key()));
        keys.extend(AttackerClass::all().iter().map(|v| v.label_key()));
        keys.extend(AssetClass::all().iter().map(|v| v.label_key()));
        keys.extend(FunctionalImpact::all().iter().map(|v| v.label_key()));
        keys.extend(InformationImpact::all().iter().map(|v| v.label_key()));
        keys.extend(Recoverability::all().iter().map(|v| v.label_key()));
        keys.extend(Criticality::all().iter().map(|v| v.label_key()));
        keys.extend(Role::all().iter().map(|v| v.label_key()));
        keys.extend(ReportStatus::all().iter().map(|v| v.label_key()));
        keys.extend(Channel::all().iter().map(|v| v.label_key()));
        keys.extend(IndicatorRole::all().iter().map(|v| v.label_key()));
        use hikeshi_ioc::Category as W;
        for c in [
            W::Private,
            W::Reserved,
            W::Documentation,
            W::PublicResolver,
            W::Cdn,
            W::Popular,
            W::KnownBenign,
            W::Custom,
        ] {
            let name = serde_json::to_value(c).unwrap();
            keys.push(format!("warn.{}", name.as_str().unwrap()));
        }
        for k in keys {
            for lang in [Lang::En, Lang::Ja] {
                assert_ne!(t(lang, &k), k, "{k} has no {} label", lang.code());
            }
        }
    }

    #[test]
    fn accept_language_honours_quality_values() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_LANGUAGE, "en;q=0.5, ja-JP".parse().unwrap());
        assert_eq!(from_accept_language(&h), Some(Lang::Ja));
        h.insert(
            header::ACCEPT_LANGUAGE,
            "fr, en-GB;q=0.8, ja;q=0.1".parse().unwrap(),
        );
        assert_eq!(from_accept_language(&h), Some(Lang::En));
        assert_eq!(negotiate(Some("ja"), Some("en"), &h), Lang::Ja);
        assert_eq!(
            negotiate(None, Some("ja"), &h),
            Lang::Ja,
            "the account's setting beats the browser"
        );
        h.insert(header::COOKIE, "hikeshi_lang=en".parse().unwrap());
        assert_eq!(
            negotiate(None, Some("ja"), &h),
            Lang::En,
            "a remembered choice beats the account's setting"
        );
    }
}
