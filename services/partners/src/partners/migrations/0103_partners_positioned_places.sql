-- The places IPRO positioned people on, from `ipro.events` (subscription `partners.ipro-positionings`,
-- `replica.py`): one row per positioning, holding its place until it is given back. `action_sessions.booked`
-- is this table's count per session, recounted whenever one of its rows changes, so a replayed or
-- redelivered event changes nothing; rebuilding the replica recounts every session that had a positioning.
CREATE TABLE positioned_places (
    positioning_id  text PRIMARY KEY,
    session_id      text NOT NULL,
    holds_place     boolean NOT NULL DEFAULT true
);
CREATE INDEX positioned_places_held ON positioned_places (session_id) WHERE holds_place;
