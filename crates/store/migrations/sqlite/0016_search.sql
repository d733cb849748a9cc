-- Search and saved filters (issue 8, page 5). The PostgreSQL migration of the same name defines
-- the same columns.
--
-- Indicator search needs no new index on SQLite: the UNIQUE (kind, value) index compares with
-- BINARY (byte order), so `kind IN (…) AND value >= $p AND value < $p_upper` is a range scan.

-- A user's named query string for one list: 'search', 'incidents' or 'reports'.
CREATE TABLE saved_filters (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('search', 'incidents', 'reports')),
    -- The query string without the leading '?', as the list page reads it.
    query TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, scope, name)
);
