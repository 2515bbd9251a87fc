-- Retention and erasure (issue 17 #2, ADR 24): which cases a litigation hold keeps from erasure, and each
-- person's erasure, pending until their data key is destroyed (the scheduler finishes a pending one).
ALTER TABLE cases ADD COLUMN held boolean NOT NULL DEFAULT false;
CREATE INDEX cases_closed_by_subject ON cases (subject_id, closed_on);

CREATE TABLE erasures (
    subject_id        text PRIMARY KEY,
    reason            text NOT NULL,
    erased_on         date NOT NULL,
    key_destroyed_at  timestamptz
);
CREATE INDEX erasures_pending ON erasures (subject_id) WHERE key_destroyed_at IS NULL;
