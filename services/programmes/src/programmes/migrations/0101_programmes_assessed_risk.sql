-- The latest validated risk level of a case, in a table of its own: `assessment.validated` belongs to
-- another stream than `assessment.case.opened`, on another partition, and may arrive first. Written into
-- `followed_cases`, it was lost when the case row was not there yet.
CREATE TABLE followed_risks (
    case_id             text PRIMARY KEY,
    overall_risk_level  text NOT NULL,
    validated_on        date NOT NULL
);
INSERT INTO followed_risks (case_id, overall_risk_level, validated_on)
    SELECT case_id, overall_risk_level, risk_validated_on FROM followed_cases
    WHERE overall_risk_level IS NOT NULL AND risk_validated_on IS NOT NULL;
ALTER TABLE followed_cases DROP COLUMN overall_risk_level, DROP COLUMN risk_validated_on;
