-- Psychologists and social workers see only the cases they were asked to contribute to (DOMAIN.md need to
-- know, security review H4): their list of cases and each read of a case look a contribution request up
-- by person, and by case. `assessment_contributors` has held every request since 0100 (written in the
-- command's transaction), so nothing needs backfilling from the events.

CREATE INDEX assessment_contributors_by_person ON assessment_contributors (contributor);
CREATE INDEX assessments_by_case ON assessments (case_id);
