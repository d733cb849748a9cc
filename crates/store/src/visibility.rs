//! Who may see what: TLP enforced in the query itself, so no view can forget it.

use crate::query::{Arg, Where};
use hikeshi_domain::UserId;

/// The person a read is made for. `System` (the command line on the server, background jobs)
/// sees everything; a user sees an incident marked TLP:RED only when named on it: its owner, its
/// creator, or a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    System,
    User(UserId),
}

impl Viewer {
    /// Restrict incidents aliased `alias` to those the viewer may see.
    pub(crate) fn restrict(self, w: &mut Where, alias: &str) {
        self.restrict_marked(w, alias, &format!("{alias}.tlp"));
    }

    /// Restrict rows marked with the TLP column `tlp_col` and belonging to the incident aliased
    /// `alias`: a TLP:RED marking is seen only by the people named on that incident. Used for
    /// incidents themselves and for per-incident context such as an indicator's link.
    pub(crate) fn restrict_marked(self, w: &mut Where, alias: &str, tlp_col: &str) {
        if let Viewer::User(u) = self {
            let p = w.arg(Arg::Int(u.0));
            // `IN (uncorrelated subquery)` rather than a correlated EXISTS: PostgreSQL computes the
            // viewer's memberships once (a hashed subplan) instead of probing per candidate row.
            w.and_raw(format!(
                "({tlp_col} <> 'red' OR {alias}.owner_id = {p} OR {alias}.created_by = {p} OR {alias}.id IN \
                 (SELECT m.incident_id FROM incident_members m WHERE m.user_id = {p}))"
            ));
        }
    }

    /// Restrict reports aliased `alias`: a report linked to an incident the viewer may not see
    /// is hidden with it.
    pub(crate) fn restrict_reports(self, w: &mut Where, alias: &str) {
        if let Viewer::User(u) = self {
            let p = w.arg(Arg::Int(u.0));
            w.and_raw(format!(
                "({alias}.incident_id IS NULL OR EXISTS (SELECT 1 FROM incidents vi WHERE vi.id = {alias}.incident_id AND \
                 (vi.tlp <> 'red' OR vi.owner_id = {p} OR vi.created_by = {p} OR vi.id IN \
                 (SELECT m.incident_id FROM incident_members m WHERE m.user_id = {p}))))"
            ));
        }
    }
}
