-- Lists walk an index in their order and stop after a page (kernel.pages, ADR 36); each index ends with the
-- unique key that breaks ties, as the lists' orders do. A site's open pathways are read from
-- `pathways_by_establishment` (0105), an adviser's from `pathways_by_adviser`, closed ones included from
-- `pathways_by_establishment_with_closed`.
DROP INDEX pathways_by_adviser;
CREATE INDEX pathways_by_adviser ON pathways (adviser, opened_on, pathway_id) WHERE closed_on IS NULL;
CREATE INDEX pathways_by_establishment_with_closed ON pathways (establishment, opened_on, pathway_id);

-- Positionings by session (then by the person's name, which is another table's): a partner's and an action's.
CREATE INDEX positionings_by_partner ON positionings (partner_id, session_id);
CREATE INDEX positionings_by_action ON positionings (action_id, session_id);
