//! Notifications from an incident to contacts and asset owners: choose the recipients, write
//! one message per recipient from the template in their language, and queue them in the outbox
//! with their notifications, all or nothing.
//!
//! Rules, in the order they apply:
//! - Recipients are aggregated by address: a contact chosen directly and again as an asset's
//!   owner gets one message, which remembers both routes.
//! - TLP is applied exactly as for every export ([`crate::sharing::share_set`] capped at the
//!   recipient's clearance): an indicator is never sent more widely than its incident, a
//!   recipient whose clearance is below the incident's marking is refused with the reason, and
//!   a TLP:RED incident is never notified at all. The message carries the highest marking of
//!   what it holds in its subject and body.
//! - Indicators are always defanged; more than [`CSV_THRESHOLD`] go as a CSV attachment
//!   (defanged only, UTF-8 with a BOM so Excel reads it).
//! - The subject always carries the ticket tag of the incident's first report (so a reply
//!   threads back even if an administrator's template forgot it) and the TLP label; the
//!   Message-ID is ours, so a reply's In-Reply-To marks the notification answered.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::msg_templates::{self as mt, TemplateError};
use crate::sharing::{Selection, share_set};
use axum::http::StatusCode;
use hikeshi_domain::{Incident, Named, Tlp};
use hikeshi_exchange::share::ShareSet;
use hikeshi_ioc::{DefangStyle, defang};
use hikeshi_mail::{Language, Mailbox, OutgoingAttachment, OutgoingMessage, TicketTag};
use hikeshi_store::{Contact, NewNotification, NewOutgoing, OutKind};
use minijinja::context;
use serde::{Deserialize, Serialize};

/// More indicators than this go as a CSV attachment rather than in the body.
pub const CSV_THRESHOLD: usize = 20;

/// What a handler asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyRequest {
    /// Contact ids.
    #[serde(default)]
    pub contacts: Vec<i64>,
    /// Asset names whose owners are to be notified.
    #[serde(default)]
    pub assets: Vec<String>,
    /// The template; by default `notification.<category>`, else `notification.other`.
    #[serde(default)]
    pub template: Option<String>,
    /// Indicator ids of the incident to include; all of them when absent.
    #[serde(default)]
    pub indicators: Option<Vec<i64>>,
    /// The handler's free text for this message (the `note` variable).
    #[serde(default)]
    pub note: String,
}

/// One recipient after aggregation.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    pub email: String,
    pub name: String,
    pub organisation: String,
    pub lang: &'static str,
    pub tlp_max: Tlp,
    pub contact_id: Option<i64>,
    pub routes: Vec<String>,
}

impl Recipient {
    fn of_contact(c: &Contact, route: String) -> Recipient {
        Recipient {
            email: c.email.clone(),
            name: c.name.clone(),
            organisation: c.organisation.clone(),
            lang: if c.lang == "ja" { "ja" } else { "en" },
            tlp_max: c.tlp_max,
            contact_id: Some(c.id),
            routes: vec![route],
        }
    }
}

/// The attachment of a long list.
#[derive(Debug, Clone, Serialize)]
pub struct CsvFile {
    pub filename: String,
    #[serde(skip)]
    pub data: Vec<u8>,
    pub size: usize,
}

/// One message, written and ready to queue (or to show as a preview).
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub recipient: Recipient,
    pub template: String,
    pub tlp: Tlp,
    pub subject: String,
    pub body: String,
    pub indicators: usize,
    /// Indicators of the selection the recipient's clearance left out.
    pub withheld: usize,
    pub attachment: Option<CsvFile>,
}

impl From<TemplateError> for AppError {
    fn from(e: TemplateError) -> AppError {
        match e {
            TemplateError::Store(s) => s.into(),
            TemplateError::UnknownTemplate(_) | TemplateError::UnknownLang(_) => {
                AppError::bad_request(e.to_string())
            }
            TemplateError::Invalid { .. } => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_template",
                e.to_string(),
            ),
        }
    }
}

/// The address in an asset's owner field (`Web team <web@example.jp>` or `web@example.jp`).
pub fn owner_address(owner: &str) -> Option<String> {
    owner
        .split(|c: char| c.is_whitespace() || "<>,;\"'()".contains(c))
        .find(|w| {
            w.contains('@')
                && w.rsplit_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        })
        .map(str::to_lowercase)
}

/// The recipients of `req`, one per address, in the order first chosen.
pub async fn recipients(st: &AppState, req: &NotifyRequest) -> AppResult<Vec<Recipient>> {
    let mut out: Vec<Recipient> = Vec::new();
    let mut add = |r: Recipient| match out.iter_mut().find(|o| o.email == r.email) {
        Some(o) => {
            // A contact's own settings win over an owner address met another way.
            if o.contact_id.is_none() && r.contact_id.is_some() {
                let routes = std::mem::take(&mut o.routes);
                *o = Recipient {
                    routes,
                    ..r.clone()
                };
            }
            for route in r.routes {
                if !o.routes.contains(&route) {
                    o.routes.push(route);
                }
            }
        }
        None => out.push(r),
    };
    for id in &req.contacts {
        let c = st.store.contact(*id).await?;
        add(Recipient::of_contact(&c, format!("contact:{id}")));
    }
    for name in &req.assets {
        let asset = st.store.asset(name.trim()).await?;
        let route = format!("asset:{}", asset.name);
        let addr = owner_address(&asset.owner).ok_or_else(|| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_address",
                format!(
                    "asset {}'s owner {:?} has no mail address; add one or choose a contact",
                    asset.name, asset.owner
                ),
            )
        })?;
        match st.store.contact_by_email(&addr).await? {
            Some(c) => add(Recipient::of_contact(&c, route)),
            None => add(Recipient {
                name: asset
                    .owner
                    .split('<')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_owned(),
                organisation: asset.department.clone(),
                email: addr,
                // An owner outside the directory is one of ours: the team's language, and
                // the default clearance of a new contact.
                lang: "ja",
                tlp_max: Tlp::Green,
                contact_id: None,
                routes: vec![route],
            }),
        }
    }
    if out.is_empty() {
        return Err(AppError::bad_request(
            "choose at least one contact or asset owner to notify",
        ));
    }
    Ok(out)
}

/// The template to use for `inc`.
fn template_for(inc: &Incident, asked: Option<&str>) -> AppResult<&'static str> {
    if let Some(name) = asked.map(str::trim).filter(|s| !s.is_empty()) {
        return mt::find(name)
            .map(|d| d.name)
            .ok_or_else(|| AppError::bad_request(format!("no template is called {name:?}")));
    }
    let own = format!("notification.{}", inc.classification.category.as_str());
    Ok(mt::find(&own)
        .or_else(|| mt::find("notification.other"))
        .map_or("notification.other", |d| d.name))
}

fn csv_file(set: &ShareSet, number: &str) -> AppResult<CsvFile> {
    // A BOM, so Excel opens the UTF-8 file with Japanese intact.
    let mut data = b"\xEF\xBB\xBF".to_vec();
    hikeshi_exchange::text::write_defanged_csv(set, &mut data).map_err(|e| {
        tracing::error!(error = %e, "writing the indicator CSV");
        AppError::internal()
    })?;
    Ok(CsvFile {
        filename: format!("{number}-indicators.csv"),
        size: data.len(),
        data,
    })
}

/// The messages `req` would send about `inc`, one per recipient. Refuses (409) a TLP:RED
/// incident and any recipient whose clearance is below the incident's marking.
pub async fn drafts(
    st: &AppState,
    user: &CurrentUser,
    inc: &Incident,
    req: &NotifyRequest,
) -> AppResult<Vec<Draft>> {
    if inc.tlp == Tlp::Red {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "conflict",
            "the incident is TLP:RED, which never leaves the people named on it",
        ));
    }
    let template = template_for(inc, req.template.as_deref())?;
    let people = recipients(st, req).await?;
    let all = st.store.incident_indicators(user.viewer(), inc.id).await?;
    if let Some(id) = req
        .indicators
        .iter()
        .flatten()
        .find(|id| !all.iter().any(|i| i.id.0 == **id))
    {
        return Err(AppError::bad_request(format!(
            "indicator {id} is not attached to {}",
            inc.number
        )));
    }
    // What the handler chose, by value (the share set does not carry indicator ids).
    let chosen: Vec<(hikeshi_ioc::Kind, String)> = all
        .into_iter()
        .filter(|i| {
            req.indicators
                .as_ref()
                .is_none_or(|ids| ids.contains(&i.id.0))
        })
        .map(|i| (i.indicator.kind, i.indicator.value))
        .collect();
    let ticket = st.store.incident_ticket(user.viewer(), inc.id).await?;
    let tag = ticket
        .and_then(|t| u64::try_from(t.0).ok())
        .map(|t| TicketTag::default().format(t))
        .unwrap_or_default();
    let handler = if user.user.display_name.is_empty() {
        user.user.username.clone()
    } else {
        user.user.display_name.clone()
    };
    let number = inc.number.to_string();
    let mut out = Vec::with_capacity(people.len());
    for r in people {
        let sel = Selection {
            incidents: vec![inc.id],
            include_exercises: true,
        };
        let (mut set, _) = share_set(
            &st.store,
            user.viewer(),
            &st.config.team_name,
            &sel,
            r.tlp_max,
        )
        .await?;
        if set.incidents.is_empty() {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "{} may receive up to {}, and {number} is {}",
                    r.email,
                    r.tlp_max.label(),
                    inc.tlp.label()
                ),
            ));
        }
        set.indicators
            .retain(|i| chosen.contains(&(i.indicator.kind, i.indicator.value.clone())));
        let withheld = chosen.len().saturating_sub(set.indicators.len());
        let tlp = set.max_tlp();
        let lang = if r.lang == "ja" { Lang::Ja } else { Lang::En };
        let indicators: Vec<minijinja::Value> = set
            .indicators
            .iter()
            .map(|i| {
                context! {
                    kind => i.indicator.kind.as_str(),
                    value => defang(&i.indicator, DefangStyle::Brackets).replace(['\r', '\n'], " "),
                    role => i.role.as_str(),
                    tlp => i.tlp.label(),
                }
            })
            .collect();
        let attachment = if indicators.len() > CSV_THRESHOLD {
            Some(csv_file(&set, &number)?)
        } else {
            None
        };
        let ctx = context! {
            team_name => st.config.team_name,
            from_address => st.config.mail.address,
            handler_name => handler,
            recipient_name => r.name,
            recipient_organisation => r.organisation,
            incident_number => number,
            ticket_tag => tag,
            incident_title => inc.title,
            category => i18n::t(lang, &format!("category.{}", inc.classification.category.as_str())),
            tlp_label => tlp.label(),
            note => req.note.trim(),
            indicator_count => indicators.len(),
            indicators => indicators,
            csv_attached => attachment.is_some(),
            csv_filename => attachment.as_ref().map(|a| a.filename.clone()).unwrap_or_default(),
        };
        let text = mt::render(&st.store, template, r.lang, &ctx).await?;
        let mut subject = text.subject;
        if !subject.contains(&tlp.label()) {
            subject = format!("{} {subject}", tlp.label());
        }
        if !tag.is_empty() && !subject.contains(&tag) {
            subject = format!("{tag} {subject}");
        }
        out.push(Draft {
            indicators: set.indicators.len(),
            recipient: r,
            template: template.to_owned(),
            tlp,
            subject,
            body: text.body,
            withheld,
            attachment,
        });
    }
    Ok(out)
}

/// Queue the drafts as messages from the team's address. Returns the notifications' ids.
pub async fn send(
    st: &AppState,
    user: &CurrentUser,
    inc: &Incident,
    drafts: Vec<Draft>,
) -> AppResult<Vec<i64>> {
    let actor = user.writer()?;
    let mail = &st.config.mail;
    if !mail.address.contains('@') {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "conflict",
            "no sender address is configured (mail.address)",
        ));
    }
    let from = Mailbox {
        name: Some(if mail.display_name.is_empty() {
            st.config.team_name.clone()
        } else {
            mail.display_name.clone()
        }),
        address: mail.address.clone(),
    };
    let domain = mail
        .address
        .rsplit_once('@')
        .map_or("hikeshi.invalid", |(_, d)| d);
    let mut items = Vec::with_capacity(drafts.len());
    for d in drafts {
        let to = Mailbox {
            name: Some(d.recipient.name.clone()).filter(|n| !n.is_empty()),
            address: d.recipient.email.clone(),
        };
        let mut msg = OutgoingMessage::new(from.clone(), vec![to], d.subject.clone(), d.body);
        msg.language = if d.recipient.lang == "ja" {
            Language::Ja
        } else {
            Language::En
        };
        msg.message_id = Some(format!(
            "notify.{}.{}@{domain}",
            inc.id.0,
            hex::encode(crate::auth::random_bytes(8))
        ));
        if let Some(a) = &d.attachment {
            msg.attachments.push(OutgoingAttachment {
                filename: a.filename.clone(),
                content_type: "text/csv; charset=utf-8".into(),
                data: a.data.clone(),
            });
        }
        let raw = msg
            .to_bytes()
            .map_err(|e| AppError::bad_request(format!("{}: {e}", d.recipient.email)))?;
        items.push(NewNotification {
            outgoing: NewOutgoing {
                kind: OutKind::Notification,
                report_id: None,
                incident_id: Some(inc.id),
                sender: mail.address.clone(),
                recipients: vec![d.recipient.email.clone()],
                subject: hikeshi_mail::sanitize_header_text(&d.subject),
                lang: d.recipient.lang.to_owned(),
                message_id: msg.message_id.clone().unwrap_or_default(),
                raw,
            },
            contact_id: d.recipient.contact_id,
            recipient: d.recipient.email,
            recipient_name: d.recipient.name,
            routes: d.recipient.routes,
            template: d.template,
            lang: d.recipient.lang.to_owned(),
            tlp: d.tlp,
            indicators: i64::try_from(d.indicators).unwrap_or(i64::MAX),
        });
    }
    Ok(st.store.queue_notifications(&actor, inc.id, &items).await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_owner_address_is_found_in_the_usual_spellings() {
        let table = [
            ("web@example.jp", Some("web@example.jp")),
            ("Web team <Web@Example.JP>", Some("web@example.jp")),
            ("情報システム部 (isys@example.jp)", Some("isys@example.jp")),
            ("Web team", None),
            ("@handle", None),
            ("", None),
        ];
        for (owner, want) in table {
            assert_eq!(super::owner_address(owner).as_deref(), want, "{owner}");
        }
    }
}
