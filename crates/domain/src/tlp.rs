//! Traffic Light Protocol 2.0, the marking that decides who may see what (DESIGN.md §3 rule 3).

use crate::named::Named;
use serde::{Deserialize, Serialize};

/// TLP 2.0 levels, ordered from least to most restrictive, so `a <= max` means "a may go where
/// max is allowed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tlp {
    #[serde(rename = "clear")]
    Clear,
    #[serde(rename = "green")]
    Green,
    #[serde(rename = "amber")]
    Amber,
    #[serde(rename = "amber+strict")]
    AmberStrict,
    #[serde(rename = "red")]
    Red,
}

impl Named for Tlp {
    const WHAT: &'static str = "tlp";
    fn all() -> &'static [Self] {
        &[
            Tlp::Clear,
            Tlp::Green,
            Tlp::Amber,
            Tlp::AmberStrict,
            Tlp::Red,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "clear",
            Tlp::Green => "green",
            Tlp::Amber => "amber",
            Tlp::AmberStrict => "amber+strict",
            Tlp::Red => "red",
        }
    }
}

impl Tlp {
    /// Parse TLP 2.0 and TLP 1.0 spellings, with or without the `TLP:` prefix, any case:
    /// `TLP:WHITE` (1.0) is `clear`.
    pub fn parse(s: &str) -> Result<Tlp, crate::DomainError> {
        let t = s.trim().to_ascii_lowercase();
        let t = t.strip_prefix("tlp:").unwrap_or(&t).trim();
        match t {
            "white" => Ok(Tlp::Clear),
            other => crate::named::parse_named(other),
        }
    }

    /// The display form, `TLP:AMBER+STRICT`.
    pub fn label(self) -> String {
        format!("TLP:{}", self.as_str().to_ascii_uppercase())
    }

    /// Whether the marking restricts the item to the people named on it. TLP:RED is for the
    /// named recipients only; AMBER+STRICT is for the recipient organisation only, which in a
    /// single-team tool we treat the same way inside hikeshi (the incident's people) so it never
    /// leaks through a wider view.
    pub fn named_only(self) -> bool {
        matches!(self, Tlp::Red)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlp_parses_both_versions_and_orders_by_restriction() {
        assert_eq!(Tlp::parse("TLP:WHITE").unwrap(), Tlp::Clear);
        assert_eq!(Tlp::parse("tlp:amber+strict").unwrap(), Tlp::AmberStrict);
        assert_eq!(Tlp::parse(" RED ").unwrap(), Tlp::Red);
        assert!(Tlp::parse("purple").is_err());
        assert!(
            Tlp::Clear < Tlp::Green && Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red
        );
        assert_eq!(Tlp::AmberStrict.label(), "TLP:AMBER+STRICT");
    }
}
