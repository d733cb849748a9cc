-- Indicators (issue 3): global identity, per-incident context, weak-link keys, report
-- proposals, sightings. The PostgreSQL migration of the same name defines the same columns.

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    sighting_count INTEGER NOT NULL DEFAULT 0,
    first_sighting INTEGER,
    last_sighting INTEGER,
    UNIQUE (kind, value)
);

-- One row per weak-link key (same registrable domain, /24 or /48, URL host).
CREATE TABLE indicator_keys (
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    link TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (indicator_id, link, key)
);
CREATE INDEX indicator_keys_key ON indicator_keys(link, key);

-- The indicator in one incident: its role there, its own TLP and note, first/last seen.
CREATE TABLE incident_indicators (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    role TEXT NOT NULL DEFAULT '',
    tlp TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    first_seen INTEGER,
    last_seen INTEGER,
    added_at INTEGER NOT NULL,
    added_by INTEGER REFERENCES users(id),
    PRIMARY KEY (incident_id, indicator_id)
);
CREATE INDEX incident_indicators_indicator ON incident_indicators(indicator_id);

-- Indicators found in a report's text, proposed for a handler's review.
CREATE TABLE report_indicators (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    -- 'body', or 'attachment:N' for the N-th attachment (offsets are then into its text).
    source TEXT NOT NULL,
    raw TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    warnings TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    PRIMARY KEY (report_id, indicator_id, source, start_offset)
);
CREATE INDEX report_indicators_indicator ON report_indicators(indicator_id);
