-- Sharing (issue 6). A sharing group is an audience: a TAXII 2.1 collection, a MISP sharing
-- scope, a feed. It carries the highest TLP marking its members may receive; nothing marked
-- above it is ever written into it, whoever writes. Members read and/or write, as a user (all
-- of that user's sessions and tokens) or as one API token only.
-- The PostgreSQL migration of the same name defines the same columns.
CREATE TABLE sharing_groups (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    tlp_max TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sharing_members (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES sharing_groups(id),
    user_id INTEGER REFERENCES users(id),
    token_id INTEGER REFERENCES api_tokens(id),
    can_read INTEGER NOT NULL,
    can_write INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (token_id IS NULL)),
    UNIQUE (group_id, user_id, token_id)
);

-- STIX 2.1 objects in a group, as they were written (the TAXII objects endpoint serves the
-- body unchanged). One row per object version; `seq` orders additions and is the paging cursor.
CREATE TABLE shared_objects (
    seq INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES sharing_groups(id),
    stix_id TEXT NOT NULL,
    stix_type TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    -- `modified` (or `created`, or '' for objects without versions) in RFC 3339, and in ms.
    version TEXT NOT NULL,
    version_ms INTEGER NOT NULL,
    -- When it was added, in microseconds, strictly increasing within a group (TAXII date_added).
    added_us INTEGER NOT NULL,
    tlp TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Who or what wrote it: 'incident:42', 'user:3', 'feed:2'.
    source TEXT NOT NULL,
    UNIQUE (group_id, stix_id, version)
);
CREATE INDEX shared_objects_added ON shared_objects(group_id, added_us);

-- TAXII 2.1 status resources for POSTed envelopes (processed at once, so always complete).
CREATE TABLE taxii_status (
    id TEXT PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES sharing_groups(id),
    request_ms INTEGER NOT NULL,
    total INTEGER NOT NULL,
    success_count INTEGER NOT NULL,
    failure_count INTEGER NOT NULL,
    -- JSON arrays of {id, version, message}.
    successes TEXT NOT NULL,
    failures TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id)
);

-- MISP events written through the MISP-compatible API or shared from an incident, kept as the
-- JSON they were given so a client reads back exactly what it wrote.
CREATE TABLE misp_events (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    group_id INTEGER REFERENCES sharing_groups(id),
    info TEXT NOT NULL,
    tlp TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    event_ts INTEGER NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Attribute values of those events, for restSearch.
CREATE TABLE misp_attributes (
    event_id INTEGER NOT NULL REFERENCES misp_events(id),
    uuid TEXT NOT NULL,
    attr_type TEXT NOT NULL,
    category TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (event_id, uuid)
);
CREATE INDEX misp_attributes_value ON misp_attributes(value);

-- Where an indicator came from outside: a feed, an imported file, a peer's TAXII or MISP write.
-- The marking it came with travels with it.
CREATE TABLE indicator_sources (
    indicator_id INTEGER NOT NULL REFERENCES indicators(id),
    source TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    tlp TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, source, source_ref)
);
CREATE INDEX indicator_sources_source ON indicator_sources(source);

-- TAXII 2.1 collections hikeshi pulls from on a schedule. The secret (token or password) is
-- stored for the poller and never returned by the API or written to logs.
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    collection TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL DEFAULT '',
    default_tlp TEXT NOT NULL,
    interval_s INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    cursor TEXT NOT NULL DEFAULT '',
    last_polled_at INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    last_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
