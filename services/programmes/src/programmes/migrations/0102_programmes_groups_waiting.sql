-- The seat filler's question, every few seconds: which groups have a free seat and people waiting? Few do.
CREATE INDEX groups_with_people_waiting ON groups (group_id) WHERE waiting > 0;
