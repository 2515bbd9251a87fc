-- The audit archive of restricted events (issue 16 #5, ADR 28): its own database, owned by the archiver's role
-- (`audit_archive`); auditors read it (`auditor`, SELECT only); no service role may connect to it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'auditor') THEN
        CREATE ROLE auditor NOLOGIN;
    END IF;
END $$;

-- One row per event id: the record exactly as the topic held it (sealed values stay sealed), and where.
CREATE TABLE archived_events (
    event_id        uuid PRIMARY KEY,
    service         text NOT NULL,
    stream_id       text NOT NULL,
    stream_version  bigint NOT NULL,
    topic           text NOT NULL,
    topic_partition integer NOT NULL,
    topic_offset    bigint NOT NULL,
    key             bytea,
    value           bytea NOT NULL,
    archived_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, topic_partition, topic_offset)
);
CREATE INDEX archived_events_by_stream ON archived_events (stream_id, stream_version);

-- A record the archive could not key (unreadable), or another copy of an event id it holds that differs from
-- it: kept beside, never over, the first.
CREATE TABLE archive_conflicts (
    topic           text NOT NULL,
    topic_partition integer NOT NULL,
    topic_offset    bigint NOT NULL,
    service         text NOT NULL,
    event_id        uuid,
    reason          text NOT NULL,
    key             bytea,
    value           bytea NOT NULL,
    archived_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, topic_partition, topic_offset)
);

-- The next offset to read per partition, written in the transaction of the rows it covers (ADR 3).
CREATE TABLE archive_offsets (
    topic           text NOT NULL,
    topic_partition integer NOT NULL,
    next_offset     bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, topic_partition)
);

-- What was archived stays as archived: no update or delete, even by the archiver (its owner could drop the
-- trigger; an honest mistake cannot).
CREATE FUNCTION archive_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit archive is append-only';
END $$;
CREATE TRIGGER archived_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON archived_events
    FOR EACH STATEMENT EXECUTE FUNCTION archive_append_only();
CREATE TRIGGER archive_conflicts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON archive_conflicts
    FOR EACH STATEMENT EXECUTE FUNCTION archive_append_only();

GRANT USAGE ON SCHEMA public TO auditor;
GRANT SELECT ON archived_events, archive_conflicts, archive_offsets TO auditor;
