//! Search across indicators, the incident and report lists' text search (migration 0017's
//! text indexes), and what lets those lists find what holds an indicator typed the way a
//! handler pastes it (`hxxp://evil[.]example[.]com`, full-width text): the query is refanged and
//! normalised with [`hikeshi_ioc::parse_indicator`] first.
//!
//! Every lookup goes through an index, so a search costs the same with a million indicators as
//! with a hundred: exact match on `UNIQUE (kind, value)`, prefix match as a range on the same
//! index (`kind IN (…) AND value >= $p AND value < $p_upper`; on PostgreSQL under `COLLATE "C"`
//! with its own index, see migration 0016), and a domain's siblings through
//! `indicator_keys (link, key)`. A `LIKE '%…%'` over the values was rejected: it reads every row.
//! TLP applies through [`Viewer::restrict_indicators`]: an indicator known only from TLP:RED
//! context is not found by someone not named on it.

use crate::indicators::kind as kind_of;
use crate::query::{Arg, Where, bind_all};
use crate::rows::like_pattern;
use crate::{Backend, Result, Store, Viewer};
use hikeshi_domain::{IndicatorId, Kind};
use serde::Serialize;
use sqlx::Row;

/// Most indicators one search returns.
pub const SEARCH_LIMIT: i64 = 100;

/// How an indicator matched the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Matched {
    /// The query's normal form is the indicator.
    Exact,
    /// The indicator is under the registrable domain of the domain (or URL or mail host)
    /// searched for.
    Domain,
    /// The indicator's value starts with the query.
    Prefix,
}

/// One indicator found, with the number of incidents the viewer may see holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndicatorHit {
    pub id: IndicatorId,
    pub kind: Kind,
    pub value: String,
    pub matched: Matched,
    pub incidents: i64,
}

/// The smallest string above every string that starts with `p`, in code point (= UTF-8 byte)
/// order; `None` when there is none.
fn prefix_upper(p: &str) -> Option<String> {
    let mut chars: Vec<char> = p.chars().collect();
    while let Some(c) = chars.pop() {
        let mut n = c as u32 + 1;
        if (0xD800..0xE000).contains(&n) {
            n = 0xE000;
        }
        if let Some(next) = char::from_u32(n) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The text as a prefix of normal forms: refanged, trimmed, lower case (every kind's normal form
/// but a URL's path is), with a defanged scheme fixed as the parser would.
fn prefix_of(q: &str) -> String {
    let p = hikeshi_ioc::refang(q.trim()).trim().to_lowercase();
    for (fanged, scheme) in [("hxxps://", "https://"), ("hxxp://", "http://")] {
        if let Some(rest) = p.strip_prefix(fanged) {
            return format!("{scheme}{rest}");
        }
    }
    p
}

/// Shortest prefix searched for: one or two characters would match a large slice of the table
/// and tell the handler nothing.
const MIN_PREFIX: usize = 3;

/// The ids of the incidents (or reports) holding the indicator `text` parses as, for the lists
/// searched with `text`; `None` when the text is no indicator. For incidents the link's own
/// TLP applies (a TLP:RED link counts only for people named on the incident).
pub(crate) fn holding_ids(
    w: &mut Where,
    viewer: Viewer,
    text: &str,
    reports: bool,
) -> Option<String> {
    let ind = hikeshi_ioc::parse_indicator(text).ok()?;
    let k = w.arg(Arg::Text(ind.kind.as_str().into()));
    let v = w.arg(Arg::Text(ind.value));
    let found = format!("(SELECT d.id FROM indicators d WHERE d.kind = {k} AND d.value = {v})");
    Some(if reports {
        format!("SELECT ri.report_id FROM report_indicators ri WHERE ri.indicator_id IN {found}")
    } else {
        let link = viewer
            .marked_clause(w, "li", "l.tlp")
            .map(|c| format!(" AND {c}"))
            .unwrap_or_default();
        format!(
            "SELECT l.incident_id FROM incident_indicators l JOIN incidents li ON li.id = l.incident_id \
             WHERE l.indicator_id IN {found}{link}"
        )
    })
}

/// A table whose text the incident or report list searches, and its text index (migration
/// 0017): an FTS5 trigram table on SQLite, a pg_trgm GIN index over `LOWER(column)` on
/// PostgreSQL.
pub(crate) struct Searched {
    pub table: &'static str,
    pub alias: &'static str,
    /// The FTS5 table on SQLite.
    pub index: &'static str,
    pub columns: &'static [&'static str],
    /// A column holding one e-mail address. A whole address searched for is compared with it
    /// whole through its index on `LOWER(column)` (migration 0017), and is not searched as a
    /// substring of the other columns: the trigrams of `…@example.jp` are in nearly every row,
    /// so the trigram index would read them all. An address written in the text is still
    /// found, as the indicator it was extracted as (the `also` ids of [`text_clause`]).
    pub address: Option<&'static str>,
}

/// Shortest text the trigram indexes find: both index every run of three characters.
pub const MIN_INDEXED_TEXT: usize = 3;

/// How many of the newest rows a one- or two-character search reads: no trigram holds so short
/// a text, so it is a scan, bounded to the newest rows by id so it costs the same in a table of
/// any size.
pub const SHORT_TEXT_ROWS: i64 = 10_000;

/// The condition "`text` occurs, case-insensitively, in one of the searched columns, or the
/// row is among the ids `also` selects" for the row aliased `s.alias`, as one `id IN (… UNION
/// …)` so each part is read through its own index. Three characters or more go through the
/// text index; shorter text is matched with `LIKE` among the newest [`SHORT_TEXT_ROWS`] rows
/// only. A whole e-mail address, where the table has an [`Searched::address`] column, is
/// compared with that column whole instead of searched in the text.
pub(crate) fn text_clause(
    w: &mut Where,
    backend: Backend,
    s: &Searched,
    text: &str,
    also: Option<String>,
) -> String {
    let t = s.table;
    let address = s.address.zip(
        hikeshi_ioc::parse_indicator(text)
            .ok()
            .filter(|i| i.kind == Kind::Email),
    );
    let columns = s.columns;
    let like = |w: &mut Where| {
        let p = w.arg(Arg::Text(like_pattern(text)));
        let ors: Vec<String> = columns
            .iter()
            .map(|c| format!("LOWER(m.{c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        ors.join(" OR ")
    };
    let ids = if let Some((col, ind)) = address {
        let v = w.arg(Arg::Text(ind.value));
        format!("SELECT m.id FROM {t} m WHERE LOWER(m.{col}) = {v}")
    } else if text.chars().count() < MIN_INDEXED_TEXT {
        let ors = like(w);
        format!(
            "SELECT m.id FROM {t} m WHERE m.id > (SELECT COALESCE(MAX(x.id), 0) FROM {t} x) - {SHORT_TEXT_ROWS} AND ({ors})"
        )
    } else {
        match backend {
            // The whole text as one FTS5 phrase in the columns searched: with the trigram
            // tokenizer, a substring match.
            Backend::Sqlite => {
                let phrase = w.arg(Arg::Text(format!(
                    "{{{}}} : \"{}\"",
                    columns.join(" "),
                    text.replace('"', "\"\"")
                )));
                let fts = s.index;
                format!("SELECT {fts}.rowid FROM {fts} WHERE {fts} MATCH {phrase}")
            }
            Backend::Postgres => format!("SELECT m.id FROM {t} m WHERE {}", like(w)),
        }
    };
    if backend == Backend::Postgres {
        w.plan_per_call();
    }
    let ids = match also {
        Some(o) => format!("{ids} UNION {o}"),
        None => ids,
    };
    format!("{}.id IN ({ids})", s.alias)
}

impl Store {
    /// Indicators matching `q` that the viewer may know of, at most `limit` (capped at
    /// [`SEARCH_LIMIT`]): exact matches first, then those under the same registrable domain
    /// (when `q` is a domain, or a URL or mail address with a host name), then those whose
    /// value starts with `q`.
    pub async fn search_indicators(
        &self,
        viewer: Viewer,
        q: &str,
        limit: i64,
    ) -> Result<Vec<IndicatorHit>> {
        let limit = limit.clamp(1, SEARCH_LIMIT);
        let mut hits: Vec<IndicatorHit> = Vec::new();
        let parsed = hikeshi_ioc::parse_indicator(q).ok();
        if let Some(ind) = &parsed {
            let mut w = Where::default();
            w.and("d.kind = ?", Arg::Text(ind.kind.as_str().into()));
            w.and("d.value = ?", Arg::Text(ind.value.clone()));
            self.hits_into(viewer, w, Matched::Exact, limit, &mut hits)
                .await?;
            // The registrable domain of a domain, or of a URL's or mail address's host.
            let reg = hikeshi_ioc::weak_keys(ind)
                .into_iter()
                .find(|k| k.link == hikeshi_ioc::Link::RegistrableDomain)
                .map(|k| k.value);
            if let Some(reg) = reg {
                let mut w = Where::default();
                w.and(
                    "d.id IN (SELECT k.indicator_id FROM indicator_keys k WHERE k.link = 'registrable-domain' AND k.key = ?)",
                    Arg::Text(reg),
                );
                self.hits_into(viewer, w, Matched::Domain, limit, &mut hits)
                    .await?;
            }
        }
        let prefix = prefix_of(q);
        if prefix.chars().count() >= MIN_PREFIX {
            let col = match self.backend {
                Backend::Sqlite => "d.value",
                Backend::Postgres => "d.value COLLATE \"C\"",
            };
            let kinds = Kind::ALL
                .iter()
                .map(|k| format!("'{}'", k.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut w = Where::default();
            // Naming every kind lets both planners walk the (kind, value) index one kind at a
            // time instead of reading the table.
            w.and_raw(format!("d.kind IN ({kinds})"));
            w.and(&format!("{col} >= ?"), Arg::Text(prefix.clone()));
            if let Some(up) = prefix_upper(&prefix) {
                w.and(&format!("{col} < ?"), Arg::Text(up));
            }
            self.hits_into(viewer, w, Matched::Prefix, limit, &mut hits)
                .await?;
        }
        Ok(hits)
    }

    /// Run one kind of match and append what is new, up to `limit` in all. No ORDER BY: the
    /// rows come in index order, so LIMIT stops the scan early.
    async fn hits_into(
        &self,
        viewer: Viewer,
        mut w: Where,
        matched: Matched,
        limit: i64,
        hits: &mut Vec<IndicatorHit>,
    ) -> Result<()> {
        let room = limit - hits.len() as i64;
        if room <= 0 {
            return Ok(());
        }
        viewer.restrict_indicators(&mut w, "d.id");
        let inc = viewer.marked_clause(&mut w, "i", "i.tlp");
        let link = viewer.marked_clause(&mut w, "i", "l.tlp");
        let seen = [inc, link]
            .into_iter()
            .flatten()
            .map(|c| format!(" AND {c}"))
            .collect::<String>();
        // Ask for as many more as are already listed, so the ones dropped as duplicates
        // still leave `room` new ones.
        let want = room + hits.len() as i64;
        let sql = format!(
            "SELECT d.id, d.kind, d.value, (SELECT COUNT(*) FROM incident_indicators l JOIN incidents i ON i.id = l.incident_id \
             WHERE l.indicator_id = d.id{seen}) AS incidents FROM indicators d{} LIMIT {want}",
            w.sql()
        );
        let rows = bind_all(sqlx::query(&sql), &w.args)
            .fetch_all(&self.pool)
            .await?;
        let mut found = Vec::new();
        for r in &rows {
            let id = IndicatorId(r.try_get("id")?);
            if hits.iter().any(|h| h.id == id) {
                continue;
            }
            found.push(IndicatorHit {
                id,
                kind: kind_of(r, "kind")?,
                value: r.try_get("value")?,
                matched,
                incidents: r.try_get("incidents")?,
            });
        }
        found.sort_by(|a, b| (a.kind, &a.value).cmp(&(b.kind, &b.value)));
        hits.extend(found.into_iter().take(room as usize));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_bound_of_a_prefix_is_its_last_character_plus_one() {
        assert_eq!(prefix_upper("evil.ex").as_deref(), Some("evil.ey"));
        assert_eq!(prefix_upper("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_upper("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper("\u{10FFFF}"), None);
    }

    #[test]
    fn a_prefix_is_refanged_and_lower_case() {
        assert_eq!(prefix_of(" hxxp://Evil[.]exa "), "http://evil.exa");
        assert_eq!(prefix_of("ｅｖｉｌ．ｅｘ"), "evil.ex");
    }
}
