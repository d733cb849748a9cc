//! JVN iPedia VULDEF XML (`VULDEF-Document`, what MyJVN's `getVulnDetailInfo` returns and
//! JVN iPedia publishes per JVNDB entry).
//!
//! Each `Vulinfo` is a record. Affected products are named by vendor, product and a CPE 2.2
//! URI, with versions in free text (`1.0.1 から 1.0.1f`, `Version 4.50 およびそれ以前`,
//! `2.4.50 より前`), so every statement is a product-name one and matches with
//! [`Confidence::ProductNameOnly`](crate::Confidence), as Vuls scores JVN vendor/product
//! matches lowest. Version phrases that are not understood become "any version" of the product
//! rather than being dropped: a JVN entry that names our product is worth a look.
//!
//! XML is read with `roxmltree` (a read-only DOM: these documents are small); element names are
//! matched by local name, so the `vuldef:` prefix or a default namespace both work.

use roxmltree::{Document, Node};

use crate::advisory::{Advisory, Affected};
use crate::cpe::{Cpe, CpeMatch};
use crate::cvss;
use crate::error::{Parsed, RecordError};

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn text(n: Option<Node<'_, '_>>) -> String {
    n.and_then(|n| n.text()).unwrap_or("").trim().to_owned()
}

/// Parses a VULDEF document; each `Vulinfo` is read or rejected on its own.
pub fn parse_jvn(file: &str, bytes: &[u8]) -> Parsed<Advisory> {
    let Ok(xml) = std::str::from_utf8(bytes) else {
        return Parsed::fail(file, "file", "not UTF-8");
    };
    let doc = match Document::parse(xml) {
        Ok(d) => d,
        Err(e) => return Parsed::fail(file, "file", format!("not XML: {e}")),
    };
    let root = doc.root_element();
    if root.tag_name().name() != "VULDEF-Document" {
        return Parsed::fail(file, "file", "root element is not VULDEF-Document");
    }
    let mut out = Parsed::default();
    for (i, v) in children(root, "Vulinfo").enumerate() {
        let id = text(child(v, "VulinfoID"));
        let label = if id.is_empty() {
            format!("Vulinfo {i}")
        } else {
            format!("Vulinfo {i} ({id})")
        };
        match convert(v, id) {
            Ok(a) => out.records.push(a),
            Err(reason) => out.errors.push(RecordError::new(file, label, reason)),
        }
    }
    out
}

fn convert(v: Node<'_, '_>, id: String) -> Result<Advisory, String> {
    if id.is_empty() {
        return Err("no VulinfoID".to_owned());
    }
    let data = child(v, "VulinfoData").ok_or("no VulinfoData")?;
    let mut affected = Vec::new();
    let items = child(data, "Affected")
        .into_iter()
        .flat_map(|a| children(a, "AffectedItem"));
    for (ai, item) in items.enumerate() {
        let cpe_text = text(child(item, "Cpe"));
        let base = if cpe_text.is_empty() {
            let field = |s: String| {
                s.to_lowercase()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join("_")
            };
            let product = field(text(child(item, "ProductName")));
            if product.is_empty() {
                return Err(format!("AffectedItem {ai}: neither Cpe nor ProductName"));
            }
            Cpe {
                part: "a".into(),
                vendor: field(text(child(item, "Name"))),
                product,
                version: "*".into(),
                update: "*".into(),
            }
        } else {
            Cpe::parse_uri(&cpe_text).map_err(|e| format!("AffectedItem {ai}: {e}"))?
        };
        let mut cpes = Vec::new();
        for vn in children(item, "VersionNumber") {
            let phrase = text(Some(vn));
            if phrase.is_empty() {
                continue;
            }
            let m = version_phrase(&base, &phrase);
            crate::prepared::PreparedCpe::new(&m).map_err(|e| format!("AffectedItem {ai}: {e}"))?;
            cpes.push(m);
        }
        if cpes.is_empty() {
            cpes.push(CpeMatch::new(base));
        }
        affected.push(Affected {
            package: None,
            ranges: Vec::new(),
            versions: Vec::new(),
            cpes,
        });
    }
    let mut severity = Vec::new();
    for c in child(data, "Impact")
        .into_iter()
        .flat_map(|i| children(i, "Cvss"))
    {
        let vector = text(child(c, "Vector"));
        // JVN still carries CVSS v2 vectors (no `CVSS:` prefix); hikeshi scores v3 and v4 only.
        if vector.starts_with("CVSS:") {
            severity.push(cvss::parse_vector(&vector).map_err(|e| e.to_string())?);
        }
    }
    let mut aliases = Vec::new();
    let mut references = Vec::new();
    for r in child(data, "Related")
        .into_iter()
        .flat_map(|r| children(r, "RelatedItem"))
    {
        let rid = text(child(r, "VulinfoID"));
        if r.attribute("type") == Some("advisory")
            && rid.starts_with("CVE-")
            && !aliases.contains(&rid)
        {
            aliases.push(rid);
        }
        let url = text(child(r, "URL"));
        if !url.is_empty() {
            references.push(url);
        }
    }
    let title = text(child(data, "Title"));
    let overview = text(child(data, "VulinfoDescription").and_then(|d| child(d, "Overview")));
    Ok(Advisory {
        id,
        aliases,
        summary: if title.is_empty() { overview } else { title },
        published: Some(text(child(data, "DateFirstPublished"))).filter(|s| !s.is_empty()),
        modified: Some(text(child(data, "DateLastUpdated"))).filter(|s| !s.is_empty()),
        severity,
        affected,
        references,
        remediations: Vec::new(),
    })
}

/// Reads JVN's version phrases. Version tokens are the runs that start with a digit; the words
/// around them say which bound they are.
fn version_phrase(base: &Cpe, phrase: &str) -> CpeMatch {
    let tokens: Vec<&str> = phrase
        .split(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
        .filter(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| phrase.contains(w));
    let before = has(&["より前", "未満", "before", "prior to", "earlier than"]);
    let up_to = has(&["以前", "and earlier", "or earlier", "まで", "through"]);
    let from = has(&["以降", "and later", "or later"]);
    let mut m = CpeMatch::new(base.clone());
    match tokens.as_slice() {
        [v] if before => m.end_excluding = Some(v.to_string()),
        [v] if up_to => m.end_including = Some(v.to_string()),
        [v] if from => m.start_including = Some(v.to_string()),
        [v] => m.criteria.version = v.to_string(),
        [lo, hi] if has(&["から", "～", "〜", " - ", " to ", "through"]) => {
            m.start_including = Some(lo.to_string());
            if before {
                m.end_excluding = Some(hi.to_string());
            } else {
                m.end_including = Some(hi.to_string());
            }
        }
        // Several versions or none that can be told apart: the product, any version.
        _ => {}
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(p: &str) -> CpeMatch {
        let base = Cpe::parse_uri("cpe:/a:openssl:openssl").unwrap();
        version_phrase(&base, p)
    }

    #[test]
    fn japanese_and_english_version_phrases_become_bounds() {
        let m = phrase("1.0.1 から 1.0.1f");
        assert_eq!(
            (m.start_including.as_deref(), m.end_including.as_deref()),
            (Some("1.0.1"), Some("1.0.1f"))
        );
        assert_eq!(
            phrase("Version 4.50 およびそれ以前")
                .end_including
                .as_deref(),
            Some("4.50")
        );
        assert_eq!(
            phrase("2.4.50 より前のバージョン").end_excluding.as_deref(),
            Some("2.4.50")
        );
        assert_eq!(phrase("9.0 以降").start_including.as_deref(), Some("9.0"));
        assert_eq!(phrase("1.0.2-beta1").criteria.version, "1.0.2-beta1");
        assert!(!phrase("全てのバージョン").has_bounds());
    }
}
