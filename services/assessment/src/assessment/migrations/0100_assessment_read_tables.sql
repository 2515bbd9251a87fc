-- Inline read tables of the assessment service, written after the events in each command's transaction.
-- They serve caseload and deadline queries and guard rules that span streams (ADR 9).

CREATE TABLE cases (
    case_id         text PRIMARY KEY,
    subject_id      text NOT NULL,
    last_name       text NOT NULL,
    first_names     text NOT NULL,
    ecrou_number    text NOT NULL,
    establishment   text NOT NULL,
    referent        text,
    admission_date  date NOT NULL,
    closed_on       date,
    version         integer NOT NULL
);
-- One case per person and custody period: a person has at most one open case.
CREATE UNIQUE INDEX cases_one_open_per_person ON cases (subject_id) WHERE closed_on IS NULL;
CREATE INDEX cases_by_referent ON cases (referent) WHERE closed_on IS NULL;

CREATE TABLE assessments (
    assessment_id  text PRIMARY KEY,
    case_id        text NOT NULL REFERENCES cases,
    kind           text NOT NULL,
    status         text NOT NULL,
    validated_on   date,
    version        integer NOT NULL
);
-- Only one assessment of a case is open (not validated) at a time.
CREATE UNIQUE INDEX assessments_one_open_per_case ON assessments (case_id) WHERE status <> 'validated';

-- Psychologists and social workers read the assessments they contributed to.
CREATE TABLE assessment_contributors (
    assessment_id  text NOT NULL REFERENCES assessments,
    contributor    text NOT NULL,
    PRIMARY KEY (assessment_id, contributor)
);

CREATE TABLE plans (
    plan_id       text PRIMARY KEY,
    case_id       text NOT NULL UNIQUE REFERENCES cases,
    plan_version  integer NOT NULL,
    review_date   date NOT NULL,
    version       integer NOT NULL
);

CREATE TABLE interviews (
    interview_id    text PRIMARY KEY,
    case_id         text NOT NULL REFERENCES cases,
    held_on         date NOT NULL,
    interview_type  text NOT NULL,
    author          text NOT NULL
);
CREATE INDEX interviews_by_case ON interviews (case_id, held_on);

-- Deadlines of each case. An occurrence is identified by its case, kind and due date; the scheduler
-- publishes one `assessment.deadline.missed` per occurrence (its stream id is the deadline id).
CREATE TABLE deadlines (
    deadline_id     text PRIMARY KEY,
    case_id         text NOT NULL REFERENCES cases,
    kind            text NOT NULL,
    due_on          date NOT NULL,
    done_on         date,
    cancelled       boolean NOT NULL DEFAULT false,
    missed_published boolean NOT NULL DEFAULT false
);
CREATE INDEX deadlines_pending ON deadlines (due_on) WHERE done_on IS NULL AND NOT cancelled;
