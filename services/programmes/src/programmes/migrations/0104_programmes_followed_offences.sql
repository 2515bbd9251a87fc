-- A case's offence categories, in a table of their own (ADR 25): `assessment.case.offences_recorded` travels
-- restricted, on `assessment.restricted`, and may arrive before or after the case's opening or an update
-- read from `assessment.events`. The newest by the assessment store's position wins, whatever the order.
-- The cases followed so far keep theirs (position 0: any offences recorded since are newer).
CREATE TABLE followed_offences (
    case_id             text PRIMARY KEY,
    offence_categories  text[] NOT NULL,
    position            bigint NOT NULL
);
INSERT INTO followed_offences (case_id, offence_categories, position)
    SELECT case_id, offence_categories, 0 FROM followed_cases;
ALTER TABLE followed_cases DROP COLUMN offence_categories;
