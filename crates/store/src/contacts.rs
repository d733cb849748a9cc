//! The contacts directory: who we write to (network and domain owners, ISPs, CERTs, hosters,
//! registrars, customers), in which language, and the most restrictive TLP marking they may
//! receive. TLP:RED is never a contact's clearance: it never leaves the people named on it.

use crate::rows::named;
use crate::{Result, Store, StoreError};
use hikeshi_domain::{Actor, DomainError, Named, Tlp};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

/// What kinds of contact there are.
pub const CONTACT_KINDS: [&str; 7] = [
    "owner",
    "isp",
    "cert",
    "hosting",
    "registrar",
    "customer",
    "other",
];

/// The languages a contact may be written to in.
pub const CONTACT_LANGS: [&str; 2] = ["ja", "en"];

/// A contact to create, or a contact's new values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub organisation: String,
    pub name: String,
    pub email: String,
    /// `ja` or `en`.
    pub lang: String,
    /// One of [`CONTACT_KINDS`].
    pub kind: String,
    pub notes: String,
    /// The most restrictive marking they may receive (never RED).
    pub tlp_max: Tlp,
}

impl Default for NewContact {
    fn default() -> Self {
        NewContact {
            organisation: String::new(),
            name: String::new(),
            email: String::new(),
            lang: "en".into(),
            kind: "other".into(),
            notes: String::new(),
            tlp_max: Tlp::Green,
        }
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub organisation: String,
    pub name: String,
    pub email: String,
    pub lang: String,
    pub kind: String,
    pub notes: String,
    pub tlp_max: Tlp,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLS: &str =
    "id, organisation, name, email, lang, kind, notes, tlp_max, created_at, updated_at";

fn contact(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: r.try_get("id")?,
        organisation: r.try_get("organisation")?,
        name: r.try_get("name")?,
        email: r.try_get("email")?,
        lang: r.try_get("lang")?,
        kind: r.try_get("kind")?,
        notes: r.try_get("notes")?,
        tlp_max: named(r, "tlp_max")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Check and normalise a contact's values (the address lower-cased and trimmed).
fn checked(c: &NewContact) -> Result<NewContact> {
    let email = c.email.trim().to_lowercase();
    let bad = |field: &'static str, why: String| {
        Err(StoreError::Domain(DomainError::Invalid { field, why }))
    };
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && domain.contains('.')
                && !email
                    .chars()
                    .any(|ch| ch.is_whitespace() || ch.is_control() || "<>,;\"".contains(ch)) => {}
        _ => return bad("email", format!("{:?} is not a mail address", c.email)),
    }
    let lang = c.lang.trim().to_lowercase();
    if !CONTACT_LANGS.contains(&lang.as_str()) {
        return bad(
            "lang",
            format!("a contact's language is ja or en, not {:?}", c.lang),
        );
    }
    let kind = c.kind.trim().to_lowercase();
    if !CONTACT_KINDS.contains(&kind.as_str()) {
        return bad(
            "kind",
            format!(
                "a contact's kind is one of {}, not {:?}",
                CONTACT_KINDS.join(", "),
                c.kind
            ),
        );
    }
    if c.tlp_max == Tlp::Red {
        return bad(
            "tlp_max",
            "TLP:RED never leaves the people named on it: no contact may receive it".into(),
        );
    }
    Ok(NewContact {
        organisation: c.organisation.trim().to_owned(),
        name: c.name.trim().to_owned(),
        email,
        lang,
        kind,
        notes: c.notes.trim().to_owned(),
        tlp_max: c.tlp_max,
    })
}

fn audit_detail(c: &NewContact) -> serde_json::Value {
    json!({"organisation": c.organisation, "name": c.name, "email": c.email, "lang": c.lang,
           "kind": c.kind, "tlp_max": c.tlp_max.as_str()})
}

impl Store {
    /// Every contact, by organisation, name and address.
    pub async fn contacts(&self) -> Result<Vec<Contact>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS} FROM contacts ORDER BY LOWER(organisation), LOWER(name), email"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(contact).collect()
    }

    pub async fn contact(&self, id: i64) -> Result<Contact> {
        let r = sqlx::query(&format!("SELECT {COLS} FROM contacts WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
        contact(&r)
    }

    /// The contact with this address (case-insensitive), if any.
    pub async fn contact_by_email(&self, email: &str) -> Result<Option<Contact>> {
        let r = sqlx::query(&format!("SELECT {COLS} FROM contacts WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        r.as_ref().map(contact).transpose()
    }

    /// Add a contact; an address already in the directory is a conflict.
    pub async fn create_contact(&self, actor: &Actor, c: &NewContact) -> Result<Contact> {
        let c = checked(c)?;
        let mut tx = self.write().await?;
        let r = sqlx::query(&format!(
            "INSERT INTO contacts (organisation, name, email, lang, kind, notes, tlp_max, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (email) DO NOTHING RETURNING {COLS}"
        ))
        .bind(&c.organisation)
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.lang)
        .bind(&c.kind)
        .bind(&c.notes)
        .bind(c.tlp_max.as_str())
        .bind(tx.now)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::Conflict(format!("{} is already a contact", c.email)))?;
        let out = contact(&r)?;
        tx.audit(actor, "contact.create", "contact", out.id, audit_detail(&c))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Replace a contact's values.
    pub async fn update_contact(&self, actor: &Actor, id: i64, c: &NewContact) -> Result<Contact> {
        let c = checked(c)?;
        let mut tx = self.write().await?;
        let taken = sqlx::query("SELECT id FROM contacts WHERE email = $1 AND id <> $2")
            .bind(&c.email)
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "{} is already a contact",
                c.email
            )));
        }
        let r = sqlx::query(&format!(
            "UPDATE contacts SET organisation = $1, name = $2, email = $3, lang = $4, kind = $5, notes = $6, \
             tlp_max = $7, updated_at = $8 WHERE id = $9 RETURNING {COLS}"
        ))
        .bind(&c.organisation)
        .bind(&c.name)
        .bind(&c.email)
        .bind(&c.lang)
        .bind(&c.kind)
        .bind(&c.notes)
        .bind(c.tlp_max.as_str())
        .bind(tx.now)
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
        let out = contact(&r)?;
        tx.audit(actor, "contact.update", "contact", id, audit_detail(&c))
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Remove a contact. Notifications already sent keep the address they went to.
    pub async fn delete_contact(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        // notifications.contact_id is ON DELETE SET NULL (SQLite connections enable foreign
        // keys), so the history stays and only the link goes.
        let r = sqlx::query("DELETE FROM contacts WHERE id = $1 RETURNING email")
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
        let email: String = r.try_get("email")?;
        tx.audit(
            actor,
            "contact.delete",
            "contact",
            id,
            json!({"email": email}),
        )
        .await?;
        tx.commit().await
    }
}
