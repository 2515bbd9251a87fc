-- The partner organisations a DPIP named to co-facilitate a group (security review L3): a partner's lists
-- show the groups naming its organisation, not those whose free-text facilitators happen to equal its user id.
-- Groups planned before name none (their events carry none).
ALTER TABLE groups ADD COLUMN partner_organisations text[] NOT NULL DEFAULT '{}';
CREATE INDEX groups_partner_organisations ON groups USING gin (partner_organisations);
