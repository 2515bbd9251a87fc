-- What the kernel promises the readers of its topics (ADR 14).

-- Every event's transaction id, and the relay's horizon (below it, every transaction has ended), come
-- from these two functions. A restore into another cluster starts that cluster's transaction counter below
-- the ids already stored; `passerelle-dev relay rebase` then redefines both with a constant shift, so new
-- events still sort after every restored one. The planner inlines them: an append pays nothing for this.
CREATE FUNCTION event_store_xid() RETURNS xid8 LANGUAGE sql STABLE
    AS $$ SELECT pg_current_xact_id() $$;
CREATE FUNCTION event_store_horizon() RETURNS xid8 LANGUAGE sql STABLE
    AS $$ SELECT pg_snapshot_xmin(pg_current_snapshot()) $$;
ALTER TABLE events ALTER COLUMN transaction_id SET DEFAULT event_store_xid();

-- The cluster whose transaction ids the table holds. A service refuses to start on another cluster until an
-- operator rebases it (docs/operations.md).
CREATE TABLE event_store_cluster (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    system_identifier  text NOT NULL,
    xid_shift          bigint NOT NULL DEFAULT 0,
    recorded_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_store_cluster (system_identifier) SELECT system_identifier::text FROM pg_control_system();

-- One active consumer per subscription. Its leader holds an advisory lock and this lease's epoch; every
-- consumer transaction checks the epoch (FOR SHARE), and a successor bumps it (FOR NO KEY UPDATE) only
-- once the last of those has ended: a leader that lost its lock can no longer commit anything.
CREATE TABLE consumer_leases (
    consumer  text PRIMARY KEY,
    epoch     bigint NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);

-- Kept for deduplication only: pruned by age (PROCESSED_EVENTS_RETENTION_DAYS), like idempotency keys.
ALTER TABLE processed_events ADD COLUMN processed_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX processed_events_age ON processed_events USING brin (processed_at);
CREATE INDEX idempotency_keys_age ON idempotency_keys USING brin (created_at);
