-- Where a person is now (the latest opening or transfer of a case of theirs), looked up per person by the
-- consultation journal's perimeter (ADR 26 addendum) and the person search: one index probe per case stream
-- instead of reading every event of the case.
CREATE INDEX person_file_events_places ON person_file_events (stream, occurred_at DESC, service DESC, position DESC)
    WHERE event_type IN ('assessment.case.opened', 'assessment.case.transferred');
