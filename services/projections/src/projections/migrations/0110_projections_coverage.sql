-- The programming coverage (issue 15 item 6): each person's current needs and the offer, with their dates
-- and seats, built by the `projections.coverage` subscription from the shareable topics and, of
-- `ipro.restricted`, the profile's education level only. `passerelle-dev rebuild projections.coverage`
-- empties every table here. People by subject id only: no name, no free text.

-- The people followed now, and where: a case's establishment is the person's (ADR 26).
CREATE TABLE coverage_cases (
    case_id        text PRIMARY KEY,
    subject_id     text NOT NULL,
    establishment  text NOT NULL,
    closed         boolean NOT NULL DEFAULT false
);
CREATE INDEX coverage_cases_establishment ON coverage_cases (establishment) WHERE NOT closed;
CREATE INDEX coverage_cases_subject ON coverage_cases (subject_id) WHERE NOT closed;

-- The latest validated assessment's priority axes (need domains), per case.
CREATE TABLE coverage_axes (
    case_id        text PRIMARY KEY,
    assessment_id  text NOT NULL,
    validated_on   date NOT NULL,
    validated_at   timestamptz NOT NULL,
    axes           text[] NOT NULL
);

-- An IPRO pathway: its case, readiness and education level. The profile comes from another topic than the
-- opening and may be read first: every column but the key may wait for its event.
CREATE TABLE coverage_pathways (
    pathway_id       text PRIMARY KEY,
    case_id          text,
    subject_id       text,
    readiness        text,
    education_level  text,
    closed           boolean NOT NULL DEFAULT false
);
CREATE INDEX coverage_pathways_case ON coverage_pathways (case_id);

CREATE TABLE coverage_goals (
    pathway_id  text NOT NULL,
    goal_id     text NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    PRIMARY KEY (pathway_id, goal_id)
);

-- The work waiting list: classed for some regimes, no post now.
CREATE TABLE coverage_work (
    work_id     text PRIMARY KEY,
    pathway_id  text NOT NULL,
    granted     boolean NOT NULL DEFAULT false,
    regimes     text[] NOT NULL DEFAULT '{}',
    has_post    boolean NOT NULL DEFAULT false
);
CREATE INDEX coverage_work_pathway ON coverage_work (pathway_id);

-- The offer: programmes (their theme labels), groups and their sessions, who sits in a group or waits for it.
CREATE TABLE coverage_programmes (
    programme_id  text PRIMARY KEY,
    themes        text[] NOT NULL
);
CREATE TABLE coverage_groups (
    group_id       text PRIMARY KEY,
    programme_id   text NOT NULL,
    establishment  text NOT NULL,
    capacity       integer NOT NULL
);
CREATE INDEX coverage_groups_establishment ON coverage_groups (establishment);
CREATE TABLE coverage_group_sessions (
    group_id    text NOT NULL,
    session_id  text NOT NULL,
    during      tstzrange NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (group_id, session_id)
);
CREATE TABLE coverage_referrals (
    referral_id  text PRIMARY KEY,
    group_id     text NOT NULL,
    subject_id   text NOT NULL,
    status       text NOT NULL  -- waiting | enrolled | left
);
CREATE INDEX coverage_referrals_group ON coverage_referrals (group_id) WHERE status = 'enrolled';
CREATE INDEX coverage_referrals_waiting ON coverage_referrals (subject_id) WHERE status = 'waiting';

-- Partner actions (their call's establishment), their sessions, and the places positionings hold on them.
CREATE TABLE coverage_calls (
    call_id        text PRIMARY KEY,
    establishment  text NOT NULL
);
CREATE INDEX coverage_calls_establishment ON coverage_calls (establishment);
CREATE TABLE coverage_actions (
    action_id    text PRIMARY KEY,
    call_id      text NOT NULL,
    action_type  text NOT NULL,
    capacity     integer NOT NULL,
    published    boolean NOT NULL DEFAULT false,
    closed       boolean NOT NULL DEFAULT false
);
CREATE INDEX coverage_actions_call ON coverage_actions (call_id);
CREATE TABLE coverage_action_sessions (
    action_id   text NOT NULL,
    session_id  text NOT NULL,
    during      tstzrange NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (action_id, session_id)
);
CREATE TABLE coverage_positionings (
    positioning_id  text PRIMARY KEY,
    action_id       text NOT NULL,
    session_id      text NOT NULL,
    holds_place     boolean NOT NULL DEFAULT true
);
CREATE INDEX coverage_positionings_session ON coverage_positionings (action_id, session_id) WHERE holds_place;

-- Vocational trainings, by pathway: running from their first to their last day (their end, or the day it
-- was completed or dropped).
CREATE TABLE coverage_trainings (
    training_id  text PRIMARY KEY,
    pathway_id   text NOT NULL,
    first_day    date NOT NULL,
    last_day     date NOT NULL
);
CREATE INDEX coverage_trainings_pathway ON coverage_trainings (pathway_id);
