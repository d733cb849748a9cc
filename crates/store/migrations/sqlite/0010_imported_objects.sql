-- Objects that came in with an import (STIX bundle, MISP event or feed, TAXII feed) which hikeshi
-- does not turn into indicators — unknown types, malware, relationships, galaxies — kept whole
-- so nothing the sender gave is dropped. One row per object per source.
-- The PostgreSQL migration of the same name defines the same columns.
CREATE TABLE imported_objects (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    body TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (source, object_id)
);
