-- Inline read tables of the IPRO service, written after the events in each command's transaction, and the
-- replicas of the assessment and partners events it works from (ADR 9, ADR 13).

CREATE TABLE followed_cases (
    case_id                   text PRIMARY KEY,
    subject_id                text NOT NULL,
    last_name                 text NOT NULL,
    first_names               text NOT NULL,
    establishment             text NOT NULL,
    referent                  text,
    expected_end_date         date,
    conditional_release_date  date,
    closed_on                 date
);
CREATE INDEX followed_cases_by_subject ON followed_cases (subject_id);

CREATE TABLE catalogue_actions (
    action_id    text PRIMARY KEY,
    partner_id   text NOT NULL,
    title        text NOT NULL,
    action_type  text NOT NULL,
    capacity     integer NOT NULL,
    published    boolean NOT NULL DEFAULT false,
    closed       boolean NOT NULL DEFAULT false
);

-- `booked` counts the places positioned people hold: the update that takes one is the capacity guard.
CREATE TABLE catalogue_sessions (
    session_id  text PRIMARY KEY,
    action_id   text NOT NULL REFERENCES catalogue_actions,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false,
    booked      integer NOT NULL DEFAULT 0
);

CREATE TABLE pathways (
    pathway_id         text PRIMARY KEY,
    case_id            text NOT NULL UNIQUE,
    subject_id         text NOT NULL,
    establishment      text NOT NULL,
    adviser            text,
    opened_on          date NOT NULL,
    synthesis_due_on   date NOT NULL,
    synthesis_written  boolean NOT NULL DEFAULT false,
    overdue_published  boolean NOT NULL DEFAULT false,
    readiness          text,
    active_goals       integer NOT NULL DEFAULT 0,
    pending_leaves     integer NOT NULL DEFAULT 0,
    france_travail_on  date,
    closed_on          date,
    version            integer NOT NULL
);
-- One pathway per case (its id is made from the case's). Not "one open per person": the events of a person's
-- two successive cases may arrive in either order (they are keyed by case).
CREATE INDEX pathways_by_subject ON pathways (subject_id);
CREATE INDEX pathways_by_adviser ON pathways (adviser) WHERE closed_on IS NULL;

CREATE TABLE work_files (
    work_id        text PRIMARY KEY,
    pathway_id     text NOT NULL REFERENCES pathways,
    subject_id     text NOT NULL,
    classement     text NOT NULL,
    regimes        text[] NOT NULL,
    requested_on   date NOT NULL,
    has_post       boolean NOT NULL,
    version        integer NOT NULL
);

CREATE TABLE posts (
    affectation_id   text PRIMARY KEY,
    work_id          text NOT NULL REFERENCES work_files,
    subject_id       text NOT NULL,
    regime           text NOT NULL,
    post             text NOT NULL,
    workshop         text NOT NULL,
    employer         text NOT NULL,
    starts_on        date NOT NULL,
    contract_id      text,
    contract_status  text,
    ended            boolean NOT NULL
);

CREATE TABLE trainings (
    training_id  text PRIMARY KEY,
    pathway_id   text NOT NULL REFERENCES pathways,
    subject_id   text NOT NULL,
    title        text NOT NULL,
    status       text NOT NULL,
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    version      integer NOT NULL
);

CREATE TABLE positionings (
    positioning_id  text PRIMARY KEY,
    pathway_id      text NOT NULL REFERENCES pathways,
    subject_id      text NOT NULL,
    action_id       text NOT NULL,
    session_id      text NOT NULL,
    partner_id      text NOT NULL,
    status          text NOT NULL,
    outcome         text,
    version         integer NOT NULL
);
-- A person holds one place per session.
CREATE UNIQUE INDEX positionings_one_per_session ON positionings (subject_id, session_id) WHERE status <> 'withdrawn';
CREATE INDEX positionings_by_session ON positionings (session_id);

-- The person's current commitments (work hours, training hours, action sessions): overlaps are refused.
CREATE TABLE bookings (
    reference   text PRIMARY KEY,
    subject_id  text NOT NULL,
    kind        text NOT NULL,
    starts_on   date,
    ends_on     date,
    slots       jsonb NOT NULL DEFAULT '[]',
    starts_at   timestamptz,
    ends_at     timestamptz
);
CREATE INDEX bookings_by_subject ON bookings (subject_id);
