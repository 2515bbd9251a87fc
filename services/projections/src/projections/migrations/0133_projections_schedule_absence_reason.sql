-- A work-hours warning's legitimate-absence reason (issue 15, ADR 29 addendum): `professional_leave` or
-- `ipro_pathway` where the session is a positioning on a partner action, null otherwise and for every other
-- kind. Warnings open before this migration get theirs the next time their person is looked at again, or at
-- the next `rebuild projections.schedule`.
ALTER TABLE schedule_conflicts ADD COLUMN absence_reason text;
