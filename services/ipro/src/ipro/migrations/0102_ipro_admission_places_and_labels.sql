-- Issue 13. The pathway opens on the person's admission date, which the replica now keeps (cases admitted
-- before it did take their pathway's opening day). Sessions keep their place, bookings the name users know
-- them by (refusals name the post, the training, the session rather than an id). A place cancelled with its
-- session, like a withdrawn one, no longer holds the person's one place on that session.

ALTER TABLE followed_cases ADD COLUMN admission_date date;
UPDATE followed_cases c SET admission_date = p.opened_on FROM pathways p WHERE p.case_id = c.case_id;

ALTER TABLE catalogue_sessions ADD COLUMN place text NOT NULL DEFAULT '';

ALTER TABLE bookings ADD COLUMN label text NOT NULL DEFAULT '';
UPDATE bookings b SET label = 'the post «' || w.post || '» (' || w.workshop || ')'
FROM posts w WHERE w.affectation_id = b.reference;
UPDATE bookings b SET label = 'the training «' || t.title || '»'
FROM trainings t WHERE t.training_id = b.reference;

DROP INDEX positionings_one_per_session;
CREATE UNIQUE INDEX positionings_one_per_session ON positionings (subject_id, session_id)
    WHERE status NOT IN ('withdrawn', 'cancelled');
