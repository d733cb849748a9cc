//! The stories themselves: plain async functions over a fresh store, grouped by subject.

pub(crate) use crate::backends::Fresh;
use hikeshi_domain::*;
use hikeshi_store::*;

pub(crate) fn report(subject: &str, body: &str) -> NewReport {
    NewReport {
        channel: Some(Channel::Web),
        reporter_name: "山田 太郎".into(),
        reporter_email: "taro@example.jp".into(),
        reporter_org: "Example ISP".into(),
        subject: subject.into(),
        body: body.into(),
        raw: format!("{subject}\n\n{body}").into_bytes(),
        raw_content_type: "text/plain; charset=utf-8".into(),
        client_addr: "192.0.2.7".into(),
        ..Default::default()
    }
}

pub(crate) fn new_incident(title: &str, category: Category, reports: Vec<ReportId>) -> NewIncident {
    NewIncident {
        title: title.into(),
        summary: String::new(),
        category,
        rsit: None,
        attacker: None,
        asset: None,
        tlp: Tlp::Amber,
        impact: Impact::default(),
        owner: None,
        reports,
        is_exercise: false,
    }
}

pub(crate) async fn user(s: &Store, name: &str, role: Role) -> User {
    s.create_user(
        &Actor::System,
        &NewUser {
            username: name.into(),
            display_name: name.into(),
            email: format!("{name}@example.jp"),
            role,
            lang: String::new(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            must_change_password: false,
        },
    )
    .await
    .unwrap()
}

pub(crate) fn ind(kind: Kind, value: &str) -> Indicator {
    Indicator {
        kind,
        value: value.into(),
    }
}

mod intake;
pub use intake::*;
mod incidents;
pub use incidents::*;
mod access;
pub use access::*;
mod indicators;
pub use indicators::*;
mod sharing;
pub use sharing::*;
mod stats_time;
pub use stats_time::*;
mod stats_counts;
pub use stats_counts::*;
mod outbox;
pub use outbox::*;
mod notify;
pub use notify::*;
mod sweep_jobs;
pub use sweep_jobs::*;
mod writeup;
pub use writeup::*;
mod graph;
pub use graph::*;
mod search;
pub use search::*;
mod lists;
pub use lists::*;
mod user_admin;
pub use user_admin::*;
mod facts;
pub use facts::*;
