-- Consumers keep their Kafka position here, written in the same transaction as their effect.
CREATE TABLE consumer_checkpoints (
    consumer     text NOT NULL,
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);

-- Relays publish at least once: an event seen twice is applied once.
CREATE TABLE processed_events (
    consumer  text NOT NULL,
    event_id  uuid NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
