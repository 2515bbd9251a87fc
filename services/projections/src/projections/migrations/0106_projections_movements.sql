-- The movement list (issue 15 item 3): one establishment's day read from the schedule's tables, plus what
-- says whether a movement leaves the walls and is escorted. Filled by the `projections.schedule`
-- subscription: actions ingested before this migration have no type and leaves requested before it are not
-- known until `passerelle-dev rebuild projections.schedule` replays the topics.

-- A partner action's type: a permission de sortir encadrée, a PMSMP or a temp mission takes people outside.
ALTER TABLE schedule_actions ADD COLUMN action_type text;

-- IPRO's leaves (PMSMP, permission de sortir encadrée), by day: the request on `ipro.events`, the governor's
-- decision on `ipro.restricted` (ADR 25; only whether it was approved is kept, never a refusal's reasons).
-- The two topics arrive in any order, so either may create the row.
CREATE TABLE schedule_leaves (
    leave_id    text PRIMARY KEY,
    subject_id  text,
    kind        text,             -- pmsmp | escorted_professional_leave
    first_day   date,
    last_day    date,
    purpose     text,
    approved    boolean           -- NULL: not decided yet
);
-- The approved leaves over a day, across establishments (a few), then their people by key.
CREATE INDEX schedule_leaves_days ON schedule_leaves USING gist (daterange(first_day, last_day, '[]'))
    WHERE approved AND first_day IS NOT NULL;

-- The positionings of a day, across establishments, without going through every person's.
CREATE INDEX schedule_positionings_during ON schedule_positionings USING gist (during) WHERE active;

-- A weekly schedule is its person's establishment's (their pathway's, kept up to date when a new pathway
-- opens), so that one establishment's work and training hours are read without the others': those not ended
-- before the day, by the index.
ALTER TABLE schedule_recurring ADD COLUMN establishment text;
UPDATE schedule_recurring r SET establishment = p.establishment FROM schedule_people p WHERE p.subject_id = r.subject_id;
CREATE INDEX schedule_recurring_establishment
    ON schedule_recurring (establishment, (coalesce(last_day, 'infinity'::date)));
