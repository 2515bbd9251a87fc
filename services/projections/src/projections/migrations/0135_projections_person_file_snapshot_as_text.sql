-- A kept file is written and read whole, never queried inside: as text, PostgreSQL neither parses it into
-- jsonb at each fold nor prints it back at each read (a large file is some hundred kilobytes).
ALTER TABLE person_file_snapshots ALTER COLUMN file TYPE text USING file::text;
