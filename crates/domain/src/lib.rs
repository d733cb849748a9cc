//! hikeshi-domain: the pure core of hikeshi.
//!
//! The objects of DESIGN.md §2 and the rules over them, with no I/O: [`Phase`] and which moves
//! between phases are allowed, the two classifications ([`Category`] for JPCERT/CC statistics,
//! [`Rsit`] for machine exchange) and their default mapping, [`Tlp`], the NIST impact factors and
//! the configurable [`PriorityRule`] and [`SlaPolicy`], the records ([`Report`], [`Incident`],
//! [`Task`], [`Decision`], [`TimelineEvent`], [`User`]) and the audit hash chain
//! ([`audit::verify_chain`]).
//!
//! ```
//! use hikeshi_domain::{Category, Classification, Impact, PriorityRule, Priority, Phase};
//! use hikeshi_domain::{FunctionalImpact, Criticality};
//!
//! let c = Classification::from_category(Category::Phishing);
//! assert_eq!(c.rsit.machine_tag(), "rsit:fraud=\"phishing\"");
//!
//! let impact = Impact { functional: FunctionalImpact::High, criticality: Criticality::Critical, ..Impact::default() };
//! assert_eq!(PriorityRule::default().priority(&impact, c.attacker), Priority::P2);
//!
//! assert!(Phase::Recovery.check_move(Phase::Analysis).is_ok()); // going back is allowed
//! assert!(Phase::Analysis.check_move(Phase::New).is_err());
//! ```

pub mod asset;
pub mod audit;
pub mod ids;
pub mod incident;
pub mod indicator;
pub mod named;
pub mod period;
pub mod phase;
pub mod priority;
pub mod report;
pub mod taxonomy;
pub mod time;
pub mod time_metrics;
pub mod tlp;
pub mod user;

pub use asset::{AssetRecord, Software};
pub use audit::Actor;
pub use ids::{DecisionId, EventId, IncidentId, IncidentNumber, ReportId, TaskId, UserId};
pub use incident::{Classification, Decision, Incident, Milestones, Task, TimelineEvent, Writeup};
pub use indicator::{
    Correlations, IncidentIndicator, IncidentLink, Indicator, IndicatorContext, IndicatorId,
    IndicatorRole, Kind, NewSighting, ReportIndicator, ReportLink, Sighting, SourceLink, WeakLink,
};
pub use named::{Named, names, parse_named};
pub use phase::Phase;
pub use priority::{
    Criticality, FunctionalImpact, Impact, InformationImpact, Priority, PriorityRule,
    Recoverability, SlaDue, SlaPolicy, SlaTargets,
};
pub use report::{
    AttachmentInfo, Channel, FoundIndicator, NewAttachment, NewReport, Report, ReportStatus,
    detect_lang, ticket_tag,
};
pub use taxonomy::{AssetClass, AttackerClass, Category, RSIT, Rsit};
pub use tlp::Tlp;
pub use user::{Role, User, check_password, check_username};

/// Why a domain rule refused something. Messages are for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("unknown {what} {value:?}")]
    Unknown { what: &'static str, value: String },
    #[error("cannot move from {from} to {to}: {why}")]
    InvalidTransition {
        from: Phase,
        to: Phase,
        why: &'static str,
    },
    #[error("{0:?} is not an incident number (expected HK-YYYY-NNNNNN)")]
    BadIncidentNumber(String),
    #[error("invalid {field}: {why}")]
    Invalid { field: &'static str, why: String },
}
