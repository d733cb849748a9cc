//! CPE 2.3 formatted strings and NVD-style applicability (version start/end bounds).

/// A CPE 2.3 name, `cpe:2.3:part:vendor:product:version:update:…`, with the fields matching
/// needs. `*` (ANY) and `-` (NA) are kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    pub part: String,
    pub vendor: String,
    pub product: String,
    pub version: String,
    pub update: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CPE {cpe:?} is not valid: {reason}")]
pub struct CpeError {
    pub cpe: String,
    pub reason: String,
}

impl Cpe {
    /// Parses the CPE 2.3 formatted-string binding (`cpe:2.3:a:openssl:openssl:1.0.1f:*:…`).
    /// Escaped characters (`\:`) are kept escaped except that the backslash is dropped.
    pub fn parse(text: &str) -> Result<Cpe, CpeError> {
        let bad = |why: &str| CpeError {
            cpe: text.to_owned(),
            reason: why.to_owned(),
        };
        let mut fields = Vec::with_capacity(13);
        let mut cur = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(n) => cur.push(n),
                    None => return Err(bad("ends with a lone backslash")),
                },
                ':' => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        if fields.len() != 13 || fields[0] != "cpe" || fields[1] != "2.3" {
            return Err(bad(
                "expected `cpe:2.3:` and 11 more colon-separated fields",
            ));
        }
        if !matches!(fields[2].as_str(), "a" | "o" | "h" | "*") {
            return Err(bad("part must be a, o, h or *"));
        }
        if fields[3].is_empty() || fields[4].is_empty() {
            return Err(bad("empty vendor or product"));
        }
        let take = |i: usize| fields[i].to_ascii_lowercase();
        Ok(Cpe {
            part: take(2),
            vendor: take(3),
            product: take(4),
            version: take(5),
            update: take(6),
        })
    }

    /// Parses a CPE 2.2 URI (`cpe:/a:openssl:openssl:1.0.1f`), as JVN writes them. Missing
    /// trailing fields are ANY; percent-escapes are decoded only for `%2f`-style ASCII.
    pub fn parse_uri(text: &str) -> Result<Cpe, CpeError> {
        let bad = |why: &str| CpeError {
            cpe: text.to_owned(),
            reason: why.to_owned(),
        };
        let rest = text
            .trim()
            .strip_prefix("cpe:/")
            .ok_or_else(|| bad("a CPE 2.2 URI starts with `cpe:/`"))?;
        let mut f = rest.split(':');
        let mut next = || {
            f.next()
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
        };
        let part = next().ok_or_else(|| bad("no part"))?;
        if !matches!(part.as_str(), "a" | "o" | "h") {
            return Err(bad("part must be a, o or h"));
        }
        let vendor = next().ok_or_else(|| bad("no vendor"))?;
        let product = next().ok_or_else(|| bad("no product"))?;
        let version = next().unwrap_or_else(|| "*".to_owned());
        let update = next().unwrap_or_else(|| "*".to_owned());
        Ok(Cpe {
            part,
            vendor,
            product,
            version,
            update,
        })
    }
}

/// One CPE applicability statement: a CPE pattern plus optional version bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpeMatch {
    pub criteria: Cpe,
    pub vulnerable: bool,
    pub start_including: Option<String>,
    pub start_excluding: Option<String>,
    pub end_including: Option<String>,
    pub end_excluding: Option<String>,
}

impl CpeMatch {
    pub fn new(criteria: Cpe) -> CpeMatch {
        CpeMatch {
            criteria,
            vulnerable: true,
            start_including: None,
            start_excluding: None,
            end_including: None,
            end_excluding: None,
        }
    }

    pub fn has_bounds(&self) -> bool {
        self.start_including.is_some()
            || self.start_excluding.is_some()
            || self.end_including.is_some()
            || self.end_excluding.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpe_23_name_is_read_field_by_field() {
        let c = Cpe::parse("cpe:2.3:a:OpenSSL:openssl:1.0.1f:*:*:*:*:*:*:*").unwrap();
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str(), c.version.as_str()),
            ("openssl", "openssl", "1.0.1f")
        );
        let c = Cpe::parse(r"cpe:2.3:a:vendor:prod\:x:*:*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.product, "prod:x");
    }

    #[test]
    fn cpe_22_uris_and_short_names_are_rejected() {
        for bad in [
            "cpe:/a:openssl:openssl:1.0.1f",
            "cpe:2.3:a:openssl",
            "cpe:2.3:x:a:b:*:*:*:*:*:*:*:*",
        ] {
            assert!(Cpe::parse(bad).is_err(), "{bad}");
        }
    }
}
