-- Statistics select by period: incidents by the receipt of their first report, reports by their
-- receipt. Without these every summary, time-metrics and report query scans the whole table.
CREATE INDEX incidents_reported ON incidents(reported_at);
CREATE INDEX reports_received ON reports(received_at);
