-- The live person file kept between reads (projections.person_file.snapshots): a cache of the fold, checked
-- against the person's events on every read, emptied with the view on a rebuild.
CREATE TABLE person_file_snapshots (
    subject_id    text PRIMARY KEY,
    through_seq   bigint NOT NULL,       -- the latest seq folded
    events        integer NOT NULL,      -- how many events were folded
    folded_at     timestamptz NOT NULL,  -- the `now` it was folded at
    valid_until   timestamptz NOT NULL,  -- the first instant a fold of the same events would differ
    contributors  text[] NOT NULL,
    file          jsonb NOT NULL
);

-- A file's freshness is the latest seq and the number of its streams' events: from the index alone.
CREATE INDEX person_file_events_stream_seq ON person_file_events (stream, seq);
DROP INDEX person_file_events_stream;
