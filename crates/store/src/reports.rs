//! Reports: stored whole before a ticket number is shown, never changed afterwards except for
//! their triage status.

use crate::query::{Arg, Where, bind_all};
use crate::rows::{Page, Paged, named};
use crate::{Result, Store, StoreError, Viewer};
use hikeshi_domain::{
    Actor, AttachmentInfo, Channel, IncidentId, Named, NewReport, Phase, Report, ReportId,
    ReportStatus,
};
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub status: Option<ReportStatus>,
    pub incident: Option<IncidentId>,
    /// Case-insensitive text in subject, body, reporter name, e-mail or organisation, or an
    /// indicator (defanged or full-width as pasted) found in the report.
    pub text: Option<String>,
}

const REPORT_COLS: &str = "r.id, r.received_at, r.channel, r.reporter_name, r.reporter_email, \
    r.reporter_org, r.subject, r.body, r.lang, r.status, r.incident_id, r.raw_content_type, \
    r.message_id, r.reject_reason, r.mailbox, CAST(LENGTH(r.raw) AS BIGINT) AS raw_size";

/// The report list's order: most recently received first, then id (the `reports_received`
/// index of migration 0009 on SQLite, where an index ends with the rowid; `reports_list` of
/// migration 0017 on PostgreSQL).
const LIST: crate::query::Keyset<'static, Report> = crate::query::Keyset {
    cols: REPORT_COLS,
    from: "reports r",
    keys: &[("r.received_at", true), ("r.id", true)],
    key_of: |r| crate::Cursor {
        lead: None,
        at: r.received_at,
        id: r.id.0,
    },
    args_of: |c| vec![Arg::Int(c.at), Arg::Int(c.id)],
};

/// The searched text of reports: what the reporter wrote and who they are.
const REPORT_TEXT: crate::search::Searched = crate::search::Searched {
    table: "reports",
    alias: "r",
    index: "reports_text",
    columns: &[
        "subject",
        "body",
        "reporter_name",
        "reporter_email",
        "reporter_org",
    ],
    address: Some("reporter_email"),
};

fn report(r: &AnyRow) -> Result<Report> {
    let id = ReportId(r.try_get("id")?);
    Ok(Report {
        id,
        ticket: hikeshi_domain::ticket_tag(id),
        received_at: r.try_get("received_at")?,
        channel: named(r, "channel")?,
        reporter_name: r.try_get("reporter_name")?,
        reporter_email: r.try_get("reporter_email")?,
        reporter_org: r.try_get("reporter_org")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        lang: r.try_get("lang")?,
        status: named(r, "status")?,
        incident_id: r.try_get::<Option<i64>, _>("incident_id")?.map(IncidentId),
        raw_size: r.try_get::<i64, _>("raw_size")?,
        raw_content_type: r.try_get("raw_content_type")?,
        message_id: r.try_get("message_id")?,
        attachments: Vec::new(),
        reject_reason: r.try_get("reject_reason")?,
        mailbox: r.try_get("mailbox")?,
    })
}

impl Store {
    /// Store a report with its raw bytes and attachments, atomically, and return it with its
    /// ticket number. Only after this returns may anyone be told the number.
    pub async fn submit_report(&self, actor: &Actor, new: NewReport) -> Result<Report> {
        let mut tx = self.write().await?;
        let id = insert_report(&mut tx, actor, &new).await?;
        tx.commit().await?;
        self.report(Viewer::System, id).await
    }

    /// One report with its attachment list, if the viewer may see it.
    pub async fn report(&self, viewer: Viewer, id: ReportId) -> Result<Report> {
        let mut w = Where::default();
        w.and("r.id = ?", Arg::Int(id.0));
        viewer.restrict_report(&mut w, "r");
        let sql = format!("SELECT {REPORT_COLS} FROM reports r{}", w.sql());
        let r = bind_all(sqlx::query(&sql), &w.args)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("report {}", id.0)))?;
        let mut rep = report(&r)?;
        let atts = sqlx::query(
            "SELECT id, filename, content_type, size FROM report_attachments WHERE report_id = $1 ORDER BY id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rep.attachments = atts
            .iter()
            .map(|a| {
                Ok(AttachmentInfo {
                    id: a.try_get("id")?,
                    filename: a.try_get("filename")?,
                    content_type: a.try_get("content_type")?,
                    size: a.try_get("size")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(rep)
    }

    /// The raw bytes exactly as received, and their content type.
    pub async fn report_raw(&self, viewer: Viewer, id: ReportId) -> Result<(Vec<u8>, String)> {
        self.report(viewer, id).await?;
        let r = sqlx::query("SELECT raw, raw_content_type FROM reports WHERE id = $1")
            .bind(id.0)
            .fetch_one(&self.pool)
            .await?;
        Ok((r.try_get("raw")?, r.try_get("raw_content_type")?))
    }

    /// One attachment's name, type and bytes.
    pub async fn report_attachment(
        &self,
        viewer: Viewer,
        id: ReportId,
        attachment: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.report(viewer, id).await?;
        let r = sqlx::query(
            "SELECT filename, content_type, data FROM report_attachments WHERE id = $1 AND report_id = $2",
        )
        .bind(attachment)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("attachment {attachment}")))?;
        Ok((
            r.try_get("filename")?,
            r.try_get("content_type")?,
            r.try_get("data")?,
        ))
    }

    pub async fn list_reports(
        &self,
        viewer: Viewer,
        f: &ReportFilter,
        page: Page,
    ) -> Result<Paged<Report>> {
        let mut w = Where::default();
        if let Some(s) = f.status {
            w.and("r.status = ?", Arg::Text(s.as_str().into()));
        }
        if let Some(i) = f.incident {
            w.and("r.incident_id = ?", Arg::Int(i.0));
        }
        if let Some(t) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
            // Or mentioning the indicator the text is, however it was pasted.
            let holding = crate::search::holding_ids(&mut w, viewer, t.trim(), true);
            let text =
                crate::search::text_clause(&mut w, self.backend, &REPORT_TEXT, t.trim(), holding);
            w.and_raw(text);
        }
        viewer.restrict_reports(&mut w, "r");
        LIST.page(&self.pool, &w, page, report).await
    }

    /// Judge a waiting report not to be an incident.
    pub async fn reject_report(&self, actor: &Actor, id: ReportId, reason: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let status = report_status(&mut tx, id).await?;
        if status != ReportStatus::New {
            return Err(StoreError::Conflict(format!(
                "report {} is {} and cannot be rejected",
                id.0,
                status.as_str()
            )));
        }
        sqlx::query("UPDATE reports SET status = $1, reject_reason = $2 WHERE id = $3")
            .bind(ReportStatus::Rejected.as_str())
            .bind(reason)
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(
            actor,
            "report.reject",
            "report",
            id.0,
            json!({"reason": reason}),
        )
        .await?;
        tx.commit().await
    }

    /// Link a report to an incident (moving it from another incident if it was linked).
    pub async fn link_report(
        &self,
        actor: &Actor,
        id: ReportId,
        incident: IncidentId,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        report_status(&mut tx, id).await?;
        link_report_in(&mut tx, actor, id, incident).await?;
        tx.commit().await
    }
}

pub(crate) async fn report_status(tx: &mut crate::Tx<'_>, id: ReportId) -> Result<ReportStatus> {
    let r = sqlx::query("SELECT status FROM reports WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("report {}", id.0)))?;
    named(&r, "status")
}

/// The link itself, inside a caller's transaction (also used when an incident is created from a
/// report). Linking to a merged incident is refused: the report belongs where work continues.
pub(crate) async fn link_report_in(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    id: ReportId,
    incident: IncidentId,
) -> Result<()> {
    let phase: Phase = named(
        &sqlx::query("SELECT phase FROM incidents WHERE id = $1")
            .bind(incident.0)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("incident {}", incident.0)))?,
        "phase",
    )?;
    if phase == Phase::Merged {
        return Err(StoreError::Conflict(format!(
            "incident {} was merged; link the report to the incident it was merged into",
            incident.0
        )));
    }
    sqlx::query(
        "UPDATE reports SET status = $1, incident_id = $2, reject_reason = NULL WHERE id = $3",
    )
    .bind(ReportStatus::Linked.as_str())
    .bind(incident.0)
    .bind(id.0)
    .execute(&mut *tx.tx)
    .await?;
    crate::incidents::refresh_clock(tx, incident).await?;
    crate::timeline::add_event(
        tx,
        actor,
        incident,
        "report-linked",
        json!({"report": id.0}),
    )
    .await?;
    tx.audit(
        actor,
        "report.link",
        "report",
        id.0,
        json!({"incident": incident.0}),
    )
    .await
}

/// Insert a report with its attachments and found indicators inside a caller's transaction.
pub(crate) async fn insert_report(
    tx: &mut crate::Tx<'_>,
    actor: &Actor,
    new: &NewReport,
) -> Result<ReportId> {
    let channel = new.channel.unwrap_or(Channel::Api);
    let lang = if new.lang.is_empty() {
        hikeshi_domain::detect_lang(&format!("{} {}", new.subject, new.body)).to_owned()
    } else {
        new.lang.clone()
    };
    let id: i64 = sqlx::query(
            "INSERT INTO reports (received_at, channel, reporter_name, reporter_email, reporter_org, subject, body, \
             lang, status, raw, raw_content_type, client_addr, message_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(tx.now)
        .bind(channel.as_str())
        .bind(&new.reporter_name)
        .bind(&new.reporter_email)
        .bind(&new.reporter_org)
        .bind(&new.subject)
        .bind(&new.body)
        .bind(&lang)
        .bind(ReportStatus::New.as_str())
        .bind(new.raw.clone())
        .bind(&new.raw_content_type)
        .bind(&new.client_addr)
        .bind(new.message_id.clone())
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
    for a in &new.attachments {
        sqlx::query(
                "INSERT INTO report_attachments (report_id, filename, content_type, size, data) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&a.filename)
            .bind(&a.content_type)
            .bind(a.data.len() as i64)
            .bind(a.data.clone())
            .execute(&mut *tx.tx)
            .await?;
    }
    let mut sighted = std::collections::HashSet::new();
    for f in &new.indicators {
        let ind = crate::indicators::upsert_indicator(tx, &f.found.indicator()).await?;
        // A report mentioning an indicator is a reported sighting, counted once per report.
        if sighted.insert(ind) {
            sqlx::query(
                    "UPDATE indicators SET sighting_count = sighting_count + 1, \
                     first_sighting = COALESCE(first_sighting, $2), last_sighting = $2 WHERE id = $1",
                )
                .bind(ind.0)
                .bind(tx.now)
                .execute(&mut *tx.tx)
                .await?;
        }
        let warnings: Vec<String> = f.found.warnings.iter().map(|w| w.to_string()).collect();
        sqlx::query(
                "INSERT INTO report_indicators (report_id, indicator_id, source, raw, start_offset, end_offset, warnings, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'proposed') ON CONFLICT (report_id, indicator_id, source, start_offset) DO NOTHING",
            )
            .bind(id)
            .bind(ind.0)
            .bind(&f.source)
            .bind(&f.found.raw)
            .bind(f.found.start as i64)
            .bind(f.found.end as i64)
            .bind(warnings.join(", "))
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.audit(
            actor,
            "report.create",
            "report",
            id,
            json!({"channel": channel.as_str(), "size": new.raw.len(), "attachments": new.attachments.len()}),
        )
        .await?;
    Ok(ReportId(id))
}
