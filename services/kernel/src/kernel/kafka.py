"""Kafka plumbing shared by the relay and the consumers: topics that keep the log, producer, message encoding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import NodeNotReadyError, for_code
from aiokafka.helpers import create_ssl_context
from aiokafka.structs import ConsumerRecord
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_fixed

from contracts import EventEnvelope
from kernel.errors import InfrastructureMisconfigured

TOPIC_ALREADY_EXISTS = 36

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


@dataclass(frozen=True)
class KafkaSecurity:
    """How a client proves who it is to the brokers and checks who they are (ADR 23): the one place every
    producer, consumer and admin client of the system takes its security options from.

    PLAINTEXT (no authentication) is for the local broker of `make up` and the tests only. A production
    cluster runs SASL_SSL with SCRAM: one principal per service (`User:<service>`), granted by
    deploy/kafka/acls.sh what that service writes and reads, and the brokers' certificate checked against
    `cafile` (the system's CAs when absent)."""

    protocol: SecurityProtocol = "PLAINTEXT"
    mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None

    def __post_init__(self) -> None:
        if self.protocol.startswith("SASL_") and not (self.username and self.password):
            raise InfrastructureMisconfigured(
                f"Kafka security protocol {self.protocol} needs a SASL username and password "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)"
            )

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client: `AIOKafkaConsumer(..., **security.client_options())`."""
        if self.protocol == "PLAINTEXT":
            return {}
        options: dict[str, Any] = {
            "security_protocol": self.protocol,
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }
        if self.protocol == "SASL_SSL":
            # Verifies the broker's certificate chain and host name (ssl.create_default_context's defaults).
            options["ssl_context"] = create_ssl_context(cafile=self.cafile)
        return options


PLAINTEXT = KafkaSecurity()


class TopicMisconfigured(InfrastructureMisconfigured):
    """A topic that would lose or reorder the log: the loop that meets it stops and says why."""


@dataclass(frozen=True)
class TopicPolicy:
    """How every topic of the system is made, and what an existing one must hold to (ADR 14).

    The log is the audit trail and the source of every rebuild: kept for ever, never compacted, written to
    `min_insync_replicas` brokers before a producer's `acks=all` returns, and never handed to a replica that
    missed writes. Every service uses the same partition count: a stream's key must land on the same
    partition for the topic's producer and its readers (ADR 3)."""

    partitions: int = 3
    replication_factor: int = 3
    min_insync_replicas: int = 2

    def configs(self) -> dict[str, str]:
        return {
            "retention.ms": "-1",
            "retention.bytes": "-1",
            "cleanup.policy": "delete",
            "min.insync.replicas": str(self.min_insync_replicas),
            "unclean.leader.election.enable": "false",
        }

    def problems(self, topic: str, partitions: list[dict], configs: dict[str, str]) -> list[str]:
        """What is wrong with an existing topic, as described by the broker."""
        found = [
            f"{topic}: {name}={configs.get(name)!r}, expected {expected!r}"
            for name, expected in self.configs().items()
            if name != "min.insync.replicas" and configs.get(name) != expected
        ]
        if int(configs.get("min.insync.replicas", 1)) < self.min_insync_replicas:
            found.append(
                f"{topic}: min.insync.replicas={configs.get('min.insync.replicas')}, "
                f"expected at least {self.min_insync_replicas}"
            )
        if len(partitions) != self.partitions:
            found.append(
                f"{topic}: {len(partitions)} partitions, expected {self.partitions} (a stream's key "
                "would map to another partition for some readers)"
            )
        replicas = min((len(p["replicas"]) for p in partitions), default=0)
        if replicas < self.replication_factor:
            found.append(
                f"{topic}: replication factor {replicas}, expected at least {self.replication_factor}"
            )
        return found


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str],
    policy: TopicPolicy,
    *,
    may_create: Callable[[str], bool] = lambda topic: True,
    security: KafkaSecurity = PLAINTEXT,
) -> list[TopicPartition]:
    """Create the missing topics, check every one against the policy, and return all their partitions.
    `may_create(topic)` is false where a missing topic means lost history (the relay already published to
    it): that is refused, not silently started again empty."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if lost := [t for t in missing if not may_create(t)]:
            raise TopicMisconfigured(
                f"topics {lost} are gone although events were published to them: their history is lost. "
                "Restore them from a backup or mirror before starting this service (docs/operations.md)."
            )
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        t,
                        num_partitions=policy.partitions,
                        replication_factor=policy.replication_factor,
                        topic_configs=policy.configs(),
                    )
                    for t in missing
                ]
            )
            for topic, code, *message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise for_code(code)(f"cannot create topic {topic}: {message}")
        # A new topic's partitions appear in the metadata a moment after the controller accepted it; a broker
        # that just died may still be in the metadata, and be the one asked.
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(30),
            wait=wait_fixed(0.2),
            reraise=True,
            retry=retry_if_exception_type((_PartitionsNotReady, NodeNotReadyError)),
        ):
            with attempt:
                described = _described(await admin.describe_topics(topics), topics)
                configs = await _configs(admin, topics)
        problems = [p for t in topics for p in policy.problems(t, described[t], configs[t])]
        if problems:
            raise TopicMisconfigured("topics that would lose or reorder the log: " + "; ".join(problems))
        return [
            TopicPartition(t, p["partition"])
            for t in topics
            for p in sorted(described[t], key=lambda p: p["partition"])
        ]
    finally:
        await admin.close()


async def partitions_of(
    bootstrap_servers: str, topics: list[str], security: KafkaSecurity = PLAINTEXT
) -> list[TopicPartition]:
    """The partitions of those of `topics` that exist (none is created)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **security.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t.get("error_code", 0) == 0
        for p in sorted(t["partitions"], key=lambda p: p["partition"])
    ]


async def read_to_end(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], ends: dict[TopicPartition, int]
) -> list[ConsumerRecord]:
    """Every record of `partitions` (assigned to `consumer`) from offset 0 up to `ends`, partition by partition.
    All are sought before the first fetch: a fetch reads every assigned partition, from where each stands."""
    for partition in partitions:
        consumer.seek(partition, 0)
    read: dict[TopicPartition, list[ConsumerRecord]] = {partition: [] for partition in partitions}
    while any([await consumer.position(p) < ends[p] for p in partitions]):
        for partition, records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).items():
            read[partition] += [record for record in records if record.offset < ends[partition]]
    return [record for partition in partitions for record in read[partition]]


class _PartitionsNotReady(Exception):
    pass


def _described(described: list[dict], topics: list[str]) -> dict[str, list[dict]]:
    found = {t["topic"]: t["partitions"] for t in described if t.get("error_code", 0) == 0}
    if any(not found.get(topic) for topic in topics):
        raise _PartitionsNotReady(f"partitions of {topics} not in the metadata yet")
    return found


async def _configs(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, dict[str, str]]:
    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    configs: dict[str, dict[str, str]] = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            if error_code:
                raise for_code(error_code)(f"cannot describe the configuration of topic {name}")
            configs[name] = {entry[0]: entry[1] for entry in entries}
    return configs


def idempotent_producer(
    bootstrap_servers: str, security: KafkaSecurity = PLAINTEXT, **options
) -> AIOKafkaProducer:
    # acks=all + idempotence: a retried send is written once, and nothing is acknowledged before the log has it.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        **security.client_options(),
        **options,
    )


# The header the relay adds to each record: the producing transaction's id (the events table's `xid8`, in
# decimal), which with `position` places the event in the relay's order, the order a signed checkpoint cuts the
# log in (ADR 27). A header, not an envelope field: the envelope and its hash stay as they were.
TRANSACTION_ID_HEADER = "transaction_id"


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
    """Tolerant, like `parse_payload`: an envelope field added by a newer producer is ignored."""
    return EventEnvelope.model_validate_json(value, extra="ignore")
