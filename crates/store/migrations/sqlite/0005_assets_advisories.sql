-- Vulnerability response (issue 7): the asset inventory and the advisories as imported.
CREATE TABLE assets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    addresses TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    criticality TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    os TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE asset_software (
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    release TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (asset_id, ecosystem, name, version)
);
CREATE INDEX asset_software_name ON asset_software(ecosystem, name);

-- Advisory documents kept whole (the parser in hikeshi-vuln reads them the same way every time);
-- ids holds the document's advisory ids and aliases, space-separated and space-wrapped.
CREATE TABLE advisory_docs (
    file TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    ids TEXT NOT NULL,
    content BLOB NOT NULL,
    imported_at INTEGER NOT NULL
);
