-- Lists and text search that stay fast at 100,000 incidents and reports (issue 8). The
-- PostgreSQL migration of the same name serves the same queries with its own index types.

-- Keyset paging: each list's sort key, so a page (the first or the thousandth) is an index
-- range read, not a sort or an OFFSET walk. Incidents sort by priority, then most recently
-- updated, then id; reports by receipt, then id (an index on received_at ends with the rowid).
CREATE INDEX incidents_list ON incidents(priority, updated_at DESC, id DESC);
-- A phase filter reads the same order within the phase (incidents_phase stays for the
-- dashboard's and statistics' own queries).
CREATE INDEX incidents_phase_list ON incidents(phase, priority, updated_at DESC, id DESC);

-- Text search: FTS5 with the trigram tokenizer (SQLite >= 3.34), so any substring of three or
-- more characters is found through the index, Japanese (no spaces between words) included,
-- case-insensitively. External content: the text lives once, in the tables; triggers keep the
-- index in step with every insert, change of the searched columns and delete.
CREATE VIRTUAL TABLE incidents_text USING fts5(
    title, summary, content='incidents', content_rowid='id', tokenize='trigram'
);
INSERT INTO incidents_text(incidents_text) VALUES ('rebuild');
CREATE TRIGGER incidents_text_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_text(rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;
CREATE TRIGGER incidents_text_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_text(incidents_text, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
END;
CREATE TRIGGER incidents_text_update AFTER UPDATE OF title, summary ON incidents BEGIN
    INSERT INTO incidents_text(incidents_text, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    INSERT INTO incidents_text(rowid, title, summary) VALUES (new.id, new.title, new.summary);
END;

CREATE VIRTUAL TABLE reports_text USING fts5(
    subject, body, reporter_name, reporter_email, reporter_org,
    content='reports', content_rowid='id', tokenize='trigram'
);
INSERT INTO reports_text(reports_text) VALUES ('rebuild');
CREATE TRIGGER reports_text_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reports_text(rowid, subject, body, reporter_name, reporter_email, reporter_org)
        VALUES (new.id, new.subject, new.body, new.reporter_name, new.reporter_email, new.reporter_org);
END;
CREATE TRIGGER reports_text_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reports_text(reports_text, rowid, subject, body, reporter_name, reporter_email, reporter_org)
        VALUES ('delete', old.id, old.subject, old.body, old.reporter_name, old.reporter_email, old.reporter_org);
END;
CREATE TRIGGER reports_text_update
AFTER UPDATE OF subject, body, reporter_name, reporter_email, reporter_org ON reports BEGIN
    INSERT INTO reports_text(reports_text, rowid, subject, body, reporter_name, reporter_email, reporter_org)
        VALUES ('delete', old.id, old.subject, old.body, old.reporter_name, old.reporter_email, old.reporter_org);
    INSERT INTO reports_text(rowid, subject, body, reporter_name, reporter_email, reporter_org)
        VALUES (new.id, new.subject, new.body, new.reporter_name, new.reporter_email, new.reporter_org);
END;

-- A whole e-mail address searched for is compared with the reporter's address whole: its
-- trigrams (`…@example.jp`) are in nearly every report, so the text index would read them all.
CREATE INDEX reports_reporter_email ON reports (LOWER(reporter_email));

-- The TLP:RED incidents, which hide the reports linked to them from people not named on them:
-- a report list reads this small set once (from the index alone) instead of every visible
-- incident.
CREATE INDEX incidents_red ON incidents (id, owner_id, created_by) WHERE tlp = 'red';
