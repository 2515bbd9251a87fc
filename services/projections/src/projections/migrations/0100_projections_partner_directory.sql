-- The partner directory, built only from partners.* events.
CREATE TABLE directory_partners (
    partner_id         text PRIMARY KEY,
    name               text NOT NULL,
    siret              text NOT NULL,
    organisation_type  text NOT NULL,
    registered_at      timestamptz NOT NULL,
    -- When this row became visible: the benchmark measures end-to-end latency with it.
    projected_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX directory_partners_name ON directory_partners (lower(name));
