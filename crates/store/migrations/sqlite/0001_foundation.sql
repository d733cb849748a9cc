-- hikeshi foundation schema (SQLite). Times are Unix milliseconds (UTC).
-- The PostgreSQL migration of the same name must define the same tables and columns.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE incident_counters (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    phase TEXT NOT NULL,
    category TEXT NOT NULL,
    rsit_class TEXT NOT NULL,
    rsit_type TEXT NOT NULL,
    attacker_class TEXT NOT NULL,
    asset_class TEXT NOT NULL,
    tlp TEXT NOT NULL,
    functional_impact TEXT NOT NULL,
    information_impact TEXT NOT NULL,
    recoverability TEXT NOT NULL,
    criticality TEXT NOT NULL,
    priority TEXT NOT NULL,
    ack_due INTEGER NOT NULL,
    first_response_due INTEGER NOT NULL,
    containment_due INTEGER NOT NULL,
    owner_id INTEGER REFERENCES users(id),
    reported_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    first_response_at INTEGER,
    contained_at INTEGER,
    closed_at INTEGER,
    merged_into INTEGER REFERENCES incidents(id),
    is_exercise INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    UNIQUE (year, seq)
);
CREATE INDEX incidents_phase ON incidents(phase, priority);
CREATE INDEX incidents_updated ON incidents(updated_at);

CREATE TABLE incident_members (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (incident_id, user_id)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    reporter_name TEXT NOT NULL DEFAULT '',
    reporter_email TEXT NOT NULL DEFAULT '',
    reporter_org TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    status TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    raw BLOB NOT NULL,
    raw_content_type TEXT NOT NULL DEFAULT '',
    client_addr TEXT NOT NULL DEFAULT '',
    message_id TEXT,
    reject_reason TEXT
);
CREATE INDEX reports_status ON reports(status, received_at);
CREATE INDEX reports_incident ON reports(incident_id);
CREATE INDEX reports_message_id ON reports(message_id);

CREATE TABLE report_attachments (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments(report_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_incident ON events(incident_id, at);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    title TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users(id),
    due_at INTEGER,
    done_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES users(id)
);
CREATE INDEX tasks_incident ON tasks(incident_id);
CREATE INDEX tasks_assignee ON tasks(assignee_id, done_at);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    subject TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES users(id),
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX decisions_incident ON decisions(incident_id);

-- The audit log is append-only and hash-chained. audit_head holds the chain's head (so removing
-- the newest entries is detected) and is the row every write transaction locks first, which
-- serialises writers on both backends and keeps the chain linear.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
