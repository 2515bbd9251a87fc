-- Where the persons of each consultation were when it was stored (ADR 26 addendum): their establishment as
-- the person file said then, '' for a person it did not know yet. A reader's unfiltered page checks each
-- entry's persons one by one only where this list meets their perimeter (or the entry names someone who has
-- moved since, or is older than this column): a reader of one site among twelve no longer looks up every
-- entry's persons. Set when the entry is added, never updated (the table stays append-only); NULL on the
-- entries stored before, which are checked as before.
ALTER TABLE access_journal ADD COLUMN places text[];
CREATE INDEX access_journal_by_place ON access_journal USING gin (places);
