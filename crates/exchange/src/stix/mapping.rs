//! The tables between hikeshi's indicator kinds and roles and STIX: which SCO and pattern a kind
//! becomes, which pattern paths and SCO properties become which kind, and how roles map to the
//! `indicator-type-ov` vocabulary. docs/stix.md repeats these tables for people.

use std::borrow::Cow;
use std::io::{self, Write};

use hikeshi_domain::indicator::IndicatorRole;
use hikeshi_ioc::{Indicator, Kind};
use serde_json::Value;
use uuid::Uuid;

use super::ids;
use super::json::write_str;
use super::pattern::{Literal, Op, Test, quote_into};

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

/// The SCO one indicator becomes, before anything is written: what the export writes its
/// members, pattern and id from without building strings, and what [`observable`] formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sco<'a> {
    pub sco_type: &'static str,
    prop: Prop,
    /// The property's value (for a URL, already percent-encoded by [`uri_safe`]).
    value: Cow<'a, str>,
}

/// Which property of the SCO holds the value, and how the pattern compares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prop {
    /// `value`, compared with `=`.
    Value,
    /// `value`, compared with `ISSUBSET` (a CIDR).
    Subnet,
    /// `hashes.<algorithm>`.
    Hash(&'static str),
    /// `name` (a file name).
    Name,
    /// `number` (an AS), an integer in JSON and in the pattern.
    Number(u64),
}

impl<'a> Sco<'a> {
    /// The SCO for an indicator, or why it has none (`other`; `cve` is a vulnerability, not an
    /// observable).
    pub fn of(ind: &'a Indicator) -> Result<Sco<'a>, &'static str> {
        let v = ind.value.as_str();
        let sco = |sco_type, prop| Sco {
            sco_type,
            prop,
            value: Cow::Borrowed(v),
        };
        Ok(match ind.kind {
            Kind::Ipv4 => sco("ipv4-addr", Prop::Value),
            Kind::Ipv6 => sco("ipv6-addr", Prop::Value),
            Kind::Cidr if v.contains(':') => sco("ipv6-addr", Prop::Subnet),
            Kind::Cidr => sco("ipv4-addr", Prop::Subnet),
            Kind::Domain => sco("domain-name", Prop::Value),
            Kind::Url => Sco {
                sco_type: "url",
                prop: Prop::Value,
                value: uri_safe(v),
            },
            Kind::Email => sco("email-addr", Prop::Value),
            Kind::Md5 | Kind::Sha1 | Kind::Sha256 | Kind::Sha512 => sco(
                "file",
                Prop::Hash(hash_algorithm(ind.kind).unwrap_or("MD5")),
            ),
            Kind::Filename => sco("file", Prop::Name),
            Kind::Asn => {
                let n: u64 = v
                    .trim_start_matches(['A', 'S', 'a', 's'])
                    .parse()
                    .map_err(|_| "ASN value is not AS<number>")?;
                sco("autonomous-system", Prop::Number(n))
            }
            Kind::Cve => return Err("a CVE is written as a vulnerability object"),
            Kind::Other => {
                return Err("kind \"other\" has no STIX observable type or pattern path");
            }
        })
    }

    /// The SCO's own properties as JSON members (`"value":"…"`), after type/spec_version/id.
    pub fn write_members<W: Write + ?Sized>(&self, w: &mut W) -> io::Result<()> {
        match self.prop {
            Prop::Value | Prop::Subnet => w.write_all(b"\"value\":")?,
            Prop::Name => w.write_all(b"\"name\":")?,
            Prop::Hash(alg) => {
                w.write_all(b"\"hashes\":{\"")?;
                w.write_all(alg.as_bytes())?;
                w.write_all(b"\":")?;
            }
            Prop::Number(n) => return write!(w, "\"number\":{n}"),
        }
        write_str(w, &self.value)?;
        if let Prop::Hash(_) = self.prop {
            w.write_all(b"}")?;
        }
        Ok(())
    }

    /// The SCO's deterministic id (STIX 2.1 §2.9: UUIDv5 over the canonical JSON of its
    /// ID-contributing properties, which are exactly its members). `scratch` is reused.
    pub fn uuid(&self, scratch: &mut Vec<u8>) -> Uuid {
        scratch.clear();
        scratch.push(b'{');
        // Writing to a Vec cannot fail.
        let _ = self.write_members(scratch);
        scratch.push(b'}');
        ids::sco_uuid(scratch)
    }

    /// The pattern matching this SCO, appended to `out`.
    pub fn push_pattern(&self, out: &mut String) {
        out.push('[');
        out.push_str(self.sco_type);
        match self.prop {
            Prop::Value => out.push_str(":value = "),
            Prop::Subnet => out.push_str(":value ISSUBSET "),
            Prop::Name => out.push_str(":name = "),
            Prop::Hash(alg) => {
                out.push_str(":hashes.");
                quote_into(out, alg);
                out.push_str(" = ");
            }
            Prop::Number(n) => {
                out.push_str(":number = ");
                out.push_str(&n.to_string());
                out.push(']');
                return;
            }
        }
        quote_into(out, &self.value);
        out.push(']');
    }
}

/// The SCO and pattern for an indicator, or why it has none (`other`; `cve` is a
/// vulnerability, not an observable).
pub fn observable(ind: &Indicator) -> Result<Observable, &'static str> {
    let sco = Sco::of(ind)?;
    let mut members = Vec::new();
    sco.write_members(&mut members)
        .map_err(|_| "cannot write the observable")?;
    let members = String::from_utf8(members).map_err(|_| "cannot write the observable")?;
    let mut pattern = String::new();
    sco.push_pattern(&mut pattern);
    let uuid = sco.uuid(&mut Vec::new());
    Ok(Observable {
        sco_type: sco.sco_type,
        id: format!("{}--{uuid}", sco.sco_type),
        members,
        pattern,
    })
}

/// A URL as an RFC 3986 URI: STIX `url:value` must be one, and hikeshi keeps what the handler
/// saw (a backslash, a space, a Japanese path). Bytes outside the URI character set, and `[`/`]`
/// outside an IP-literal host, are percent-encoded; everything else (including `'`) is left alone.
pub fn uri_safe(v: &str) -> Cow<'_, str> {
    const URI_BYTES: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = (b as u8).is_ascii_alphanumeric();
            b += 1;
        }
        let punct = b"-._~:/?#[]@!$&'()*+,;=%";
        let mut i = 0;
        while i < punct.len() {
            t[punct[i] as usize] = true;
            i += 1;
        }
        t
    };
    // `[` and `]` are URI characters only around an IP-literal host (RFC 3986 §3.2.2); in the
    // path, query or fragment they must be percent-encoded.
    let auth_start = v.find("://").map_or(0, |i| i + 3);
    let auth_end = v[auth_start..]
        .find(['/', '?', '#'])
        .map_or(v.len(), |i| auth_start + i);
    let ok_at =
        |i: usize, b: u8| URI_BYTES[usize::from(b)] && (i < auth_end || (b != b'[' && b != b']'));
    if v.bytes().enumerate().all(|(i, b)| ok_at(i, b)) {
        return Cow::Borrowed(v);
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(v.len() + 16);
    for (i, b) in v.bytes().enumerate() {
        if ok_at(i, b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    Cow::Owned(out)
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

#[cfg(test)]
mod uri_tests {
    use super::uri_safe;

    #[test]
    fn brackets_stay_only_around_an_ip_literal_host() {
        assert_eq!(
            uri_safe("http://[2001:db8::1]:8080/a"),
            "http://[2001:db8::1]:8080/a"
        );
        assert_eq!(
            uri_safe("https://evil.example.com/a%20b/c?d=e#f[g]@h"),
            "https://evil.example.com/a%20b/c?d=e#f%5Bg%5D@h"
        );
        assert_eq!(uri_safe("http://[::1]/x?y=[z]"), "http://[::1]/x?y=%5Bz%5D");
        assert_eq!(
            uri_safe("https://example.jp/日本"),
            "https://example.jp/%E6%97%A5%E6%9C%AC"
        );
        assert!(matches!(
            uri_safe("https://example.jp/ok"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
