-- The establishment's schedule and its cross-service conflicts (issue 15, items 1 and 2), built from the
-- four `<service>.events` topics by the `projections.schedule` subscription: every table here is emptied by
-- `passerelle-dev rebuild projections.schedule`. No name of a person is stored: people by subject id,
-- names joined from `person_identities` at read time; facilitators only as digests (`schedule.occupancy`).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Reference data the sessions are read with.
CREATE TABLE schedule_programmes (
    programme_id  text PRIMARY KEY,
    code          text NOT NULL,
    name          text NOT NULL
);
CREATE TABLE schedule_groups (
    group_id          text PRIMARY KEY,
    programme_id      text NOT NULL,
    establishment     text NOT NULL,
    capacity          integer NOT NULL,
    facilitator_keys  text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE schedule_actions (
    action_id   text PRIMARY KEY,
    partner_id  text NOT NULL,
    call_id     text NOT NULL,
    title       text NOT NULL,
    capacity    integer NOT NULL
);
-- A partner action's establishment is its call's.
CREATE TABLE schedule_calls (
    call_id        text PRIMARY KEY,
    establishment  text NOT NULL
);
-- A person's establishment, from their IPRO pathway: where their conflicts are listed.
CREATE TABLE schedule_people (
    subject_id     text PRIMARY KEY,
    establishment  text NOT NULL
);

-- Dated sessions: a programme group's (planned, catch-up) and a partner action's. `since` is when their
-- current times were set, `placed_since` their times or place (event time): a conflict appears at the later
-- of its two items' (a person's conflicts by `since`, a room's by `placed_since`).
CREATE TABLE schedule_sessions (
    item_id           text PRIMARY KEY,  -- "programmes/group:<group>/<session>", "partners/action:<action>/<session>"
    kind              text NOT NULL,     -- group_session | action_session
    source_id         text NOT NULL,     -- the group or the action
    session_id        text NOT NULL,
    number            integer,
    review            boolean NOT NULL DEFAULT false,
    catch_up          boolean NOT NULL DEFAULT false,
    place             text NOT NULL,
    place_key         text NOT NULL,     -- lower case, trimmed: rooms are free text until a reference list
    during            tstzrange NOT NULL,
    facilitator_keys  text[] NOT NULL DEFAULT '{}',
    cancelled         boolean NOT NULL DEFAULT false,
    since             timestamptz NOT NULL,
    placed_since      timestamptz NOT NULL
);
CREATE INDEX schedule_sessions_during ON schedule_sessions USING gist (during);
CREATE INDEX schedule_sessions_room ON schedule_sessions USING gist (place_key, during);
CREATE INDEX schedule_sessions_source ON schedule_sessions (source_id);
CREATE INDEX schedule_sessions_facilitators ON schedule_sessions USING gin (facilitator_keys);

-- Who sits in a group (a seat, not the waiting list), by referral.
CREATE TABLE schedule_members (
    referral_id  text PRIMARY KEY,
    group_id     text NOT NULL,
    subject_id   text NOT NULL,
    active       boolean NOT NULL DEFAULT true,
    since        timestamptz NOT NULL
);
CREATE INDEX schedule_members_group ON schedule_members (group_id) WHERE active;
CREATE INDEX schedule_members_subject ON schedule_members (subject_id) WHERE active;

-- A person positioned on a partner action's session: their own day and place (IPRO moves it with the session).
CREATE TABLE schedule_positionings (
    positioning_id  text PRIMARY KEY,
    subject_id      text NOT NULL,
    action_id       text NOT NULL,
    session_id      text NOT NULL,
    title           text NOT NULL,
    place           text NOT NULL,
    during          tstzrange NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    since           timestamptz NOT NULL
);
CREATE INDEX schedule_positionings_subject ON schedule_positionings USING gist (subject_id, during) WHERE active;
CREATE INDEX schedule_positionings_session ON schedule_positionings (action_id, session_id) WHERE active;

-- Weekly schedules over a range of days, expanded on read: an IPRO training's slots, a work post's hours.
CREATE TABLE schedule_recurring (
    item_id     text PRIMARY KEY,  -- "ipro/training:<training>", "ipro/work:<work>/<affectation>"
    kind        text NOT NULL,     -- training | work
    source_id   text NOT NULL,     -- the training or the work stream
    subject_id  text NOT NULL,
    title       text NOT NULL,
    place       text NOT NULL DEFAULT '',
    first_day   date NOT NULL,
    last_day    date,              -- NULL: open-ended (a work post until its contract ends)
    slots       jsonb NOT NULL,    -- [{"weekday": 0..6, "starts_at": "HH:MM:SS", "ends_at": "HH:MM:SS"}]
    since       timestamptz NOT NULL
);
CREATE INDEX schedule_recurring_subject ON schedule_recurring (subject_id);
CREATE INDEX schedule_recurring_source ON schedule_recurring (source_id);

-- Conflicts between two items, each with the span they overlap: a person in two places at once, a room
-- booked twice, a session during the person's work hours (a warning, D.412-32). An id says which two items
-- (a weekly schedule's by its occurrence), so a conflict found again is the same row.
CREATE TABLE schedule_conflicts (
    conflict_id    text PRIMARY KEY,
    kind           text NOT NULL,    -- person_double_booked | room_double_booked | during_work_hours
    severity       text NOT NULL,    -- conflict | warning
    subject_id     text,
    place_key      text,              -- its establishment is read with it: the person's, or the sessions'
    first_item     text NOT NULL,
    second_item    text NOT NULL,
    during         tstzrange NOT NULL,
    detected_at    timestamptz NOT NULL,
    resolved_at    timestamptz,
    resolved_by    text              -- the event type that ended it: a move, a cancellation, a departure
);
CREATE INDEX schedule_conflicts_during ON schedule_conflicts USING gist (during);
CREATE INDEX schedule_conflicts_subject ON schedule_conflicts USING gist (subject_id, during) WHERE resolved_at IS NULL;
CREATE INDEX schedule_conflicts_room ON schedule_conflicts USING gist (place_key, during) WHERE resolved_at IS NULL;
