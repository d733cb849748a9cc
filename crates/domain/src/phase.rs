//! The phases of an incident (DESIGN.md §2) and which moves between them are allowed.

use serde::{Deserialize, Serialize};

/// `new → triage → analysis → containment → eradication → recovery → lessons → closed`, plus
/// `rejected` (not an incident) and `merged` (folded into another incident).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    New,
    Triage,
    Analysis,
    Containment,
    Eradication,
    Recovery,
    Lessons,
    Closed,
    Rejected,
    Merged,
}

impl Phase {
    pub const ALL: [Phase; 10] = [
        Phase::New,
        Phase::Triage,
        Phase::Analysis,
        Phase::Containment,
        Phase::Eradication,
        Phase::Recovery,
        Phase::Lessons,
        Phase::Closed,
        Phase::Rejected,
        Phase::Merged,
    ];

    /// The phases of the handling loop in order, for steppers and statistics.
    pub const LOOP: [Phase; 8] = [
        Phase::New,
        Phase::Triage,
        Phase::Analysis,
        Phase::Containment,
        Phase::Eradication,
        Phase::Recovery,
        Phase::Lessons,
        Phase::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::New => "new",
            Phase::Triage => "triage",
            Phase::Analysis => "analysis",
            Phase::Containment => "containment",
            Phase::Eradication => "eradication",
            Phase::Recovery => "recovery",
            Phase::Lessons => "lessons",
            Phase::Closed => "closed",
            Phase::Rejected => "rejected",
            Phase::Merged => "merged",
        }
    }

    /// Position in the loop; `None` for rejected and merged.
    pub fn loop_index(self) -> Option<usize> {
        Phase::LOOP.iter().position(|p| *p == self)
    }

    /// Open means someone still has to act on it.
    pub fn is_open(self) -> bool {
        !matches!(self, Phase::Closed | Phase::Rejected | Phase::Merged)
    }

    /// Whether a handler may move an incident from `self` to `to`.
    ///
    /// Going back is allowed on purpose (new hosts found during recovery send the incident back to
    /// analysis; a closed incident can be reopened). What is refused: staying put, returning to
    /// `new` (an incident that has been looked at is never new again), entering `merged` except
    /// through the merge operation, and leaving `merged` (the other incident carries on).
    pub fn check_move(self, to: Phase) -> Result<(), crate::DomainError> {
        let refuse = |why: &'static str| {
            Err(crate::DomainError::InvalidTransition {
                from: self,
                to,
                why,
            })
        };
        if self == to {
            return refuse("the incident is already in that phase");
        }
        if self == Phase::Merged {
            return refuse("a merged incident is handled in the incident it was merged into");
        }
        if to == Phase::Merged {
            return refuse("use the merge operation to merge incidents");
        }
        if to == Phase::New {
            return refuse("an incident cannot go back to new once triage has begun");
        }
        Ok(())
    }
}

impl crate::named::Named for Phase {
    const WHAT: &'static str = "phase";
    fn all() -> &'static [Self] {
        &Phase::ALL
    }
    fn as_str(self) -> &'static str {
        Phase::as_str(self)
    }
}

impl std::str::FromStr for Phase {
    type Err = crate::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::named::parse_named(s)
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Phase::*;
    use super::*;

    #[test]
    fn moves_forward_backward_and_reopening_are_allowed() {
        for (from, to) in [
            (New, Triage),
            (Triage, Analysis),
            (Analysis, Containment),
            (Recovery, Analysis),
            (Closed, Analysis),
            (New, Rejected),
            (Rejected, Triage),
            (Containment, Closed),
        ] {
            assert!(
                from.check_move(to).is_ok(),
                "{from} -> {to} should be allowed"
            );
        }
    }

    #[test]
    fn staying_returning_to_new_and_merging_by_phase_are_refused() {
        for (from, to) in [
            (Triage, Triage),
            (Analysis, New),
            (Triage, Merged),
            (Merged, Analysis),
        ] {
            assert!(
                from.check_move(to).is_err(),
                "{from} -> {to} should be refused"
            );
        }
    }

    #[test]
    fn phases_round_trip_through_their_names() {
        for p in Phase::ALL {
            assert_eq!(p.as_str().parse::<Phase>().unwrap(), p);
        }
        assert!("done".parse::<Phase>().is_err());
    }
}
