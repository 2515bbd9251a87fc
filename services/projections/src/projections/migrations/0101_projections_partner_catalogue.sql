-- The partner directory also shows each organisation's accreditation, and the published catalogue of the
-- partners' actions. Built only from partners.* events; no personal data (contact persons, facilitators).

-- The status (accredited, expired...) depends on today's date: it is computed at query time from these.
ALTER TABLE directory_partners
    ADD COLUMN accredited_until  date,
    ADD COLUMN suspended         boolean NOT NULL DEFAULT false,
    ADD COLUMN withdrawn         boolean NOT NULL DEFAULT false,
    -- The partner stream's version last applied: an event at or below it changes nothing. Rows already
    -- here were made by `partners.partner.registered`, always a stream's first event.
    ADD COLUMN stream_version    integer NOT NULL DEFAULT 1;

-- A catalogue action, from its creation (an approved proposal) to its closing.
CREATE TABLE catalogue_actions (
    action_id       text PRIMARY KEY,
    partner_id      text NOT NULL,
    title           text NOT NULL,
    action_type     text NOT NULL,
    theme           text NOT NULL,
    capacity_min    integer NOT NULL,
    capacity_max    integer NOT NULL,
    published       boolean NOT NULL DEFAULT false,
    closed          boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    -- The action stream's version last applied (its sessions' events included).
    stream_version  integer NOT NULL,
    projected_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX catalogue_actions_partner ON catalogue_actions (partner_id);
CREATE INDEX catalogue_actions_open ON catalogue_actions (action_type) WHERE published AND NOT closed;

-- Its sessions: when and where (the facilitators' names are personal data and stay out).
CREATE TABLE catalogue_sessions (
    action_id   text NOT NULL REFERENCES catalogue_actions (action_id),
    session_id  text NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    place       text NOT NULL,
    cancelled   boolean NOT NULL DEFAULT false,
    reported    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (action_id, session_id)
);
CREATE INDEX catalogue_sessions_upcoming ON catalogue_sessions (starts_at)
    WHERE NOT cancelled AND NOT reported;
