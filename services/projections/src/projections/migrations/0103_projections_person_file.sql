-- The consolidated person file (issue 14, ADR 18). The view keeps the events that make up a file, not the
-- file: a read folds them (`person_file.fold`), so the file as of any instant comes from the same code.

-- Who a person is: the only place the view holds identity, so that erasing a person is one delete.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE person_identities (
    subject_id    text PRIMARY KEY,
    last_name     text NOT NULL,
    first_names   text NOT NULL,
    birth_date    date NOT NULL,
    ecrou_number  text NOT NULL,
    -- Lower-case, accents removed: what `GET /persons?q=` matches, through a trigram index.
    search_text   text NOT NULL
);
CREATE INDEX person_identities_search ON person_identities USING gin (search_text gin_trgm_ops);

-- Every event kept, by the stream it belongs to ("<service>/<stream type>:<stream id>"), without personal
-- data fields. A file reads them by (occurred_at, service, position): two events of one service at the same
-- instant keep the order its store gave them. `seq` is the view's arrival order, the cursor of
-- `/file/changes`.
CREATE TABLE person_file_events (
    seq          bigserial PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    stream       text NOT NULL,
    service      text NOT NULL,
    position     bigint NOT NULL,
    occurred_at  timestamptz NOT NULL,
    event_type   text NOT NULL,
    actor_role   text NOT NULL,
    actor_id     text NOT NULL,
    payload      jsonb NOT NULL
);
CREATE INDEX person_file_events_stream ON person_file_events (stream);

-- The streams that are a person's own: their case, assessments, referrals, pathway...
CREATE TABLE person_file_owners (
    subject_id  text NOT NULL,
    stream      text NOT NULL,
    PRIMARY KEY (subject_id, stream)
);

-- A stream seen by whoever owns another: an assessment through its case, a programme through a referral to
-- it, a group through a referral placed in it, an action and its partner through a positioning on it.
-- Edges only, so events may arrive in any order across partitions and topics.
CREATE TABLE person_file_links (
    via     text NOT NULL,
    stream  text NOT NULL,
    PRIMARY KEY (via, stream)
);
