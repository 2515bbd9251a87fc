-- The log as the topics carried it, for auditors over HTTP (issue 16 item 4, ADR 30): every event of the
-- topics projections may read, one row per event id, its envelope's fields as published (hashes included,
-- never recomputed) and its personal values masked. Filled by the `projections.audit-log` subscription, and
-- rebuilt from offset 0 like any view (`passerelle replay projections.audit-log`).
CREATE TABLE audit_log (
    event_id        uuid PRIMARY KEY,
    topic           text NOT NULL,      -- `<service>.events` or `<service>.restricted`, without the prefix
    service         text NOT NULL,
    position        bigint NOT NULL,    -- in the producing service's event store
    event_type      text NOT NULL,
    schema_version  integer NOT NULL,
    stream_type     text NOT NULL,
    stream_id       text NOT NULL,
    stream_version  integer NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           jsonb NOT NULL,
    subject         text,
    correlation_id  text NOT NULL,
    causation_id    text,
    restricted      boolean NOT NULL,
    payload         jsonb NOT NULL,     -- every personal value (sealed or not) replaced by « [scellé] »
    hash_version    smallint NOT NULL,
    previous_hash   text,
    hash            text NOT NULL
);
-- A stream read in version order, and a person's events in recorded order: each an index range.
CREATE INDEX audit_log_by_stream ON audit_log (stream_id, stream_version);
CREATE INDEX audit_log_by_subject ON audit_log (subject, recorded_at) WHERE subject IS NOT NULL;
