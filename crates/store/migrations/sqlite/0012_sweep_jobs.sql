-- Sweeps run as background jobs (issue 4, "as a job"): a handler asks for an incident's
-- indicators to be swept through log files (server-side paths under roots an administrator
-- allowed, or uploaded files); a runner on some node claims the job with a lease, reports
-- progress about once a second, honours a cancel request, and on finishing records the hits as
-- sightings (the sightings table's key makes a rerun add nothing). A node that dies lets its
-- lease expire: the job is claimed again, or marked failed once it has been tried too often.
-- The other backend's migration of the same name defines the same columns.
CREATE TABLE sweep_jobs (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    requested_by INTEGER REFERENCES users(id),
    -- JSON array of source names: "ROOT:relative/path" for an allowed root, "upload:NAME" for
    -- an uploaded file; the same names become the sightings' source, so they stay stable.
    sources TEXT NOT NULL,
    -- where the uploaded files of this job are kept (a directory name under the upload
    -- directory); empty when nothing was uploaded
    upload_key TEXT NOT NULL DEFAULT '',
    -- 'queued', 'running', 'done', 'failed', 'cancelled'
    state TEXT NOT NULL,
    bytes_done INTEGER NOT NULL DEFAULT 0,
    bytes_total INTEGER NOT NULL DEFAULT 0,
    lines INTEGER NOT NULL DEFAULT 0,
    hits INTEGER NOT NULL DEFAULT 0,
    new_sightings INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    -- claims so far (a claim after an expired lease counts again)
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX sweep_jobs_incident ON sweep_jobs(incident_id, id);
CREATE INDEX sweep_jobs_state ON sweep_jobs(state, id);
