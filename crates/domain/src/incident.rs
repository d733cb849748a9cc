//! An incident, the unit of handling, and the things that hang off it: timeline events, tasks
//! and decisions.

use crate::ids::{DecisionId, EventId, IncidentId, IncidentNumber, TaskId, UserId};
use crate::phase::Phase;
use crate::priority::{Impact, Priority, SlaDue};
use crate::taxonomy::{AssetClass, AttackerClass, Category, Rsit};
use crate::tlp::Tlp;
use serde::Serialize;

/// How an incident is classified. Changing it is recorded as a timeline event, so the history of
/// reclassification is kept (ENISA: at report, during resolution, at closure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub category: Category,
    pub rsit: Rsit,
    pub attacker: AttackerClass,
    pub asset: AssetClass,
}

impl Classification {
    /// The classification a category implies by default (DESIGN.md §2 table).
    pub fn from_category(category: Category) -> Classification {
        Classification {
            category,
            rsit: category.default_rsit(),
            attacker: category
                .implied_attacker()
                .unwrap_or(AttackerClass::Unknown),
            asset: category.implied_asset().unwrap_or(AssetClass::It),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub id: IncidentId,
    pub number: IncidentNumber,
    pub title: String,
    pub summary: String,
    pub phase: Phase,
    pub classification: Classification,
    pub tlp: Tlp,
    pub impact: Impact,
    pub priority: Priority,
    pub sla: SlaDue,
    pub owner: Option<UserId>,
    /// Receipt of the first report: the SLA clocks count from here.
    pub reported_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub acknowledged_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub contained_at: Option<i64>,
    pub closed_at: Option<i64>,
    /// When the owner of the affected system (the person who can act) was reached: the
    /// headline metric runs from `reported_at` to here.
    pub owner_reached_at: Option<i64>,
    pub merged_into: Option<IncidentId>,
    pub is_exercise: bool,
    pub created_by: Option<UserId>,
    pub writeup: Writeup,
    /// The constituency (the team's customer, site or queue) it belongs to: free text, trimmed,
    /// empty when not known. Taken from the mailbox label of the report it was created from.
    pub constituency: String,
    /// When the first notification about it was sent to a party outside (a coordinated case).
    pub coordinated_at: Option<i64>,
}

/// What the handler writes about an incident for its report, beyond title and summary: the
/// impact in words, the accounts and data in scope (hosts come from sightings), and the lessons
/// learned. Empty strings are "not written yet".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Writeup {
    pub impact: String,
    pub accounts: String,
    pub data: String,
    pub lessons: String,
}

impl Writeup {
    /// The fields by name, in report order (the names are the API's and the timeline's).
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        [
            ("impact", &self.impact),
            ("accounts", &self.accounts),
            ("data", &self.data),
            ("lessons", &self.lessons),
        ]
    }
}

impl Incident {
    /// The clocks that a phase change stops, first time only: leaving `new` acknowledges,
    /// reaching analysis (or beyond) is the first response, and moving past containment means it
    /// was contained. Returns which timestamps to set now.
    pub fn milestones_reached(&self, to: Phase) -> Milestones {
        let idx = to.loop_index().unwrap_or(0);
        let a = Phase::Analysis.loop_index().unwrap_or(0);
        let c = Phase::Containment.loop_index().unwrap_or(0);
        Milestones {
            acknowledged: self.acknowledged_at.is_none() && to != Phase::New,
            first_response: self.first_response_at.is_none() && idx >= a,
            contained: self.contained_at.is_none() && idx > c,
            closed: to == Phase::Closed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Milestones {
    pub acknowledged: bool,
    pub first_response: bool,
    pub contained: bool,
    pub closed: bool,
}

/// One entry of an incident's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub id: EventId,
    pub incident_id: IncidentId,
    pub at: i64,
    pub actor: Option<UserId>,
    pub actor_name: Option<String>,
    /// `created`, `phase`, `note`, `classified`, `report-linked`, `merged`, `task-added`,
    /// `task-done`, `decision`, `updated`.
    pub kind: String,
    /// Details as JSON; shape depends on `kind`.
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub id: TaskId,
    pub incident_id: IncidentId,
    pub title: String,
    pub assignee: Option<UserId>,
    pub assignee_name: Option<String>,
    pub due_at: Option<i64>,
    pub done_at: Option<i64>,
    pub created_at: i64,
}

/// "Who approved stopping which server, when."
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: DecisionId,
    pub incident_id: IncidentId,
    /// What was decided about: "stop web01 (192.0.2.10)".
    pub subject: String,
    /// The decision: "approved: isolate from the network until reimaged".
    pub decision: String,
    /// The person (or role) with the authority who made it.
    pub decided_by: String,
    pub decided_at: i64,
    pub recorded_by: Option<UserId>,
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targeted_attack_implies_apt_attacker_and_ics_implies_ics_assets() {
        let c = Classification::from_category(Category::Targeted);
        assert_eq!(c.attacker, AttackerClass::Targeted);
        assert_eq!(c.rsit.kind, "system-compromise");
        let c = Classification::from_category(Category::Ics);
        assert_eq!(c.asset, AssetClass::Ics);
    }
}
