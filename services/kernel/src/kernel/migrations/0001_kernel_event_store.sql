-- The append-only event store, which is also the outbox the relay publishes from.
CREATE TABLE events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction. The relay publishes in (transaction_id, position) order, and only rows of
    -- transactions older than every transaction still in flight: that set is final, so nothing committed
    -- late is ever skipped (gap-safe). Appending is a command's first write (the event store checks it),
    -- so a stream's later versions always carry a later transaction id.
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL UNIQUE,
    stream_type     text NOT NULL,
    stream_id       text NOT NULL,
    stream_version  integer NOT NULL CHECK (stream_version >= 1),
    event_type      text NOT NULL,
    schema_version  integer NOT NULL CHECK (schema_version >= 1),
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           jsonb NOT NULL,
    subject         text,
    correlation_id  text NOT NULL,
    causation_id    text,
    restricted      boolean NOT NULL DEFAULT false,
    payload         jsonb NOT NULL,
    previous_hash   text,
    hash            text NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_publication_order ON events (transaction_id, position);
CREATE INDEX events_subject ON events (subject) WHERE subject IS NOT NULL;

-- Wake the relay when events commit (NOTIFY is delivered at commit, never for a rolled-back append), but
-- only while it sleeps: every notifying commit takes a cluster-wide lock, which would serialise the
-- commits of a busy service. A relay that is publishing needs no wake-up.
CREATE UNLOGGED TABLE relay_wakeup (
    relay      text PRIMARY KEY,
    listening  boolean NOT NULL
);
CREATE FUNCTION notify_events_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM relay_wakeup WHERE listening) THEN
        PERFORM pg_notify('events_appended', '');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER events_appended AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_appended();

-- Appending is the only write: updates and deletes of history are refused.
CREATE FUNCTION refuse_event_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event store is append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_event_rewrite();

-- The last event the relay had acknowledged by Kafka, in publication order.
CREATE TABLE relay_checkpoints (
    relay           text PRIMARY KEY,
    transaction_id  xid8 NOT NULL,
    position        bigint NOT NULL
);
