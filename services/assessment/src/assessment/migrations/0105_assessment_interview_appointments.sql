-- Interview appointments (convocations): a case's scheduled interviews, listed from this table, and looked up
-- by case and day when an interview is recorded as held, which closes the appointment of that day. Written in
-- the command's transaction; nothing to backfill (appointments start with this migration). No free text
-- about the person: a room, a time, a kind, the CPIP's user id.
CREATE TABLE interview_appointments (
    interview_id    text PRIMARY KEY,
    case_id         text NOT NULL,
    officer         text NOT NULL,
    interview_type  text NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    place           text NOT NULL,
    status          text NOT NULL DEFAULT 'scheduled'  -- scheduled | cancelled | held
);
CREATE INDEX interview_appointments_by_case ON interview_appointments (case_id, starts_at);
