-- SPIP interview appointments in the schedule (issue 15): an interview is a session of one person, held by
-- one CPIP in a room. It is a `schedule_sessions` row of kind `interview` (its room for room conflicts, the
-- CPIP's digest as its facilitator) that names its person here, and a `schedule_person_slots` row whose seat
-- is the session itself (`referral_id` = `item_id`), so that the person's checks and week read it by the
-- slots' index like a group session. Null for every other kind. Nothing to backfill: appointments start with
-- the assessment events of this version.
ALTER TABLE schedule_sessions ADD COLUMN subject_id text;
ALTER TABLE schedule_sessions ADD COLUMN interview_type text;
