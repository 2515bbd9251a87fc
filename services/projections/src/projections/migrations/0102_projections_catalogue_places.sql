-- The places IPRO positioned people on (from ipro.events, subscription `projections.catalogue-places`): one
-- row per positioning, holding its place until given back. A session's seats left are its action's
-- capacity (from partners.events) minus the places held here, counted at query time: each view is rebuilt
-- from its own topic without touching the other's tables.
CREATE TABLE catalogue_places (
    positioning_id  text PRIMARY KEY,
    action_id       text NOT NULL,
    session_id      text NOT NULL,
    holds_place     boolean NOT NULL DEFAULT true,
    projected_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX catalogue_places_held ON catalogue_places (action_id, session_id) WHERE holds_place;
