-- Mail threading (issue 5): a reply is stored as its own report (raw bytes kept) and points at
-- the first report of its thread.
ALTER TABLE reports ADD COLUMN thread_root INTEGER REFERENCES reports(id);
CREATE INDEX reports_thread_root ON reports(thread_root);
