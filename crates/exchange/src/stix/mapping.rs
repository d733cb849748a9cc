//! The tables between hikeshi's indicator kinds and roles and STIX: which SCO and pattern a kind
//! becomes, which pattern paths and SCO properties become which kind, and how roles map to the
//! `indicator-type-ov` vocabulary. docs/stix.md repeats these tables for people.

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_ioc::{Indicator, Kind};
use serde_json::Value;

use super::ids;
use super::pattern::{Literal, Op, Test, quote};

/// The SCO (and the pattern) one indicator becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observable {
    pub sco_type: &'static str,
    /// The SCO's deterministic id (UUIDv5 over its ID-contributing properties).
    pub id: String,
    /// The SCO's own properties as JSON members (`"value":"…"`), after type/spec_version/id.
    pub members: String,
    pub pattern: String,
}

/// `file:hashes` key for a hash kind, as hashing-algorithm-ov spells it.
pub fn hash_algorithm(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Md5 => "MD5",
        Kind::Sha1 => "SHA-1",
        Kind::Sha256 => "SHA-256",
        Kind::Sha512 => "SHA-512",
        _ => return None,
    })
}

fn hash_kind(alg: &str) -> Option<Kind> {
    Some(match alg.to_ascii_uppercase().as_str() {
        "MD5" => Kind::Md5,
        "SHA-1" | "SHA1" => Kind::Sha1,
        "SHA-256" | "SHA256" => Kind::Sha256,
        "SHA-512" | "SHA512" => Kind::Sha512,
        _ => return None,
    })
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The SCO and pattern for an indicator, or why it has none (`other`; `cve` is a
/// vulnerability, not an observable).
pub fn observable(ind: &Indicator) -> Result<Observable, &'static str> {
    let v = ind.value.as_str();
    let value_sco = |ty: &'static str, pattern: String| {
        let members = format!("\"value\":{}", json_str(v));
        Observable {
            sco_type: ty,
            id: ids::sco_id(ty, &format!("{{{members}}}")),
            members,
            pattern,
        }
    };
    let ip_type = |v: &str| {
        if v.contains(':') {
            "ipv6-addr"
        } else {
            "ipv4-addr"
        }
    };
    Ok(match ind.kind {
        Kind::Ipv4 => value_sco("ipv4-addr", format!("[ipv4-addr:value = {}]", quote(v))),
        Kind::Ipv6 => value_sco("ipv6-addr", format!("[ipv6-addr:value = {}]", quote(v))),
        Kind::Cidr => {
            let t = ip_type(v);
            value_sco(t, format!("[{t}:value ISSUBSET {}]", quote(v)))
        }
        Kind::Domain => value_sco("domain-name", format!("[domain-name:value = {}]", quote(v))),
        Kind::Url => {
            let u = uri_safe(v);
            let members = format!("\"value\":{}", json_str(&u));
            Observable {
                sco_type: "url",
                id: ids::sco_id("url", &format!("{{{members}}}")),
                members,
                pattern: format!("[url:value = {}]", quote(&u)),
            }
        }
        Kind::Email => value_sco("email-addr", format!("[email-addr:value = {}]", quote(v))),
        Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => {
            let alg = hash_algorithm(ind.kind).unwrap_or("MD5");
            let members = format!("\"hashes\":{{\"{alg}\":{}}}", json_str(v));
            Observable {
                sco_type: "file",
                id: ids::sco_id("file", &format!("{{{members}}}")),
                members,
                pattern: format!("[file:hashes.{} = {}]", quote(alg), quote(v)),
            }
        }
        Kind::Filename => {
            let members = format!("\"name\":{}", json_str(v));
            Observable {
                sco_type: "file",
                id: ids::sco_id("file", &format!("{{{members}}}")),
                members,
                pattern: format!("[file:name = {}]", quote(v)),
            }
        }
        Kind::Asn => {
            let n: u64 = v
                .trim_start_matches(['A', 'S', 'a', 's'])
                .parse()
                .map_err(|_| "ASN value is not AS<number>")?;
            let members = format!("\"number\":{n}");
            Observable {
                sco_type: "autonomous-system",
                id: ids::sco_id("autonomous-system", &format!("{{{members}}}")),
                members,
                pattern: format!("[autonomous-system:number = {n}]"),
            }
        }
        Kind::Cve => return Err("a CVE is written as a vulnerability object"),
        Kind::Other => {
            return Err("kind \"other\" has no STIX observable type or pattern path");
        }
    })
}

/// A URL as an RFC 3986 URI: STIX `url:value` must be one, and hikeshi keeps what the handler
/// saw (a backslash, a space, a Japanese path). Bytes outside the URI character set are
/// percent-encoded; everything else (including `'`) is left alone.
pub fn uri_safe(v: &str) -> std::borrow::Cow<'_, str> {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    if v.bytes().all(ok) {
        return std::borrow::Cow::Borrowed(v);
    }
    let mut out = String::with_capacity(v.len() + 8);
    for b in v.bytes() {
        if ok(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The kind a pattern comparison names and the text to normalise, when it is one we model:
/// `None` for paths and operators we do not turn into indicators.
pub fn comparison_kind(t: &Test) -> Option<(Kind, String)> {
    if t.negated {
        return None;
    }
    let path = t.path.dotted();
    let text = match &t.value {
        Literal::Str(s) => s.clone(),
        Literal::Int(n) if path == "autonomous-system:number" && *n > 0 => format!("AS{n}"),
        _ => return None,
    };
    let ip = |text: &str, v6: bool| {
        if text.contains('/') {
            Kind::Cidr
        } else if v6 {
            Kind::Ipv6
        } else {
            Kind::Ipv4
        }
    };
    let kind = match (t.op, path.as_str()) {
        (Op::IsSubset, "ipv4-addr:value") | (Op::IsSubset, "ipv6-addr:value") => Kind::Cidr,
        (_, _) if t.op != Op::Eq => return None,
        (_, "ipv4-addr:value") => ip(&text, false),
        (_, "ipv6-addr:value") => ip(&text, true),
        (_, "domain-name:value") => Kind::Domain,
        (_, "url:value") => Kind::Url,
        (_, "email-addr:value")
        | (_, "email-message:from_ref.value")
        | (_, "email-message:sender_ref.value") => Kind::Email,
        (_, "file:name") => Kind::Filename,
        (_, "autonomous-system:number") => Kind::Asn,
        (_, p) => {
            let alg = p.strip_prefix("file:hashes.")?;
            hash_kind(alg)?
        }
    };
    Some((kind, text))
}

/// The indicator texts (kind, text) of a known SCO, before normalisation.
pub fn sco_values(obj: &Value) -> Vec<(Kind, String)> {
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut out = Vec::new();
    match ty {
        "ipv4-addr" | "ipv6-addr" => {
            if let Some(v) = s("value") {
                let k = match (v.contains('/'), ty == "ipv6-addr") {
                    (true, _) => Kind::Cidr,
                    (false, true) => Kind::Ipv6,
                    (false, false) => Kind::Ipv4,
                };
                out.push((k, v));
            }
        }
        "domain-name" => out.extend(s("value").map(|v| (Kind::Domain, v))),
        "url" => out.extend(s("value").map(|v| (Kind::Url, v))),
        "email-addr" => out.extend(s("value").map(|v| (Kind::Email, v))),
        "autonomous-system" => {
            if let Some(n) = obj.get("number").and_then(Value::as_u64) {
                out.push((Kind::Asn, format!("AS{n}")));
            }
        }
        "file" => {
            if let Some(h) = obj.get("hashes").and_then(Value::as_object) {
                for (alg, v) in h {
                    if let (Some(k), Some(v)) = (hash_kind(alg), v.as_str()) {
                        out.push((k, v.to_owned()));
                    }
                }
            }
            out.extend(s("name").map(|v| (Kind::Filename, v)));
        }
        _ => {}
    }
    out
}

/// Whether an SCO type is one [`sco_values`] reads.
pub fn is_modelled_sco(ty: &str) -> bool {
    matches!(
        ty,
        "ipv4-addr"
            | "ipv6-addr"
            | "domain-name"
            | "url"
            | "email-addr"
            | "autonomous-system"
            | "file"
    )
}

/// `indicator_types` for a role (indicator-type-ov).
pub fn indicator_type(role: IndicatorRole) -> &'static str {
    match role {
        IndicatorRole::C2
        | IndicatorRole::Phishing
        | IndicatorRole::MalwareDistribution
        | IndicatorRole::Dropper
        | IndicatorRole::Payload
        | IndicatorRole::Exfiltration => "malicious-activity",
        IndicatorRole::Scanner => "anomalous-activity",
        IndicatorRole::Victim => "compromised",
        IndicatorRole::Unknown | IndicatorRole::Other => "unknown",
    }
}

/// Roles that describe malware, for which the export adds a `malware` object.
pub fn is_malware_role(role: IndicatorRole) -> bool {
    matches!(
        role,
        IndicatorRole::Payload | IndicatorRole::Dropper | IndicatorRole::MalwareDistribution
    )
}

/// The role of an incoming indicator: a label that is a role name (our own exports carry one),
/// else what `indicator_types` says when it says something specific.
pub fn role_of(obj: &Value) -> IndicatorRole {
    use hikeshi_domain::named::Named;
    let strs = |k: &str| {
        obj.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    for label in strs("labels") {
        if let Some(r) = IndicatorRole::all().iter().find(|r| r.as_str() == label) {
            return *r;
        }
    }
    if strs("indicator_types").contains(&"compromised") {
        return IndicatorRole::Victim;
    }
    IndicatorRole::Unknown
}
