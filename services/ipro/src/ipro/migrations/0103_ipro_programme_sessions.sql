-- Issue 13 #7: the SPIP programme sessions of the people IPRO follows, a replica of `programmes.events` (the
-- groups of sensitive programmes never reach that topic: they are published restricted). Work hours, trainings
-- and partner sessions booked over one of them are accepted with a warning (D.412-32: SPIP appointments are
-- organised outside working hours).

CREATE TABLE programme_names (
    programme_id  text PRIMARY KEY,
    name          text NOT NULL
);

CREATE TABLE programme_groups (
    group_id      text PRIMARY KEY,
    programme_id  text NOT NULL
);

CREATE TABLE programme_sessions (
    session_id  text PRIMARY KEY,
    group_id    text NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    room        text NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false
);
CREATE INDEX programme_sessions_by_group ON programme_sessions (group_id);

-- Who holds a seat in a group (the waiting list attends nothing).
CREATE TABLE programme_participants (
    referral_id  text PRIMARY KEY,
    group_id     text NOT NULL,
    subject_id   text NOT NULL,
    seated       boolean NOT NULL
);
CREATE INDEX programme_participants_by_subject ON programme_participants (subject_id) WHERE seated;
