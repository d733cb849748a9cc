-- Notifications from an incident to contacts (issue 5, "Out 2"), and the admin-editable
-- message templates they are written from. The PostgreSQL migration of the same name defines
-- the same columns.

-- An administrator's override of a built-in template, per language. No row: the default
-- compiled into the binary is used; deleting the row resets the template.
CREATE TABLE message_templates (
    name TEXT NOT NULL,
    lang TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (name, lang)
);

-- Who we write to: network and domain owners, ISPs, CERTs, hosters, registrars, customers.
-- tlp_max is the most restrictive marking they may receive (never 'red': TLP:RED never goes
-- out).
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    organisation TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    -- lower case; one contact per address
    email TEXT NOT NULL UNIQUE,
    -- 'ja' or 'en': the language their notifications are written in
    lang TEXT NOT NULL DEFAULT 'en',
    -- owner, isp, cert, hosting, registrar, customer, other
    kind TEXT NOT NULL DEFAULT 'other',
    notes TEXT NOT NULL DEFAULT '',
    tlp_max TEXT NOT NULL DEFAULT 'green',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- One row per message sent from an incident: to whom (a contact, or an address taken from an
-- asset's owner), how they were chosen, which template and language, and the queued message
-- (outbox) whose status, error and answer are the notification's.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    outbox_id INTEGER NOT NULL REFERENCES outbox(id),
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    -- how the recipient was selected, space-separated: 'contact:3 asset:web01'
    routes TEXT NOT NULL DEFAULT '',
    template TEXT NOT NULL,
    lang TEXT NOT NULL,
    -- the marking the message carries (the most restrictive of what it contains)
    tlp TEXT NOT NULL,
    indicators INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX notifications_incident ON notifications(incident_id);
CREATE INDEX notifications_outbox ON notifications(outbox_id);
