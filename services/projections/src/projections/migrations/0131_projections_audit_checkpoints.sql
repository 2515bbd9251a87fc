-- The services' signed checkpoints (ADR 27) as their topics `<service>.checkpoints` carried them, for auditors
-- over HTTP (`GET /audit/checkpoints`, ADR 30 addendum). Each record is kept as it was published, even one that
-- does not parse or whose signature fails: the check is made when read, with the trusted keys of the
-- configuration, never with anything the topic says. Filled by a loop of its own (projections.checkpoints):
-- checkpoints are not events of a contract. Not a view: nothing rebuilds it, the topics are read once.
CREATE TABLE audit_checkpoints (
    topic        text NOT NULL,      -- with the deployment's prefix
    partition    integer NOT NULL,
    "offset"     bigint NOT NULL,
    service      text NOT NULL,      -- the service whose topic it came from (not what the record claims)
    value        bytea NOT NULL,     -- the record's bytes as published
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, partition, "offset")  -- a record read again (a restart) is stored once
);
CREATE INDEX audit_checkpoints_by_service ON audit_checkpoints (service);

-- Where the loop stands on each partition, written in the transaction of the records.
CREATE TABLE audit_checkpoint_offsets (
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    PRIMARY KEY (topic, partition)
);
