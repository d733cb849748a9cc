-- Lists and text search that stay fast at 100,000 incidents and reports (issue 8). The SQLite
-- migration of the same name serves the same queries with its own index types.

-- Keyset paging: each list's sort key, so a page (the first or the thousandth) is an index
-- range read, not a sort or an OFFSET walk. Incidents sort by priority, then most recently
-- updated, then id; reports by receipt, then id.
CREATE INDEX incidents_list ON incidents(priority, updated_at DESC, id DESC);
-- A phase filter reads the same order within the phase (incidents_phase stays for the
-- dashboard's and statistics' own queries).
CREATE INDEX incidents_phase_list ON incidents(phase, priority, updated_at DESC, id DESC);
CREATE INDEX reports_list ON reports(received_at DESC, id DESC);
CREATE INDEX reports_status_list ON reports(status, received_at DESC, id DESC);

-- Text search: trigram GIN indexes (pg_trgm, shipped with PostgreSQL; a trusted extension, so
-- the database owner may create it) on the lower-cased columns the lists search with
-- `LOWER(col) LIKE '%…%'`: any substring of three or more characters is found through the
-- index, Japanese included (the cluster's character classification must know CJK letters as
-- alphanumeric, as C.UTF-8 and the *.UTF-8 locales do). The index follows every write by
-- itself, and building it indexes the rows already there.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX incidents_text ON incidents USING gin (
    LOWER(title) gin_trgm_ops, LOWER(summary) gin_trgm_ops
);
CREATE INDEX reports_text ON reports USING gin (
    LOWER(subject) gin_trgm_ops, LOWER(body) gin_trgm_ops, LOWER(reporter_name) gin_trgm_ops,
    LOWER(reporter_email) gin_trgm_ops, LOWER(reporter_org) gin_trgm_ops
);

-- A whole e-mail address searched for is compared with the reporter's address whole: its
-- trigrams (`…@example.jp`) are in nearly every report, so the text index would read them all.
CREATE INDEX reports_reporter_email ON reports (LOWER(reporter_email));

-- The TLP:RED incidents, which hide the reports linked to them from people not named on them:
-- a report list reads this small set once (from the index alone) instead of every visible
-- incident.
CREATE INDEX incidents_red ON incidents (id, owner_id, created_by) WHERE tlp = 'red';
