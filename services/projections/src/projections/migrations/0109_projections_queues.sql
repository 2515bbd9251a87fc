-- Work queues per role (issue 15 item 4), built from the topics by the `projections.queues` subscription:
-- every table here is emptied by `passerelle-dev rebuild projections.queues`. Facts only, no person's name
-- (names are joined from `person_identities` at read time); what is due is computed at read time from these
-- facts and the day (`queues.rules`). Events of one person arrive from several topics and partitions in any
-- order: each row is keyed by its own id, every column may be filled first, and dates only move forward.

-- A SPIP follow-up (an open case): what the CPIP's and the DPIP's queues are made of.
CREATE TABLE queue_cases (
    case_id             text PRIMARY KEY,
    subject_id          text,
    establishment       text,
    referent            text,
    opened_on           date,
    closed_on           date,
    release_on          date,   -- the sentence's expected end
    adjustment_on       date,   -- conditional release eligibility: a sentence adjustment may come then
    initial_missed_on   date,   -- the assessment service's own due date, once it said it was missed
    last_validated_on   date,   -- the latest validated assessment
    risk_level          text,   -- of that assessment
    last_interview_on   date,
    plan_id             text,
    plan_version        integer,
    plan_review_on      date
);
-- A CPIP's queue is an index range on the referent; a DPIP's workload one on the establishment.
CREATE INDEX queue_cases_referent ON queue_cases (referent) WHERE closed_on IS NULL;
CREATE INDEX queue_cases_establishment ON queue_cases (establishment) WHERE closed_on IS NULL;

-- Assessments between submission and validation (the submission and a return travel on
-- `assessment.restricted`, the start and the validation on `assessment.events`: times, not arrival order).
CREATE TABLE queue_assessments (
    assessment_id  text PRIMARY KEY,
    case_id        text,
    kind           text,
    submitted_at   timestamptz,
    returned_at    timestamptz,
    validated      boolean NOT NULL DEFAULT false
);
CREATE INDEX queue_assessments_awaiting ON queue_assessments (case_id)
    WHERE submitted_at IS NOT NULL AND NOT validated;

-- A plan's current version and whether a DPIP validated it.
CREATE TABLE queue_plans (
    plan_id            text PRIMARY KEY,
    case_id            text,
    plan_version       integer NOT NULL DEFAULT 0,
    adopted_at         timestamptz,
    agreed             boolean NOT NULL DEFAULT false,
    validated_version  integer NOT NULL DEFAULT 0
);
CREATE INDEX queue_plans_awaiting ON queue_plans (case_id) WHERE validated_version < plan_version;

-- An IPRO pathway: the adviser's queue, an index range on the adviser.
CREATE TABLE queue_pathways (
    pathway_id         text PRIMARY KEY,
    case_id            text,
    subject_id         text,
    establishment      text,
    adviser            text,
    synthesis_due_on   date,
    synthesis_written  boolean NOT NULL DEFAULT false,
    france_travail_on  date,
    closed_on          date
);
CREATE INDEX queue_pathways_adviser ON queue_pathways (adviser) WHERE closed_on IS NULL;
CREATE INDEX queue_pathways_case ON queue_pathways (case_id);

-- What occupies a person: a post, a training, a place on a partner session, a seat in a programme group.
-- `last_day` NULL: open-ended; `source_id` ("work:<id>", "training:<id>", "group:<id>"...) what ends it.
CREATE TABLE queue_activities (
    activity_id  text PRIMARY KEY,
    subject_id   text NOT NULL,
    source_id    text NOT NULL,
    last_day     date,
    active       boolean NOT NULL DEFAULT true
);
CREATE INDEX queue_activities_subject ON queue_activities (subject_id);
CREATE INDEX queue_activities_source ON queue_activities (source_id);

-- Access to work: the classement request, the governor's decision, the post.
CREATE TABLE queue_work (
    work_id         text PRIMARY KEY,
    pathway_id      text,
    subject_id      text,
    requested_on    date,
    status          text,      -- requested | granted | refused | declassified
    decided_on      date,
    regimes         text[] NOT NULL DEFAULT '{}',
    interviewed_on  date,      -- the latest interview with an employer
    has_post        boolean NOT NULL DEFAULT false
);
CREATE INDEX queue_work_waiting ON queue_work (status) WHERE status IN ('requested', 'granted') AND NOT has_post;

-- Leaves (PMSMP, permission de sortir encadrée) awaiting the governor's decision (on `ipro.restricted`).
CREATE TABLE queue_leaves (
    leave_id      text PRIMARY KEY,
    pathway_id    text,
    subject_id    text,
    kind          text,
    starts_on     date,
    requested_on  date,
    decided       boolean NOT NULL DEFAULT false
);
CREATE INDEX queue_leaves_awaiting ON queue_leaves (starts_on) WHERE NOT decided;

-- Partner action sessions: places booked by IPRO against the attendance the partner reported.
CREATE TABLE queue_calls (
    call_id        text PRIMARY KEY,
    establishment  text NOT NULL
);
CREATE TABLE queue_actions (
    action_id   text PRIMARY KEY,
    call_id     text NOT NULL,
    partner_id  text NOT NULL,
    title       text NOT NULL
);
CREATE TABLE queue_sessions (
    action_id      text NOT NULL,
    session_id     text NOT NULL,
    ends_at        timestamptz,
    cancelled      boolean NOT NULL DEFAULT false,
    reported       boolean NOT NULL DEFAULT false,
    held           boolean,
    present_count  integer,
    PRIMARY KEY (action_id, session_id)
);
CREATE INDEX queue_sessions_ends ON queue_sessions (ends_at) WHERE NOT cancelled;
CREATE TABLE queue_bookings (
    positioning_id  text PRIMARY KEY,
    action_id       text NOT NULL,
    session_id      text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    attended        boolean   -- IPRO's record: true attended, false no-show, NULL not recorded
);
CREATE INDEX queue_bookings_session ON queue_bookings (action_id, session_id);
