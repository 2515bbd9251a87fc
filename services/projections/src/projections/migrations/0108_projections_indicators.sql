-- InSERRE indicators per establishment and month (issue 15 item 5), built from the four `<service>.events`
-- topics by the `projections.indicators` subscription. The tables hold facts per person and day, never a
-- month's totals: a month is computed from them at read time (`indicators.compute`), so a past month is
-- what the log says, and `passerelle-dev rebuild projections.indicators` (which empties every table here)
-- gives the same numbers. No name of a person: subject ids only.

-- Where a person is held, day by day: one row per case and establishment, a transfer ending one and starting
-- the next. `last_day` is the last day spent there (NULL: still there); `ended_by` why it ended.
CREATE TABLE indicator_stays (
    case_id            text NOT NULL,
    first_day          date NOT NULL,
    subject_id         text NOT NULL,
    establishment      text NOT NULL,
    admitted_on        date NOT NULL,  -- the admission of the custody period the stay belongs to
    expected_end_date  date,           -- the sentence's, as last updated before the case closed
    last_day           date,
    ended_by           text,           -- transfer | release | end_of_measure
    PRIMARY KEY (case_id, first_day)
);
CREATE INDEX indicator_stays_establishment
    ON indicator_stays (establishment, first_day, (coalesce(last_day, 'infinity'::date)));
CREATE INDEX indicator_stays_subject ON indicator_stays (subject_id);

-- What counts as being in activity: a post, a training, an active pathway step (a goal's step, or the goal
-- when it has none). Days, both ends included. A place on a partner action counts too, from its booking to
-- its session: read from `indicator_positionings`.
CREATE TABLE indicator_activities (
    activity_id  text NOT NULL,   -- "work:<affectation>", "training:<id>", "step:<goal>/<step>"
    first_day    date NOT NULL,
    source_id    text NOT NULL,   -- what its end events name: the work file, training, goal or positioning
    subject_id   text NOT NULL,
    kind         text NOT NULL,   -- work | training | step
    last_day     date,            -- NULL: not ended
    PRIMARY KEY (activity_id, first_day)
);
CREATE INDEX indicator_activities_subject ON indicator_activities (subject_id);
CREATE INDEX indicator_activities_source ON indicator_activities (source_id) WHERE last_day IS NULL;

-- A pathway's person and case, and its outcome at release (IPRO's exit situation).
CREATE TABLE indicator_pathways (
    pathway_id      text PRIMARY KEY,
    case_id         text NOT NULL,
    subject_id      text NOT NULL,
    exit_situation  text
);
CREATE INDEX indicator_pathways_case ON indicator_pathways (case_id);

-- A programme referral, from enrolment to how the participation ended.
CREATE TABLE indicator_participations (
    referral_id    text PRIMARY KEY,
    subject_id     text NOT NULL,
    establishment  text NOT NULL,
    enrolled       boolean NOT NULL DEFAULT false,
    ended_on       date,
    outcome        text  -- completed | not_completed | dropped_out | excluded | released | withdrawn
);
CREATE INDEX indicator_participations_ended ON indicator_participations (establishment, ended_on);

-- A place on a partner action's session: booked, attended or not, and what came of it.
CREATE TABLE indicator_positionings (
    positioning_id  text PRIMARY KEY,
    subject_id      text NOT NULL,
    proposed_on     date NOT NULL,
    session_day     date NOT NULL,
    status          text NOT NULL,  -- booked | attended | no_show | withdrawn | cancelled
    ended_on        date,           -- withdrawn or cancelled on
    outcome         text            -- contracts.ipro.PositioningOutcome
);
CREATE INDEX indicator_positionings_subject ON indicator_positionings (subject_id);
