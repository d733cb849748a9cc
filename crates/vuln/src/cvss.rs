//! CVSS vectors, parsed and scored by RustSec's `cvss` crate (v3.0, v3.1, v4.0). Writing our own
//! calculator was rejected: the v4 scoring tables alone are hundreds of entries to get wrong.

use std::str::FromStr;

/// A severity as stated by an advisory: the vector, and the base score computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Severity {
    /// `CVSS_V3`, `CVSS_V4` (OSV spelling).
    pub kind: String,
    pub vector: String,
    pub base_score: f64,
    /// `none`, `low`, `medium`, `high`, `critical`.
    pub rating: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CVSS vector {vector:?} is not valid: {reason}")]
pub struct CvssError {
    pub vector: String,
    pub reason: String,
}

/// Parses a `CVSS:3.x/…` or `CVSS:4.0/…` vector and computes its base score.
///
/// ```
/// let s = hikeshi_vuln::cvss::parse_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N").unwrap();
/// assert_eq!(s.base_score, 7.5);
/// assert_eq!(s.rating, "high");
/// ```
pub fn parse_vector(vector: &str) -> Result<Severity, CvssError> {
    let vector = vector.trim();
    let parsed = cvss::Cvss::from_str(vector).map_err(|e| CvssError {
        vector: vector.to_owned(),
        reason: e.to_string(),
    })?;
    let kind = if vector.starts_with("CVSS:4.") {
        "CVSS_V4"
    } else {
        "CVSS_V3"
    };
    Ok(Severity {
        kind: kind.to_owned(),
        vector: vector.to_owned(),
        base_score: parsed.score(),
        rating: parsed.severity().to_string().to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_vectors_are_scored() {
        let s = parse_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
            .unwrap();
        assert_eq!((s.kind.as_str(), s.base_score), ("CVSS_V4", 9.3));
    }

    #[test]
    fn a_broken_vector_is_an_error_naming_it() {
        let e = parse_vector("CVSS:3.1/AV:X").unwrap_err();
        assert_eq!(e.vector, "CVSS:3.1/AV:X");
    }
}
