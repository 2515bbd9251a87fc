-- Break-glass reads (kernel.pseudonyms, ADR 31): a pseudonymised reader (an auditor) who read in clear, the
-- reason they gave kept in `purpose`. Entries stored before read false: no break-glass read existed then.
-- A constant default rewrites no row, so the append-only trigger is not involved.
ALTER TABLE access_journal ADD COLUMN break_glass boolean NOT NULL DEFAULT false;
-- The DPO's list of break-glass reads, newest first, without reading every other entry.
CREATE INDEX access_journal_break_glass ON access_journal (seq) WHERE break_glass;
