-- Every list of pathways is limited to the caller's establishments (ADR 26, security review H5): the open
-- pathways of a site are read by establishment in the list's order, not filtered from all sites'.

CREATE INDEX pathways_by_establishment ON pathways (establishment, opened_on, pathway_id) WHERE closed_on IS NULL;
