-- Conflict checks whose cost does not grow with history (issue 15: "a request must not get slower as a table
-- grows"). A check looks at one facilitator or one person over a span: it now reads that span's items by one
-- index on (who, span), where it read every session the facilitator ever ran (the GIN index on
-- `facilitator_keys`, then the span as a filter), every session of every group the person ever sat in (by
-- group, then the span), every post and training they ever had; or, as the planner chose, every session of
-- the region over the span. Both tables below are made again from `schedule_sessions` and `schedule_members`
-- by the ingest, in the event's transaction, after each write of a session or a seat (`schedule.slots`).
-- btree_gist: migration 0104.

-- One row per session not cancelled and facilitator (digest) named on it.
CREATE TABLE schedule_facilitator_slots (
    item_id          text NOT NULL,         -- the session (`schedule_sessions.item_id`)
    facilitator_key  text NOT NULL,
    kind             text NOT NULL,         -- the session's
    during           tstzrange NOT NULL,
    since            timestamptz NOT NULL,  -- the session's `staffed_since`
    PRIMARY KEY (item_id, facilitator_key)
);
CREATE INDEX schedule_facilitator_slots_during ON schedule_facilitator_slots USING gist (facilitator_key, during);
INSERT INTO schedule_facilitator_slots (item_id, facilitator_key, kind, during, since)
SELECT DISTINCT s.item_id, k.facilitator_key, s.kind, s.during, s.staffed_since
FROM schedule_sessions s CROSS JOIN unnest(s.facilitator_keys) AS k(facilitator_key)
WHERE NOT s.cancelled;
-- Nothing else reads sessions by facilitator through it (`/schedule?facilitator=` reads the window's sessions).
DROP INDEX schedule_sessions_facilitators;

-- One row per group session not cancelled and seat taken in its group (an active membership, by referral).
CREATE TABLE schedule_person_slots (
    item_id      text NOT NULL,         -- the group session
    referral_id  text NOT NULL,         -- the seat (`schedule_members`)
    subject_id   text NOT NULL,
    kind         text NOT NULL,         -- group_session
    during       tstzrange NOT NULL,
    since        timestamptz NOT NULL,  -- the later of the session's `since` and the seat's
    PRIMARY KEY (item_id, referral_id)
);
CREATE INDEX schedule_person_slots_during ON schedule_person_slots USING gist (subject_id, during);
CREATE INDEX schedule_person_slots_referral ON schedule_person_slots (referral_id);
INSERT INTO schedule_person_slots (item_id, referral_id, subject_id, kind, during, since)
SELECT s.item_id, m.referral_id, m.subject_id, s.kind, s.during, greatest(s.since, m.since)
FROM schedule_sessions s JOIN schedule_members m ON m.group_id = s.source_id AND m.active
WHERE s.kind = 'group_session' AND NOT s.cancelled;

-- A person's weekly hours (trainings, work posts) not ended before the span, not every one they ever had.
DROP INDEX schedule_recurring_subject;
CREATE INDEX schedule_recurring_subject
    ON schedule_recurring (subject_id, (coalesce(last_day, 'infinity'::date)));
