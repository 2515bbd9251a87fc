-- A facilitator's and a person's schedule read by the slots too (issue 15: "a request must not get slower as a
-- table grows"): `/schedule?facilitator=` and a person's week read that one's sessions of the window by the
-- GiST index on (who, span), where they read every session of the region in the window and filtered. Those
-- schedules show a cancelled session (struck through, CANCELLED in a calendar), so the slots now keep the
-- cancelled sessions too, marked; the conflict checks skip them (`NOT cancelled`).
ALTER TABLE schedule_facilitator_slots ADD COLUMN cancelled boolean NOT NULL DEFAULT false;
ALTER TABLE schedule_person_slots ADD COLUMN cancelled boolean NOT NULL DEFAULT false;
INSERT INTO schedule_facilitator_slots (item_id, facilitator_key, kind, during, since, cancelled)
SELECT DISTINCT s.item_id, k.facilitator_key, s.kind, s.during, s.staffed_since, true
FROM schedule_sessions s CROSS JOIN unnest(s.facilitator_keys) AS k(facilitator_key)
WHERE s.cancelled;
INSERT INTO schedule_person_slots (item_id, referral_id, subject_id, kind, during, since, cancelled)
SELECT s.item_id, m.referral_id, m.subject_id, s.kind, s.during, greatest(s.since, m.since), true
FROM schedule_sessions s JOIN schedule_members m ON m.group_id = s.source_id AND m.active
WHERE s.kind = 'group_session' AND s.cancelled;
