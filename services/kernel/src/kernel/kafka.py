"""Kafka plumbing shared by the relay and the consumers: topic creation, producer, message encoding."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code
from tenacity import AsyncRetrying, stop_after_delay, wait_fixed

from contracts import EventEnvelope

TOPIC_ALREADY_EXISTS = 36
# The log is the audit trail: topics keep their events forever.
TOPIC_CONFIG = {"retention.ms": "-1"}


async def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int) -> list[TopicPartition]:
    """Create the topics that do not exist yet (existing ones are left as they are); all their partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            response = await admin.create_topics([
                NewTopic(t, num_partitions=partitions, replication_factor=1, topic_configs=TOPIC_CONFIG)
                for t in missing
            ])
            for topic, code, *message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise for_code(code)(f"cannot create topic {topic}: {message}")
        # A new topic's partitions appear in the metadata a moment after the controller accepted it.
        async for attempt in AsyncRetrying(stop=stop_after_delay(30), wait=wait_fixed(0.1), reraise=True):
            with attempt:
                return _partitions(await admin.describe_topics(topics), topics)
    finally:
        await admin.close()


class _PartitionsNotReady(Exception):
    pass


def _partitions(described: list[dict], topics: list[str]) -> list[TopicPartition]:
    found = {t["topic"]: t["partitions"] for t in described if t.get("error_code", 0) == 0}
    if any(not found.get(topic) for topic in topics):
        raise _PartitionsNotReady(f"partitions of {topics} not in the metadata yet")
    return [TopicPartition(topic, p["partition"]) for topic in topics for p in sorted(
        found[topic], key=lambda p: p["partition"])]


def idempotent_producer(bootstrap_servers: str, **options) -> AIOKafkaProducer:
    # acks=all + idempotence: a retried send is written once, and nothing is acknowledged before the log has it.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers, enable_idempotence=True, acks="all", **options
    )


def encode(envelope: EventEnvelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Key (the stream id, so a stream keeps its order in one partition), value and headers."""
    headers = [
        ("event_type", envelope.event_type.encode()),
        ("schema_version", str(envelope.schema_version).encode()),
        ("event_id", str(envelope.event_id).encode()),
        ("correlation_id", envelope.correlation_id.encode()),
        ("content-type", b"application/json"),
    ]
    return envelope.stream_id.encode(), envelope.model_dump_json().encode(), headers


def decode(value: bytes) -> EventEnvelope:
    return EventEnvelope.model_validate_json(value)
