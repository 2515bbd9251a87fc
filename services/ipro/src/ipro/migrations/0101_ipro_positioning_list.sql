-- Positionings are listed from this table, never by folding one positioning stream per row: it keeps the
-- session's times as the place was proposed on them. Positionings proposed before this migration take them
-- from their events.

ALTER TABLE positionings
    ADD COLUMN starts_at  timestamptz,
    ADD COLUMN ends_at    timestamptz;

UPDATE positionings o SET starts_at = (e.payload->>'starts_at')::timestamptz,
                          ends_at = (e.payload->>'ends_at')::timestamptz
FROM events e WHERE e.stream_id = o.positioning_id AND e.event_type = 'ipro.positioning.proposed';

ALTER TABLE positionings
    ALTER COLUMN starts_at SET NOT NULL,
    ALTER COLUMN ends_at SET NOT NULL;
