-- A referral's row carries everything its view shows, and the person's attendance in their group: lists of
-- referrals and a person's participation read rows, never one stream per row (issue 12). The columns are
-- filled from the events already stored; from now on the handlers write them with the events.
ALTER TABLE referrals
    ADD COLUMN plan_id              text,
    ADD COLUMN objective_id         text,
    ADD COLUMN establishment        text,
    ADD COLUMN failed_rules         text[] NOT NULL DEFAULT '{}',
    ADD COLUMN override_reason      text,
    ADD COLUMN consent              boolean,
    ADD COLUMN consent_recorded_on  date,
    ADD COLUMN end_reason           text,
    ADD COLUMN attendance_rate      double precision,
    ADD COLUMN certificate_id       text,
    ADD COLUMN sessions_attended    integer NOT NULL DEFAULT 0,
    ADD COLUMN sessions_counted     integer NOT NULL DEFAULT 0;

-- Each of these events happens once in a referral's life.
UPDATE referrals r SET plan_id = e.payload->>'plan_id', objective_id = e.payload->>'objective_id',
                       establishment = e.payload->>'establishment'
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type = 'programmes.referral.requested';
UPDATE referrals r SET failed_rules = ARRAY(SELECT jsonb_array_elements_text(e.payload->'failed_rules'))
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type = 'programmes.referral.refused';
UPDATE referrals r SET override_reason = e.payload->>'reason'
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type = 'programmes.referral.eligibility_overridden';
UPDATE referrals r SET consent = (e.payload->>'given')::boolean,
                       consent_recorded_on = (e.payload->>'recorded_on')::date
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type = 'programmes.referral.consent_recorded';
UPDATE referrals r SET end_reason = CASE e.event_type WHEN 'programmes.referral.ended_on_release' THEN 'released'
                                                      ELSE e.payload->>'reason' END
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type IN (
        'programmes.referral.dropped_out', 'programmes.referral.excluded', 'programmes.referral.withdrawn',
        'programmes.referral.ended_on_release');
UPDATE referrals r SET attendance_rate = (e.payload->>'attendance_rate')::double precision
    FROM events e WHERE e.stream_id = r.referral_id AND e.event_type = 'programmes.referral.participation_assessed';
UPDATE referrals r SET certificate_id = e.payload->>'certificate_id'
    FROM events e WHERE e.stream_id = r.referral_id
    AND e.event_type = 'programmes.referral.completion_certificate_issued';

-- A person's mark for a session is the last one recorded for it (a later record corrects an earlier one).
WITH marks AS (
    SELECT DISTINCT ON (m->>'referral_id', e.payload->>'session_id') m->>'referral_id' AS referral_id,
           m->>'mark' AS mark
    FROM events e, jsonb_array_elements(e.payload->'marks') m
    WHERE e.event_type = 'programmes.group.attendance_recorded'
    ORDER BY m->>'referral_id', e.payload->>'session_id', e.position DESC
), attendance AS (
    SELECT referral_id, count(*) FILTER (WHERE mark IN ('present', 'late')) AS attended,
           count(*) FILTER (WHERE mark <> 'absent_excused') AS counted
    FROM marks GROUP BY referral_id
)
UPDATE referrals r SET sessions_attended = a.attended, sessions_counted = a.counted
    FROM attendance a WHERE r.referral_id = a.referral_id;

ALTER TABLE referrals ALTER COLUMN plan_id SET NOT NULL, ALTER COLUMN objective_id SET NOT NULL,
                      ALTER COLUMN establishment SET NOT NULL;
-- A person's participation, and the lists filtered by person.
CREATE INDEX referrals_by_subject ON referrals (subject_id);
