-- Statistics by constituency and coordinated cases (issue 9), and the statistics page from
-- monthly rollups (issue 8). The SQLite migration of the same name explains each table; the
-- tables and what the triggers keep in them are the same.

ALTER TABLE incidents ADD COLUMN constituency TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN coordinated_at BIGINT;
UPDATE incidents SET coordinated_at = (
    SELECT MIN(o.sent_at) FROM notifications n JOIN outbox o ON o.id = n.outbox_id
    WHERE n.incident_id = incidents.id AND o.status = 'sent');

CREATE TABLE stats_incident_months (
    measure TEXT NOT NULL,
    month BIGINT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    attacker_class TEXT NOT NULL,
    rsit_class TEXT NOT NULL,
    rsit_type TEXT NOT NULL,
    constituency TEXT NOT NULL,
    is_exercise BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (measure, month, category, priority, attacker_class, rsit_class, rsit_type,
                 constituency, is_exercise)
);
CREATE TABLE stats_report_months (
    month BIGINT NOT NULL,
    constituency TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, constituency)
);

-- The month (Japan time, no daylight saving) of a Unix ms time, as 202604.
CREATE FUNCTION stats_month(ms BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS $$
    SELECT CAST(to_char(to_timestamp(ms / 1000 + 32400) AT TIME ZONE 'UTC', 'YYYYMM') AS BIGINT)
$$;

INSERT INTO stats_incident_months
SELECT 'opened', stats_month(reported_at), category, priority, attacker_class, rsit_class,
       rsit_type, constituency, is_exercise, COUNT(*)
FROM incidents WHERE phase <> 'merged'
GROUP BY 2, category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise;
INSERT INTO stats_incident_months
SELECT 'coordinated', stats_month(coordinated_at), category, priority, attacker_class,
       rsit_class, rsit_type, constituency, is_exercise, COUNT(*)
FROM incidents WHERE phase <> 'merged' AND coordinated_at IS NOT NULL
GROUP BY 2, category, priority, attacker_class, rsit_class, rsit_type, constituency, is_exercise;
INSERT INTO stats_report_months
SELECT stats_month(received_at), mailbox, COUNT(*) FROM reports GROUP BY 1, mailbox;

-- One incident row's contribution (d = 1 or -1) to the rollup.
CREATE FUNCTION stats_incident_add(i incidents, d BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF i.phase = 'merged' THEN
        RETURN;
    END IF;
    INSERT INTO stats_incident_months VALUES ('opened', stats_month(i.reported_at), i.category,
        i.priority, i.attacker_class, i.rsit_class, i.rsit_type, i.constituency, i.is_exercise, d)
    ON CONFLICT (measure, month, category, priority, attacker_class, rsit_class, rsit_type,
                 constituency, is_exercise)
    DO UPDATE SET n = stats_incident_months.n + EXCLUDED.n;
    IF i.coordinated_at IS NOT NULL THEN
        INSERT INTO stats_incident_months VALUES ('coordinated', stats_month(i.coordinated_at),
            i.category, i.priority, i.attacker_class, i.rsit_class, i.rsit_type, i.constituency,
            i.is_exercise, d)
        ON CONFLICT (measure, month, category, priority, attacker_class, rsit_class, rsit_type,
                     constituency, is_exercise)
        DO UPDATE SET n = stats_incident_months.n + EXCLUDED.n;
    END IF;
END $$;

CREATE FUNCTION stats_incidents_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM stats_incident_add(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM stats_incident_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_incidents_ins_del AFTER INSERT OR DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION stats_incidents_trg();
CREATE TRIGGER stats_incidents_upd AFTER UPDATE ON incidents FOR EACH ROW
    WHEN (OLD.reported_at IS DISTINCT FROM NEW.reported_at
       OR OLD.coordinated_at IS DISTINCT FROM NEW.coordinated_at
       OR (OLD.phase = 'merged') IS DISTINCT FROM (NEW.phase = 'merged')
       OR OLD.category IS DISTINCT FROM NEW.category OR OLD.priority IS DISTINCT FROM NEW.priority
       OR OLD.attacker_class IS DISTINCT FROM NEW.attacker_class
       OR OLD.rsit_class IS DISTINCT FROM NEW.rsit_class
       OR OLD.rsit_type IS DISTINCT FROM NEW.rsit_type
       OR OLD.constituency IS DISTINCT FROM NEW.constituency
       OR OLD.is_exercise IS DISTINCT FROM NEW.is_exercise)
    EXECUTE FUNCTION stats_incidents_trg();

CREATE FUNCTION stats_reports_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE stats_report_months SET n = n - 1
        WHERE month = stats_month(OLD.received_at) AND constituency = OLD.mailbox;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO stats_report_months VALUES (stats_month(NEW.received_at), NEW.mailbox, 1)
        ON CONFLICT (month, constituency) DO UPDATE SET n = stats_report_months.n + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stats_reports_ins_del AFTER INSERT OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION stats_reports_trg();
CREATE TRIGGER stats_reports_upd AFTER UPDATE ON reports FOR EACH ROW
    WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at OR OLD.mailbox IS DISTINCT FROM NEW.mailbox)
    EXECUTE FUNCTION stats_reports_trg();

CREATE FUNCTION incidents_coordinated_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incidents SET coordinated_at = (
        SELECT MIN(o.sent_at) FROM notifications n JOIN outbox o ON o.id = n.outbox_id
        WHERE n.incident_id = incidents.id AND o.status = 'sent')
    WHERE id IN (SELECT incident_id FROM notifications WHERE outbox_id = NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_coordinated AFTER UPDATE ON outbox FOR EACH ROW
    WHEN ((OLD.status = 'sent' OR NEW.status = 'sent')
        AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.sent_at IS DISTINCT FROM NEW.sent_at))
    EXECUTE FUNCTION incidents_coordinated_trg();

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
