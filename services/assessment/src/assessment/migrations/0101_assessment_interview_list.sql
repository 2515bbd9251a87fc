-- The case's interviews are listed from this table, never by folding one interview stream per row: it
-- keeps what the list shows (who recorded it, when, and its notes, blanked by the API when confidential).
-- Interviews recorded before this migration take these values from their events.

ALTER TABLE interviews
    ADD COLUMN author_role   text,
    ADD COLUMN recorded_at   timestamptz,
    ADD COLUMN confidential  boolean NOT NULL DEFAULT false,
    ADD COLUMN notes         text NOT NULL DEFAULT '';

UPDATE interviews i SET author_role = e.actor->>'role', recorded_at = e.occurred_at
FROM events e WHERE e.stream_id = i.interview_id AND e.stream_version = 1;

UPDATE interviews i SET notes = e.payload->>'notes', confidential = (e.payload->>'confidential')::boolean
FROM events e WHERE e.stream_id = i.interview_id AND e.event_type = 'assessment.interview.notes_recorded';

ALTER TABLE interviews
    ALTER COLUMN author_role SET NOT NULL,
    ALTER COLUMN recorded_at SET NOT NULL,
    ALTER COLUMN confidential DROP DEFAULT,
    ALTER COLUMN notes DROP DEFAULT;
