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
        if let Some(c) = self.marked_clause(w, alias, tlp_col) {
            w.and_raw(c);
        }
    }

    /// The condition [`Viewer::restrict_marked`] adds, for use inside a larger clause; `None`
    /// for the system, which sees everything.
    pub(crate) fn marked_clause(self, w: &mut Where, alias: &str, tlp_col: &str) -> Option<String> {
        let Viewer::User(u) = self else { return None };
        let p = w.arg(Arg::Int(u.0));
        // `IN (uncorrelated subquery)` rather than a correlated EXISTS: PostgreSQL computes the
        // viewer's memberships once (a hashed subplan) instead of probing per candidate row.
        Some(format!(
            "({tlp_col} <> 'red' OR {alias}.owner_id = {p} OR {alias}.created_by = {p} OR {alias}.id IN \
             (SELECT m.incident_id FROM incident_members m WHERE m.user_id = {p}))"
        ))
    }

    /// Restrict indicators whose id is the column `id_col` to those the viewer may know of:
    /// held by an incident they may see under a link they may see, mentioned by a report they
    /// may see, or received from outside under a marking other than TLP:RED. A value known only
    /// from TLP:RED context never shows through a neighbouring view.
    pub(crate) fn restrict_indicators(self, w: &mut Where, id_col: &str) {
        if self == Viewer::System {
            return;
        }
        let inc = self.marked_clause(w, "vi", "vi.tlp").unwrap_or_default();
        let link = self.marked_clause(w, "vi", "vl.tlp").unwrap_or_default();
        let report = self.reports_clause(w, "vr").unwrap_or_default();
        w.and_raw(format!(
            "(EXISTS (SELECT 1 FROM incident_indicators vl JOIN incidents vi ON vi.id = vl.incident_id \
             WHERE vl.indicator_id = {id_col} AND {inc} AND {link}) \
             OR EXISTS (SELECT 1 FROM report_indicators vri JOIN reports vr ON vr.id = vri.report_id \
             WHERE vri.indicator_id = {id_col} AND {report}) \
             OR EXISTS (SELECT 1 FROM indicator_sources vs WHERE vs.indicator_id = {id_col} AND vs.tlp <> 'red'))"
        ));
    }

    /// Restrict reports aliased `alias`: a report linked to an incident the viewer may not see
    /// is hidden with it.
    pub(crate) fn restrict_reports(self, w: &mut Where, alias: &str) {
        if let Some(c) = self.reports_clause(w, alias) {
            w.and_raw(c);
        }
    }

    /// Restrict the one report aliased `alias` (looked up by id) the same way, checked against
    /// its own incident through the primary key: [`Viewer::reports_clause`] reads every TLP:RED
    /// incident once, which pays for a list but not for one row (1.4 ms against 0.04 ms with
    /// 5,000 of them on PostgreSQL).
    pub(crate) fn restrict_report(self, w: &mut Where, alias: &str) {
        let Viewer::User(u) = self else { return };
        let p = w.arg(Arg::Int(u.0));
        w.and_raw(format!(
            "NOT EXISTS (SELECT 1 FROM incidents vi WHERE vi.id = {alias}.incident_id AND {})",
            red_unnamed(&p)
        ));
    }

    /// The condition [`Viewer::restrict_reports`] adds; `None` for the system. Written as "not
    /// linked to one of the TLP:RED incidents the viewer is not named on": that set is small
    /// and read once through the partial index `incidents_red` (migration 0017), where "linked
    /// to an incident the viewer may see" made PostgreSQL hash every visible incident for each
    /// list request.
    pub(crate) fn reports_clause(self, w: &mut Where, alias: &str) -> Option<String> {
        let Viewer::User(u) = self else { return None };
        let p = w.arg(Arg::Int(u.0));
        Some(format!(
            "({alias}.incident_id IS NULL OR {alias}.incident_id NOT IN (SELECT vi.id FROM incidents vi \
             WHERE {}))",
            red_unnamed(&p)
        ))
    }
}

/// "The incident aliased `vi` is TLP:RED and the user `p` (a placeholder) is not named on it".
fn red_unnamed(p: &str) -> String {
    format!(
        "vi.tlp = 'red' AND COALESCE(vi.owner_id, 0) <> {p} AND COALESCE(vi.created_by, 0) <> {p} \
         AND vi.id NOT IN (SELECT m.incident_id FROM incident_members m WHERE m.user_id = {p})"
    )
}
