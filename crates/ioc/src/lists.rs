//! Warning lists in MISP warninglist JSON format: import, and the built-in set.

use rustc_hash::FxHashSet;

use serde::Deserialize;

use crate::IocError;
use crate::warn::{Category, Matcher, Ranges, WarningList, span};

/// The fields of a MISP warninglist we use (`list.json` in `MISP/misp-warninglists`).
#[derive(Deserialize)]
struct MispList {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default = "default_type")]
    kind: String,
    list: Vec<String>,
}

// MISP treats a list without a type as `string`.
fn default_type() -> String {
    "string".to_owned()
}

fn bad(name: &str, what: String) -> IocError {
    IocError::WarningList(format!("{name}: {what}"))
}

/// Build a list of one MISP type from its entries. Entries are normalised the way indicators
/// are (lower case, no trailing dot, no leading `*.` or `.` on host names), so they compare
/// with normal forms directly.
pub(crate) fn build(
    name: &str,
    description: &str,
    category: Category,
    misp_type: &str,
    entries: Vec<String>,
) -> Result<WarningList, IocError> {
    let clean = |e: &str| e.trim().trim_end_matches('.').to_ascii_lowercase();
    let matcher = match misp_type {
        "cidr" => {
            let mut spans = Vec::with_capacity(entries.len());
            for e in &entries {
                let e = e.trim();
                if e.is_empty() {
                    continue;
                }
                spans.push(
                    span(e)
                        .ok_or_else(|| bad(name, format!("{e:?} is not an address or network")))?,
                );
            }
            let ranges = Ranges::new(spans);
            if ranges.is_empty() {
                return Err(bad(name, "the list has no entries".into()));
            }
            Matcher::Cidr(ranges)
        }
        "string" => Matcher::Exact(
            entries
                .iter()
                .map(|e| clean(e))
                .filter(|e| !e.is_empty())
                .collect(),
        ),
        "hostname" => Matcher::Hostname(
            entries
                .iter()
                .map(|e| {
                    clean(e)
                        .trim_start_matches("*.")
                        .trim_start_matches('.')
                        .to_owned()
                })
                .filter(|e| !e.is_empty())
                .collect::<FxHashSet<_>>(),
        ),
        "substring" => Matcher::Substring(
            entries
                .iter()
                .map(|e| clean(e))
                .filter(|e| !e.is_empty())
                .collect(),
        ),
        other => return Err(bad(name, format!("list type {other:?} is not supported"))),
    };
    Ok(WarningList {
        name: name.to_owned(),
        description: description.to_owned(),
        category,
        matcher,
    })
}

impl WarningList {
    /// Import a list in MISP warninglist JSON format (types `cidr`, `string`, `hostname`,
    /// `substring`; `regex` is refused rather than silently ignored). Imported lists are
    /// [`Category::Custom`] unless changed with [`WarningList::with_category`].
    ///
    /// ```
    /// use hikeshi_ioc::{Kind, WarningList};
    /// let json = r#"{"name": "Our mail relays", "type": "cidr", "list": ["192.0.2.0/28"]}"#;
    /// let list = WarningList::from_misp_json(json).unwrap();
    /// assert!(list.matches(Kind::Ipv4, "192.0.2.5"));
    /// assert!(!list.matches(Kind::Ipv4, "192.0.2.16"));
    /// ```
    pub fn from_misp_json(json: &str) -> Result<WarningList, IocError> {
        let l: MispList = serde_json::from_str(json)
            .map_err(|e| IocError::WarningList(format!("not a MISP warninglist: {e}")))?;
        build(&l.name, &l.description, Category::Custom, &l.kind, l.list)
    }

    /// The same list under another category.
    pub fn with_category(mut self, category: Category) -> Self {
        self.category = category;
        self
    }
}

/// The built-in lists and their categories (sources in `lists/README.md`).
const BUILTIN: &[(&str, Category)] = &[
    (
        include_str!("../lists/private-ranges.json"),
        Category::Private,
    ),
    (
        include_str!("../lists/reserved-ranges.json"),
        Category::Reserved,
    ),
    (
        include_str!("../lists/documentation-ranges.json"),
        Category::Documentation,
    ),
    (
        include_str!("../lists/documentation-domains.json"),
        Category::Documentation,
    ),
    (
        include_str!("../lists/public-resolvers-ip.json"),
        Category::PublicResolver,
    ),
    (
        include_str!("../lists/public-resolvers-hostname.json"),
        Category::PublicResolver,
    ),
    (include_str!("../lists/cdn-hostnames.json"), Category::Cdn),
    (
        include_str!("../lists/popular-domains.json"),
        Category::Popular,
    ),
    (
        include_str!("../lists/empty-file-hashes.json"),
        Category::KnownBenign,
    ),
];

/// Parse the built-in lists. They are part of the source and a unit test parses each, so a
/// broken one fails the build's tests rather than a handler's session; should one fail anyway,
/// it is left out instead of taking extraction down with it.
pub(crate) fn builtin() -> Vec<WarningList> {
    BUILTIN
        .iter()
        .filter_map(|(json, cat)| {
            WarningList::from_misp_json(json)
                .ok()
                .map(|l| l.with_category(*cat))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_list_parses() {
        for (json, _) in BUILTIN {
            if let Err(e) = WarningList::from_misp_json(json) {
                panic!("{e}");
            }
        }
        assert_eq!(builtin().len(), BUILTIN.len());
    }
}
