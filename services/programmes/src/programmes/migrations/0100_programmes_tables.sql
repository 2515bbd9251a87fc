-- Inline read tables of the programmes service, written after the events in each command's transaction,
-- and the replica of the assessment events that eligibility and caseloads read (ADR 9, ADR 12).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE programmes (
    programme_id  text PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    kind          text NOT NULL,
    sensitive     boolean NOT NULL,
    withdrawn     boolean NOT NULL DEFAULT false,
    definition    jsonb NOT NULL,
    version       integer NOT NULL
);

CREATE TABLE groups (
    group_id       text PRIMARY KEY,
    programme_id   text NOT NULL REFERENCES programmes,
    establishment  text NOT NULL,
    room           text NOT NULL,
    facilitators   text[] NOT NULL,
    start_date     date NOT NULL,
    end_date       date NOT NULL,
    capacity       integer NOT NULL,
    minimum        integer NOT NULL,
    status         text NOT NULL,
    sensitive      boolean NOT NULL,
    participants   integer NOT NULL,
    waiting        integer NOT NULL,
    version        integer NOT NULL
);
CREATE INDEX groups_by_programme ON groups (programme_id);
CREATE INDEX groups_by_facilitator ON groups USING gin (facilitators);

-- The sessions not cancelled. No room of an establishment and no facilitator is booked twice at a time:
-- the exclusion constraints settle it, races included.
CREATE TABLE group_sessions (
    session_id     text PRIMARY KEY,
    group_id       text NOT NULL REFERENCES groups,
    number         integer NOT NULL,
    establishment  text NOT NULL,
    room           text NOT NULL,
    during         tstzrange NOT NULL,
    review         boolean NOT NULL,
    catch_up       boolean NOT NULL,
    held           boolean NOT NULL DEFAULT false,
    CONSTRAINT room_double_booked
        EXCLUDE USING gist (lower(establishment) WITH =, lower(room) WITH =, during WITH &&)
);
CREATE INDEX group_sessions_by_group ON group_sessions (group_id);
CREATE INDEX group_sessions_by_time ON group_sessions USING gist (during);

CREATE TABLE session_facilitators (
    session_id   text NOT NULL REFERENCES group_sessions ON DELETE CASCADE,
    facilitator  text NOT NULL,
    during       tstzrange NOT NULL,
    PRIMARY KEY (session_id, facilitator),
    CONSTRAINT facilitator_double_booked EXCLUDE USING gist (lower(facilitator) WITH =, during WITH &&)
);

CREATE TABLE referrals (
    referral_id   text PRIMARY KEY,
    programme_id  text NOT NULL REFERENCES programmes,
    case_id       text NOT NULL,
    subject_id    text NOT NULL,
    group_id      text,
    status        text NOT NULL,
    sensitive     boolean NOT NULL,
    referred_on   date NOT NULL,
    version       integer NOT NULL
);
-- A person has one open referral per programme.
CREATE UNIQUE INDEX referrals_one_open_per_programme ON referrals (subject_id, programme_id)
    WHERE status NOT IN ('completed', 'not_completed', 'dropped_out', 'excluded', 'withdrawn');
CREATE INDEX referrals_by_case ON referrals (case_id);
CREATE INDEX referrals_by_group ON referrals (group_id);

-- A person's sessions in the groups where they hold a seat: a person is not in two sessions at a time.
CREATE TABLE participant_sessions (
    referral_id  text NOT NULL,
    session_id   text NOT NULL REFERENCES group_sessions ON DELETE CASCADE,
    subject_id   text NOT NULL,
    during       tstzrange NOT NULL,
    PRIMARY KEY (referral_id, session_id),
    CONSTRAINT enrolment_overlap EXCLUDE USING gist (subject_id WITH =, during WITH &&)
);

-- Replica of the assessment service's shareable events: what eligibility and caseloads need.
CREATE TABLE followed_cases (
    case_id              text PRIMARY KEY,
    subject_id           text NOT NULL,
    last_name            text NOT NULL,
    first_names          text NOT NULL,
    ecrou_number         text NOT NULL,
    establishment        text NOT NULL,
    referent             text,
    short_sentence       boolean NOT NULL,
    offence_categories   text[] NOT NULL,
    overall_risk_level   text,
    risk_validated_on    date,
    closed_on            date
);
CREATE INDEX followed_cases_by_subject ON followed_cases (subject_id);

CREATE TABLE followed_plans (
    plan_id       text PRIMARY KEY,
    case_id       text NOT NULL,
    plan_version  integer NOT NULL,
    objectives    text[] NOT NULL
);
