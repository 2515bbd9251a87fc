-- Inline read tables of the partners service: written in the command's transaction, after its events,
-- from the aggregate's state. They serve this service's own lists and guard cross-aggregate rules;
-- they can be rebuilt from the events table at any time.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE calls (
    call_id        text PRIMARY KEY,
    status         text NOT NULL,
    title          text NOT NULL,
    theme          text NOT NULL,
    establishment  text NOT NULL,
    opens_on       date NOT NULL,
    closes_on      date NOT NULL,
    target_themes  text[] NOT NULL,
    version        integer NOT NULL
);
CREATE INDEX calls_by_closing ON calls (status, closes_on);

CREATE TABLE organisations (
    partner_id         text PRIMARY KEY,
    name               text NOT NULL,
    siret              text NOT NULL,
    organisation_type  text NOT NULL,
    establishment      text,
    accredited_until   date,
    suspended          boolean NOT NULL,
    withdrawn          boolean NOT NULL,
    version            integer NOT NULL
);
CREATE INDEX organisations_by_name ON organisations (lower(name));

CREATE TABLE proposals (
    proposal_id  text PRIMARY KEY,
    call_id      text NOT NULL,
    partner_id   text NOT NULL,
    status       text NOT NULL,
    title        text NOT NULL,
    action_type  text NOT NULL,
    action_id    text,
    version      integer NOT NULL
);
CREATE INDEX proposals_by_call ON proposals (call_id, status);
CREATE INDEX proposals_by_partner ON proposals (partner_id, status);

CREATE TABLE actions (
    action_id     text PRIMARY KEY,
    proposal_id   text NOT NULL,
    call_id       text NOT NULL,
    partner_id    text NOT NULL,
    title         text NOT NULL,
    action_type   text NOT NULL,
    theme         text NOT NULL,
    capacity_max  integer NOT NULL,
    published     boolean NOT NULL,
    closed        boolean NOT NULL,
    version       integer NOT NULL
);
CREATE INDEX actions_by_partner ON actions (partner_id);

-- Sessions of every action: the exclusion constraints refuse, even between concurrent commands, two live
-- sessions at overlapping times in the same place or with the same facilitator.
CREATE TABLE action_sessions (
    session_id  text PRIMARY KEY,
    action_id   text NOT NULL REFERENCES actions ON DELETE CASCADE,
    place       text NOT NULL,
    during      tstzrange NOT NULL,
    cancelled   boolean NOT NULL,
    reported    boolean NOT NULL,
    -- Seats taken by people positioned on the session (filled once IPRO positioning exists).
    booked      integer NOT NULL DEFAULT 0,
    CONSTRAINT session_place_free EXCLUDE USING gist (lower(place) WITH =, during WITH &&) WHERE (NOT cancelled)
);
CREATE INDEX action_sessions_by_action ON action_sessions (action_id);

CREATE TABLE session_facilitators (
    session_id   text NOT NULL REFERENCES action_sessions ON DELETE CASCADE,
    facilitator  text NOT NULL,
    during       tstzrange NOT NULL,
    PRIMARY KEY (session_id, facilitator),
    CONSTRAINT facilitator_free EXCLUDE USING gist (facilitator WITH =, during WITH &&)
);
