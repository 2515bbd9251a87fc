-- The consultation journal (kernel.journal, docs/audit.md): every read of personal data and every refused
-- access of the five services, consumed from `access.journal` (projections.access_journal). Not a view: the
-- topic keeps only the journal's retention, so this table is the journal of record and no rebuild empties it.
-- Append-only: an entry is never changed, and deleted only by the retention pruner, past six months at least.
CREATE TABLE access_journal (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- keyset pagination, newest first
    entry_id         uuid NOT NULL UNIQUE,                             -- a redelivered entry is stored once
    recorded_at      timestamptz NOT NULL,
    service          text NOT NULL,
    method           text NOT NULL,
    route            text NOT NULL,
    status           smallint NOT NULL,
    user_id          text,
    role             text,
    organisation_id  text,
    establishment    text,
    subject_ids      text[] NOT NULL DEFAULT '{}',
    object_ids       text[] NOT NULL DEFAULT '{}',
    subjects_count   integer NOT NULL DEFAULT 0,
    correlation_id   text,
    purpose          text NOT NULL DEFAULT ''
);
CREATE INDEX access_journal_by_subject ON access_journal USING gin (subject_ids);
CREATE INDEX access_journal_by_user ON access_journal (user_id, seq);
CREATE INDEX access_journal_by_time ON access_journal (recorded_at);

-- Where the consumer stands on each partition of the topic, written in the transaction of the entries.
CREATE TABLE access_journal_offsets (
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);

CREATE FUNCTION refuse_access_journal_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('passerelle.access_journal_pruning', true) = 'on'
            AND OLD.recorded_at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the access journal is append-only: an entry is deleted only past its retention';
END $$;
CREATE TRIGGER access_journal_append_only BEFORE UPDATE OR DELETE ON access_journal
    FOR EACH ROW EXECUTE FUNCTION refuse_access_journal_rewrite();
-- The service may add entries and prune old ones (under the trigger), never rewrite or empty the table.
REVOKE UPDATE, TRUNCATE ON access_journal FROM passerelle_service;
