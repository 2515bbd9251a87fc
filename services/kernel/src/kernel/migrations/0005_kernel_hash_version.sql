-- How each event's hash is computed (docs/audit.md): the events written so far are version 1; the event store
-- writes version 2 (RFC 8785) from now on, and says so on every row.
ALTER TABLE events ADD COLUMN hash_version smallint NOT NULL DEFAULT 1 CHECK (hash_version >= 1);
