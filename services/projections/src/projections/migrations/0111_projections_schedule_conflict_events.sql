-- The schedule's conflicts published as events, and facilitators double-booked (issue 15 item 2, ADR 29).
-- Facilitator conflicts of sessions ingested before this migration are found by
-- `passerelle-dev rebuild projections.schedule`, which publishes them once (ADR 29).

-- A facilitator's conflicts, by digest (`schedule.occupancy.facilitator_key`), like a room's.
ALTER TABLE schedule_conflicts ADD COLUMN facilitator_key text;
CREATE INDEX schedule_conflicts_facilitator ON schedule_conflicts USING gist (facilitator_key, during)
    WHERE resolved_at IS NULL;

-- When a session's times or facilitators were last set (event time): a facilitator's conflict appears at the
-- later of its two sessions'.
ALTER TABLE schedule_sessions ADD COLUMN staffed_since timestamptz;
UPDATE schedule_sessions SET staffed_since = since;
ALTER TABLE schedule_sessions ALTER COLUMN staffed_since SET NOT NULL;

-- What has been told of each conflict on `projections.events`: whether it is open, and the event time and
-- rank of the last transition told. Not a table of the view: a rebuild keeps it, so that replaying the topics
-- tells only what was never told (ADR 29). Written in the transaction that appends the event.
CREATE TABLE schedule_conflict_publications (
    conflict_id  text PRIMARY KEY,     -- the view's id of the conflict
    stream_id    text NOT NULL UNIQUE, -- the events' conflict id and stream: a UUID derived from it
    open         boolean NOT NULL,
    told_at      timestamptz NOT NULL,
    told_rank    smallint NOT NULL,    -- 0 resolved, 1 detected, 2 withdrawn: orders transitions at one instant
    version      integer NOT NULL      -- the stream's version
);
