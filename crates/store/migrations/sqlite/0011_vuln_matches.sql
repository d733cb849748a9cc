-- Vulnerability matches kept up to date by an incremental re-match (issue 7): importing an
-- advisory document or an asset queues it; the re-match job matches what was queued (a new
-- advisory against the whole inventory, a changed asset against every advisory) and replaces
-- that document's or that asset's rows. "Who is affected" and "this asset's open advisories"
-- are then reads. The PostgreSQL migration of the same name defines the same columns.
CREATE TABLE vuln_matches (
    asset_name TEXT NOT NULL,
    advisory TEXT NOT NULL,
    doc TEXT NOT NULL,
    package TEXT NOT NULL,
    installed TEXT NOT NULL,
    fixed TEXT NOT NULL DEFAULT '',
    confidence TEXT NOT NULL,
    rule TEXT NOT NULL,
    matched_at INTEGER NOT NULL,
    PRIMARY KEY (asset_name, advisory, package, installed)
);
CREATE INDEX vuln_matches_advisory ON vuln_matches(advisory);
CREATE INDEX vuln_matches_doc ON vuln_matches(doc);

-- What changed since the last re-match: ('doc', file) or ('asset', name).
CREATE TABLE rematch_queue (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Everything imported before this migration is matched once.
INSERT INTO rematch_queue (kind, key, queued_at) SELECT 'doc', file, 0 FROM advisory_docs;
