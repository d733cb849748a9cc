-- National statistics (issue 9): JPCERT/CC's public monthly CSV files, kept as imported so the
-- one importer (hikeshi-exchange) reads them the same way every time.
CREATE TABLE national_stats_files (
    name TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
