-- Every list of cases and deadlines is limited to the caller's establishments (ADR 26, security review H5):
-- a DPIP's list of open cases is read by establishment in the list's order, not filtered from all sites'.

CREATE INDEX cases_by_establishment ON cases (establishment, lower(last_name), lower(first_names), case_id)
    WHERE closed_on IS NULL;
