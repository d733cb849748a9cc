-- Each user's display time zone (an IANA name); empty = JST on Japanese pages, else the
-- server's configured zone.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
