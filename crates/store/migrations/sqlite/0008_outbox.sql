-- Outgoing mail (issue 5): every message we send is queued here first and sent by a background
-- sender, so a down SMTP server delays mail and never drops it. The bytes are rendered when the
-- message is queued (the template and the report may change later; what we said may not).
-- A sender claims due rows with a lease (lease_until); a crash while sending lets the lease
-- expire and another sender try again. The other backend's migration of the same name defines
-- the same columns.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    -- 'ack' (acknowledgement of a report) or 'notification'
    kind TEXT NOT NULL,
    report_id INTEGER REFERENCES reports(id),
    incident_id INTEGER REFERENCES incidents(id),
    -- envelope: MAIL FROM and RCPT TO (space-separated, lower case), and the shown subject
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    -- our Message-ID (without brackets): a reply's In-Reply-To/References find the row by it
    message_id TEXT NOT NULL UNIQUE,
    raw BLOB NOT NULL,
    -- 'queued', 'sending' (leased), 'sent', 'failed' (the last attempt failed; retried at
    -- next_attempt_at, never given up)
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_until INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    answered_at INTEGER,
    answered_by INTEGER REFERENCES reports(id)
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_report ON outbox(report_id);
CREATE INDEX outbox_incident ON outbox(incident_id);
-- The per-sender acknowledgement limit counts recent rows per recipient.
CREATE INDEX outbox_recipient ON outbox(kind, recipients, created_at);

-- The mailbox (queue or constituency label from the IMAP configuration) a mail report came
-- in through; empty for every other door.
ALTER TABLE reports ADD COLUMN mailbox TEXT NOT NULL DEFAULT '';
