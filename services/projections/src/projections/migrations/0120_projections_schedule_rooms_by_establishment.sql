-- Rooms by (establishment, room) (issue 15 #2, ADR 29): a session's room is its establishment's, the reference
-- list's id where the place names one of its rooms, else the place (case and spaces aside). Two sites'
-- "Salle 1" are two rooms. `passerelle-dev rebuild projections.schedule` re-keys the rooms of history by the
-- list and finds their conflicts again (docs/operations.md); until then the rows below keep their names.

-- The session's establishment: its group's, or its action's call's ('' while that call is not read yet).
ALTER TABLE schedule_sessions ADD COLUMN establishment text NOT NULL DEFAULT '';
UPDATE schedule_sessions s SET establishment = g.establishment
FROM schedule_groups g WHERE s.kind = 'group_session' AND g.group_id = s.source_id;
UPDATE schedule_sessions s SET establishment = c.establishment
FROM schedule_actions a JOIN schedule_calls c ON c.call_id = a.call_id
WHERE s.kind = 'action_session' AND a.action_id = s.source_id;
DROP INDEX schedule_sessions_room;
CREATE INDEX schedule_sessions_room ON schedule_sessions USING gist (establishment, place_key, during);
-- An establishment's week (`/schedule?establishment=`) by one index over the window.
CREATE INDEX schedule_sessions_establishment ON schedule_sessions USING gist (establishment, during);

-- A room's conflict: the establishment of its room, with `place_key`.
ALTER TABLE schedule_conflicts ADD COLUMN room_establishment text;
UPDATE schedule_conflicts c SET room_establishment = s.establishment
FROM schedule_sessions s WHERE c.place_key IS NOT NULL AND s.item_id = c.first_item;
DROP INDEX schedule_conflicts_room;
CREATE INDEX schedule_conflicts_room ON schedule_conflicts USING gist (room_establishment, place_key, during)
    WHERE resolved_at IS NULL;
