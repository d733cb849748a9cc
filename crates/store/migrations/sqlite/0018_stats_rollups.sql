-- Statistics by constituency and coordinated cases (issue 9), and the statistics page from
-- monthly rollups (issue 8). The PostgreSQL migration of the same name defines the same tables
-- and keeps them the same way.

-- The constituency an incident belongs to (free text, trimmed, may be empty): set from the
-- mailbox label of the report it was created from, editable with the classification.
ALTER TABLE incidents ADD COLUMN constituency TEXT NOT NULL DEFAULT '';
-- When the first notification about the incident was sent to someone outside (a coordinated
-- case, 調整): the earliest sent_at of its notifications' outbox rows. Kept by the trigger on
-- outbox below, so no code path that sends mail can forget it.
ALTER TABLE incidents ADD COLUMN coordinated_at INTEGER;
UPDATE incidents SET coordinated_at = (
    SELECT MIN(o.sent_at) FROM notifications n JOIN outbox o ON o.id = n.outbox_id
    WHERE n.incident_id = incidents.id AND o.status = 'sent');

-- Counts per month (Japan time, as 202604) and every dimension the statistics show, so a
-- period's counts read at most a few hundred rows instead of a year of incidents. measure is
-- 'opened' (the month of reported_at) or 'coordinated' (the month of coordinated_at); merged
-- incidents are not counted (as in the direct query); exercises are counted apart. Rows whose
-- count fell to zero stay and are skipped when read.
CREATE TABLE stats_incident_months (
    measure TEXT NOT NULL,
    month INTEGER NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    attacker_class TEXT NOT NULL,
    rsit_class TEXT NOT NULL,
    rsit_type TEXT NOT NULL,
    constituency TEXT NOT NULL,
    is_exercise INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (measure, month, category, priority, attacker_class, rsit_class, rsit_type,
                 constituency, is_exercise)
);
-- Reports per month received and constituency (the mailbox label; empty for other doors).
CREATE TABLE stats_report_months (
    month INTEGER NOT NULL,
    constituency TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, constituency)
);

INSERT INTO stats_incident_months
SELECT 'opened', CAST(strftime('%Y%m', reported_at / 1000 + 32400, 'unixepoch') AS INTEGER),
       category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise, COUNT(*)
FROM incidents WHERE phase <> 'merged'
GROUP BY 2, category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise;
INSERT INTO stats_incident_months
SELECT 'coordinated', CAST(strftime('%Y%m', coordinated_at / 1000 + 32400, 'unixepoch') AS INTEGER),
       category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise, COUNT(*)
FROM incidents WHERE phase <> 'merged' AND coordinated_at IS NOT NULL
GROUP BY 2, category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise;
INSERT INTO stats_report_months
SELECT CAST(strftime('%Y%m', received_at / 1000 + 32400, 'unixepoch') AS INTEGER), mailbox, COUNT(*)
FROM reports GROUP BY 1, mailbox;

-- The rollups are kept by triggers, in the same transaction as the write, whatever writes it
-- (the Store's methods, a migration, the benchmarks' bulk loader): one place, no code path that
-- can forget. Each change takes the old row's contribution away and adds the new one's.
CREATE TRIGGER stats_incidents_ins AFTER INSERT ON incidents WHEN NEW.phase <> 'merged'
BEGIN
    INSERT INTO stats_incident_months VALUES ('opened',
        CAST(strftime('%Y%m', NEW.reported_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.category, NEW.priority, NEW.attacker_class, NEW.rsit_class, NEW.rsit_type,
        NEW.constituency, NEW.is_exercise, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO stats_incident_months SELECT 'coordinated',
        CAST(strftime('%Y%m', NEW.coordinated_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.category, NEW.priority, NEW.attacker_class, NEW.rsit_class, NEW.rsit_type,
        NEW.constituency, NEW.is_exercise, 1
    WHERE NEW.coordinated_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stats_incidents_del AFTER DELETE ON incidents WHEN OLD.phase <> 'merged'
BEGIN
    UPDATE stats_incident_months SET n = n - 1 WHERE measure = 'opened'
        AND month = CAST(strftime('%Y%m', OLD.reported_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND category = OLD.category AND priority = OLD.priority
        AND attacker_class = OLD.attacker_class AND rsit_class = OLD.rsit_class
        AND rsit_type = OLD.rsit_type AND constituency = OLD.constituency
        AND is_exercise = OLD.is_exercise;
    UPDATE stats_incident_months SET n = n - 1 WHERE measure = 'coordinated'
        AND OLD.coordinated_at IS NOT NULL
        AND month = CAST(strftime('%Y%m', OLD.coordinated_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND category = OLD.category AND priority = OLD.priority
        AND attacker_class = OLD.attacker_class AND rsit_class = OLD.rsit_class
        AND rsit_type = OLD.rsit_type AND constituency = OLD.constituency
        AND is_exercise = OLD.is_exercise;
END;

-- An update is a delete of the old row's contribution and an insert of the new one's; only
-- when something counted changed.
CREATE TRIGGER stats_incidents_upd AFTER UPDATE OF reported_at, coordinated_at, phase, category,
    priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise ON incidents
WHEN OLD.reported_at IS NOT NEW.reported_at OR OLD.coordinated_at IS NOT NEW.coordinated_at
    OR (OLD.phase = 'merged') IS NOT (NEW.phase = 'merged') OR OLD.category IS NOT NEW.category
    OR OLD.priority IS NOT NEW.priority OR OLD.attacker_class IS NOT NEW.attacker_class
    OR OLD.rsit_class IS NOT NEW.rsit_class OR OLD.rsit_type IS NOT NEW.rsit_type
    OR OLD.constituency IS NOT NEW.constituency OR OLD.is_exercise IS NOT NEW.is_exercise
BEGIN
    UPDATE stats_incident_months SET n = n - 1 WHERE OLD.phase <> 'merged' AND measure = 'opened'
        AND month = CAST(strftime('%Y%m', OLD.reported_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND category = OLD.category AND priority = OLD.priority
        AND attacker_class = OLD.attacker_class AND rsit_class = OLD.rsit_class
        AND rsit_type = OLD.rsit_type AND constituency = OLD.constituency
        AND is_exercise = OLD.is_exercise;
    UPDATE stats_incident_months SET n = n - 1 WHERE OLD.phase <> 'merged'
        AND measure = 'coordinated' AND OLD.coordinated_at IS NOT NULL
        AND month = CAST(strftime('%Y%m', OLD.coordinated_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND category = OLD.category AND priority = OLD.priority
        AND attacker_class = OLD.attacker_class AND rsit_class = OLD.rsit_class
        AND rsit_type = OLD.rsit_type AND constituency = OLD.constituency
        AND is_exercise = OLD.is_exercise;
    INSERT INTO stats_incident_months SELECT 'opened',
        CAST(strftime('%Y%m', NEW.reported_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.category, NEW.priority, NEW.attacker_class, NEW.rsit_class, NEW.rsit_type,
        NEW.constituency, NEW.is_exercise, 1
    WHERE NEW.phase <> 'merged'
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO stats_incident_months SELECT 'coordinated',
        CAST(strftime('%Y%m', NEW.coordinated_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.category, NEW.priority, NEW.attacker_class, NEW.rsit_class, NEW.rsit_type,
        NEW.constituency, NEW.is_exercise, 1
    WHERE NEW.phase <> 'merged' AND NEW.coordinated_at IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stats_reports_ins AFTER INSERT ON reports
BEGIN
    INSERT INTO stats_report_months VALUES (
        CAST(strftime('%Y%m', NEW.received_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.mailbox, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stats_reports_del AFTER DELETE ON reports
BEGIN
    UPDATE stats_report_months SET n = n - 1
    WHERE month = CAST(strftime('%Y%m', OLD.received_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND constituency = OLD.mailbox;
END;

CREATE TRIGGER stats_reports_upd AFTER UPDATE OF received_at, mailbox ON reports
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.mailbox IS NOT NEW.mailbox
BEGIN
    UPDATE stats_report_months SET n = n - 1
    WHERE month = CAST(strftime('%Y%m', OLD.received_at / 1000 + 32400, 'unixepoch') AS INTEGER)
        AND constituency = OLD.mailbox;
    INSERT INTO stats_report_months VALUES (
        CAST(strftime('%Y%m', NEW.received_at / 1000 + 32400, 'unixepoch') AS INTEGER),
        NEW.mailbox, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A notification's message sent (or its sending time corrected): the incident is coordinated
-- from the earliest of its sent notifications.
CREATE TRIGGER incidents_coordinated AFTER UPDATE OF status, sent_at ON outbox
WHEN (OLD.status = 'sent' OR NEW.status = 'sent')
    AND (OLD.status IS NOT NEW.status OR OLD.sent_at IS NOT NEW.sent_at)
BEGIN
    UPDATE incidents SET coordinated_at = (
        SELECT MIN(o.sent_at) FROM notifications n JOIN outbox o ON o.id = n.outbox_id
        WHERE n.incident_id = incidents.id AND o.status = 'sent')
    WHERE id IN (SELECT incident_id FROM notifications WHERE outbox_id = NEW.id);
END;

-- The statistics page's other reads, and the dashboard (issue 8's 50 ms):
-- - the period's most pressing incidents, one priority at a time in order of receipt;
CREATE INDEX incidents_priority_reported ON incidents(priority, reported_at, id);
-- - the time metrics read a year of incidents' recorded times from the index alone;
CREATE INDEX incidents_times ON incidents(reported_at, is_exercise, phase, id, acknowledged_at,
    first_response_at, contained_at, closed_at, owner_reached_at, ack_due, first_response_due,
    containment_due);
-- - the dashboard's open incidents (most are closed) in list order, and the reports waiting.
CREATE INDEX incidents_open ON incidents(priority, updated_at DESC, id DESC)
    WHERE phase NOT IN ('closed', 'rejected', 'merged');
CREATE INDEX incidents_open_owner ON incidents(owner_id)
    WHERE phase NOT IN ('closed', 'rejected', 'merged');
