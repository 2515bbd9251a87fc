-- The kept files warmed off the read path (projections.person_file.refresher, ADR 18 addendum): the consumer
-- marks the streams it stored new events of, in its transaction; the refresher finds whose files those
-- streams are in, marks those people, and folds their files again, the longest-waiting first. Both are
-- durable, so a restart resumes them; both are part of the view (a rebuild empties them, its replay marks
-- everything again).

-- A stream with events no kept file has folded yet; `seq` is its latest event's: the refresher drops the
-- mark only if it is still the one it read.
CREATE TABLE person_file_changed_streams (
    stream  text PRIMARY KEY,
    seq     bigint NOT NULL
);

-- A person whose kept file is stale, since when; `token` changes whenever they are marked again, so that a
-- fold started before is not taken for one of the newer events.
CREATE SEQUENCE person_file_stale_tokens;
CREATE TABLE person_file_stale (
    subject_id  text PRIMARY KEY,
    since       timestamptz NOT NULL DEFAULT now(),
    token       bigint NOT NULL DEFAULT nextval('person_file_stale_tokens')
);
CREATE INDEX person_file_stale_since ON person_file_stale (since, subject_id);

-- Whose file a stream is in: the edges walked backwards, from the stream up to its owners.
CREATE INDEX person_file_links_stream ON person_file_links (stream, via);
CREATE INDEX person_file_owners_stream ON person_file_owners (stream, subject_id);

-- Kept files past their midnight (or an upcoming session's end), folded again first-expired first.
CREATE INDEX person_file_snapshots_valid_until ON person_file_snapshots (valid_until);

-- The files of people already known are warmed once after this migration.
INSERT INTO person_file_stale (subject_id) SELECT DISTINCT subject_id FROM person_file_owners;
