-- Whether a kept file holds something of an ESPACE-like programme: a reading that would keep the whole file
-- (a DPIP's; a referent CPIP's when it holds nothing sensitive) is then answered with the kept text as it is.
-- Null for files kept before: they keep their identity's place in the text and are answered as before, until
-- they are folded again.
ALTER TABLE person_file_snapshots ADD COLUMN sensitive boolean;
