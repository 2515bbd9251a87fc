-- Issue 13 #16: the times of a weekly slot are local times of day, "HH:MM:SS" without offset
-- (`contracts.times.LocalTime`). Before, a client could send a fraction or an offset ("14:00+01:00"), which the
-- bookings kept as "14:00:00+01:00": the wall-clock time is their first eight characters, as the upcaster of
-- the version-1 events reads them.
UPDATE bookings b
SET slots = (
    SELECT jsonb_agg(
        slot || jsonb_build_object('starts_at', left(slot ->> 'starts_at', 8), 'ends_at', left(slot ->> 'ends_at', 8))
        ORDER BY position
    )
    FROM jsonb_array_elements(b.slots) WITH ORDINALITY AS s (slot, position)
)
WHERE EXISTS (
    SELECT 1 FROM jsonb_array_elements(b.slots) AS slot
    WHERE length(slot ->> 'starts_at') > 8 OR length(slot ->> 'ends_at') > 8
);
