-- Lists walk an index in their order and stop after a page (kernel.pages, ADR 36): the indexes end with the
-- unique key that breaks ties, as the lists' orders do.
DROP INDEX organisations_by_name;
CREATE INDEX organisations_by_name ON organisations (lower(name), partner_id);
CREATE INDEX proposals_in_list_order ON proposals (call_id, lower(title), proposal_id);
