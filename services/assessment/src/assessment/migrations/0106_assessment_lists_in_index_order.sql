-- Lists walk an index in their order and stop after a page (kernel.pages, ADR 36), each index ending with the
-- unique key that breaks ties, as the lists' orders do. A site's open cases are read from
-- `cases_by_establishment` (0104); with the closed ones, from their own index; several sites' open cases by
-- name alone. Pending deadlines are walked by date; a CPIP's are found case by case (a caseload is small to
-- sort), rather than by hashing every pending deadline.
CREATE INDEX cases_by_establishment_with_closed
    ON cases (establishment, lower(last_name), lower(first_names), case_id);
CREATE INDEX cases_by_name ON cases (lower(last_name), lower(first_names), case_id) WHERE closed_on IS NULL;
DROP INDEX deadlines_pending;
CREATE INDEX deadlines_pending ON deadlines (due_on, deadline_id) WHERE done_on IS NULL AND NOT cancelled;
CREATE INDEX deadlines_pending_by_case ON deadlines (case_id, due_on) WHERE done_on IS NULL AND NOT cancelled;
