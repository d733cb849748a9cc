-- Sightings (issue 4): "this indicator was seen here" — a sweep hit recorded for an incident,
-- linked to the asset whose name or address is the internal host. One row per indicator,
-- incident, log file, line and field, so sweeping the same logs again adds nothing.
CREATE TABLE sightings (
    id INTEGER PRIMARY KEY,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,
    field TEXT NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL DEFAULT '',
    seen_at TEXT NOT NULL DEFAULT '',
    asset_id INTEGER REFERENCES assets(id),
    recorded_at INTEGER NOT NULL,
    UNIQUE (indicator_id, incident_id, source, line, field)
);
CREATE INDEX sightings_incident ON sightings(incident_id);
CREATE INDEX sightings_asset ON sightings(asset_id);
