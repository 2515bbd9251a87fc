-- Lists walk an index in their order and stop after a page (kernel.pages, ADR 36); each index ends with the
-- unique key that breaks ties, as the lists' orders do. The catalogue (by next session from now) and the
-- person search (by similarity to the words asked) are sorted when read: no index holds those orders.
DROP INDEX directory_partners_name;
CREATE INDEX directory_partners_name ON directory_partners (lower(name), partner_id);

-- A person's consultation history, latest first: their consultations only, not the rest of their events.
CREATE INDEX events_consultations ON events (subject, position) WHERE event_type = 'projections.file.consulted';
