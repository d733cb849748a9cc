//! Priority from the NIST SP 800-61 impact factors, and the SLA targets it sets.
//!
//! The rule is a documented, configurable point score rather than a fixed matrix: each factor
//! level carries points, the points add up, and thresholds turn the sum into P1…P4. A matrix over
//! five factors would have hundreds of cells nobody reviews; a sum with four thresholds can be
//! read, explained to management, and changed in the configuration file.

use crate::named::Named;
use crate::taxonomy::AttackerClass;
use serde::{Deserialize, Serialize};

/// NIST r2 Table 3-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionalImpact {
    None,
    Low,
    Medium,
    High,
}

impl Named for FunctionalImpact {
    const WHAT: &'static str = "functional";
    fn all() -> &'static [Self] {
        &[Self::None, Self::Low, Self::Medium, Self::High]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

/// NIST r2 Table 3-3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InformationImpact {
    None,
    Privacy,
    Proprietary,
    Integrity,
}

impl Named for InformationImpact {
    const WHAT: &'static str = "information";
    fn all() -> &'static [Self] {
        &[
            Self::None,
            Self::Privacy,
            Self::Proprietary,
            Self::Integrity,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Privacy => "privacy",
            Self::Proprietary => "proprietary",
            Self::Integrity => "integrity",
        }
    }
}

/// NIST r2 Table 3-4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recoverability {
    Regular,
    Supplemented,
    Extended,
    NotRecoverable,
}

impl Named for Recoverability {
    const WHAT: &'static str = "recoverability";
    fn all() -> &'static [Self] {
        &[
            Self::Regular,
            Self::Supplemented,
            Self::Extended,
            Self::NotRecoverable,
        ]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Regular => "regular",
            Self::Supplemented => "supplemented",
            Self::Extended => "extended",
            Self::NotRecoverable => "not-recoverable",
        }
    }
}

/// How much the organisation depends on the affected assets (r3 RS.MA N2 "asset criticality").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
}

impl Named for Criticality {
    const WHAT: &'static str = "criticality";
    fn all() -> &'static [Self] {
        &[Self::Low, Self::Medium, Self::High, Self::Critical]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// The factors a handler sets; priority is derived from them, never stored as a free field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub functional: FunctionalImpact,
    pub information: InformationImpact,
    pub recoverability: Recoverability,
    pub criticality: Criticality,
}

impl Default for Impact {
    fn default() -> Self {
        Impact {
            functional: FunctionalImpact::None,
            information: InformationImpact::None,
            recoverability: Recoverability::Regular,
            criticality: Criticality::Medium,
        }
    }
}

/// P1 is the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Priority {
    #[serde(rename = "p1")]
    P1,
    #[serde(rename = "p2")]
    P2,
    #[serde(rename = "p3")]
    P3,
    #[serde(rename = "p4")]
    P4,
}

impl Named for Priority {
    const WHAT: &'static str = "priority";
    fn all() -> &'static [Self] {
        &[Self::P1, Self::P2, Self::P3, Self::P4]
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::P1 => "p1",
            Self::P2 => "p2",
            Self::P3 => "p3",
            Self::P4 => "p4",
        }
    }
}

/// Points per level of each factor (index = level in declaration order) and the score at or
/// above which each priority applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriorityRule {
    pub functional: [u32; 4],
    pub information: [u32; 4],
    pub recoverability: [u32; 4],
    pub criticality: [u32; 4],
    /// unknown, hacktivist, financial, targeted
    pub attacker: [u32; 4],
    /// minimum score for P1, P2, P3; anything lower is P4.
    pub thresholds: [u32; 3],
}

impl Default for PriorityRule {
    /// A high functional impact on a critical asset is P1 on its own (3 + 3 + … ≥ 6 with
    /// anything else); no impact at all is P4 whatever the attacker.
    fn default() -> Self {
        PriorityRule {
            functional: [0, 1, 2, 4],
            information: [0, 2, 2, 3],
            recoverability: [0, 1, 2, 3],
            criticality: [0, 1, 2, 3],
            attacker: [0, 1, 1, 2],
            thresholds: [8, 5, 2],
        }
    }
}

fn rank<T: Named + PartialEq>(v: T) -> usize {
    T::all().iter().position(|x| *x == v).unwrap_or(0)
}

impl PriorityRule {
    pub fn score(&self, impact: &Impact, attacker: AttackerClass) -> u32 {
        self.functional[rank(impact.functional)]
            + self.information[rank(impact.information)]
            + self.recoverability[rank(impact.recoverability)]
            + self.criticality[rank(impact.criticality)]
            + self.attacker[rank(attacker)]
    }

    pub fn priority(&self, impact: &Impact, attacker: AttackerClass) -> Priority {
        let s = self.score(impact, attacker);
        let [p1, p2, p3] = self.thresholds;
        if s >= p1 {
            Priority::P1
        } else if s >= p2 {
            Priority::P2
        } else if s >= p3 {
            Priority::P3
        } else {
            Priority::P4
        }
    }
}

/// Targets in minutes from the moment the first report was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    pub acknowledge: i64,
    pub first_response: i64,
    pub containment: i64,
}

/// One set of targets per priority, configurable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaPolicy {
    pub p1: SlaTargets,
    pub p2: SlaTargets,
    pub p3: SlaTargets,
    pub p4: SlaTargets,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let t = |a, f, c| SlaTargets {
            acknowledge: a,
            first_response: f,
            containment: c,
        };
        SlaPolicy {
            p1: t(15, 60, 4 * 60),
            p2: t(60, 4 * 60, 24 * 60),
            p3: t(4 * 60, 24 * 60, 3 * 24 * 60),
            p4: t(24 * 60, 3 * 24 * 60, 14 * 24 * 60),
        }
    }
}

/// When each clock runs out, as Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaDue {
    pub acknowledge: i64,
    pub first_response: i64,
    pub containment: i64,
}

impl SlaPolicy {
    pub fn targets(&self, p: Priority) -> SlaTargets {
        match p {
            Priority::P1 => self.p1,
            Priority::P2 => self.p2,
            Priority::P3 => self.p3,
            Priority::P4 => self.p4,
        }
    }

    /// Due times counted from `reported_at_ms`, the receipt of the first report: the clock
    /// starts when the outside world told us, not when someone opened the incident.
    pub fn due(&self, p: Priority, reported_at_ms: i64) -> SlaDue {
        let t = self.targets(p);
        let m = 60_000;
        SlaDue {
            acknowledge: reported_at_ms + t.acknowledge * m,
            first_response: reported_at_ms + t.first_response * m,
            containment: reported_at_ms + t.containment * m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impact(
        f: FunctionalImpact,
        i: InformationImpact,
        r: Recoverability,
        c: Criticality,
    ) -> Impact {
        Impact {
            functional: f,
            information: i,
            recoverability: r,
            criticality: c,
        }
    }

    #[test]
    fn default_rule_table() {
        use AttackerClass as A;
        use Criticality as C;
        use FunctionalImpact as F;
        use InformationImpact as I;
        use Recoverability as R;
        let rule = PriorityRule::default();
        let table = [
            (
                impact(F::None, I::None, R::Regular, C::Low),
                A::Unknown,
                Priority::P4,
            ),
            (
                impact(F::None, I::None, R::Regular, C::Critical),
                A::Targeted,
                Priority::P2,
            ),
            (
                impact(F::Low, I::None, R::Regular, C::Medium),
                A::Unknown,
                Priority::P3,
            ),
            (
                impact(F::High, I::None, R::Regular, C::Critical),
                A::Unknown,
                Priority::P2,
            ),
            (
                impact(F::High, I::Privacy, R::Supplemented, C::High),
                A::Financial,
                Priority::P1,
            ),
            (
                impact(F::Medium, I::Integrity, R::Regular, C::Medium),
                A::Unknown,
                Priority::P2,
            ),
            (
                impact(F::High, I::Integrity, R::NotRecoverable, C::Critical),
                A::Targeted,
                Priority::P1,
            ),
        ];
        for (imp, att, want) in table {
            assert_eq!(
                rule.priority(&imp, att),
                want,
                "{imp:?} {att:?} score {}",
                rule.score(&imp, att)
            );
        }
    }

    #[test]
    fn thresholds_are_configurable() {
        let rule = PriorityRule {
            thresholds: [1, 1, 1],
            ..Default::default()
        };
        let low = impact(
            FunctionalImpact::Low,
            InformationImpact::None,
            Recoverability::Regular,
            Criticality::Low,
        );
        assert_eq!(rule.priority(&low, AttackerClass::Unknown), Priority::P1);
    }

    #[test]
    fn sla_due_times_count_from_the_first_report() {
        let due = SlaPolicy::default().due(Priority::P1, 1_000);
        assert_eq!(due.acknowledge, 1_000 + 15 * 60_000);
        assert_eq!(due.first_response, 1_000 + 60 * 60_000);
        assert_eq!(due.containment, 1_000 + 240 * 60_000);
    }
}
