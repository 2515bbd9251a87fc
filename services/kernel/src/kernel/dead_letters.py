"""A subscription's dead letters: list them, and re-drive them to it once their cause is fixed (ADR 14).

A dead letter sits on `<topic>.dlq`, with the subscription that parked it in its `dlq.consumer` header.
Re-driving copies it to the subscription's own `<subscription>.redrive` topic, which only that subscription
reads: the audit log and the topic's other readers see nothing again. What was re-driven is remembered as
the committed offsets of a consumer group named after the subscription, so a message goes back once. It is
applied late, after the events that followed it: a view that needs them in order is rebuilt instead.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from kernel import kafka
from kernel.consumer import Subscription


@dataclass(frozen=True)
class DeadLetter:
    where: str  # <dlq topic>[partition]@offset
    origin: str  # <topic>[partition]@offset it was read from
    event_type: str
    event_id: str
    error: str
    redriven: bool


async def dead_letters(
    bootstrap_servers: str, subscription: Subscription, security: kafka.KafkaSecurity = kafka.PLAINTEXT
) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    async with _dead_letter_reader(bootstrap_servers, subscription, security) as reader:
        for record, redriven in await reader.read_all():
            headers = {**_identity(record.value), **_headers(record)}
            found.append(
                DeadLetter(
                    where=f"{record.topic}[{record.partition}]@{record.offset}",
                    origin=f"{headers.get('dlq.topic')}[{headers.get('dlq.partition')}]@{headers.get('dlq.offset')}",
                    event_type=headers.get("event_type", "?"),
                    event_id=headers.get("event_id", "?"),
                    error=headers.get("dlq.error", "?"),
                    redriven=redriven,
                )
            )
    return found


async def redrive(
    bootstrap_servers: str,
    subscription: Subscription,
    policy: kafka.TopicPolicy,
    security: kafka.KafkaSecurity = kafka.PLAINTEXT,
) -> int:
    """Copy the dead letters not re-driven yet to the subscription's redrive topic; how many were."""
    await kafka.ensure_topics(bootstrap_servers, [subscription.redrive_topic], policy, security=security)
    producer = kafka.idempotent_producer(bootstrap_servers, security)
    await producer.start()
    try:
        async with _dead_letter_reader(bootstrap_servers, subscription, security) as reader:
            pending = [record for record, redriven in await reader.read_all() if not redriven]
            for record in pending:
                await producer.send_and_wait(
                    subscription.redrive_topic,
                    value=record.value,
                    key=record.key,
                    headers=[
                        *(record.headers or ()),
                        ("redrive.from", f"{record.topic}[{record.partition}]@{record.offset}".encode()),
                    ],
                )
            await reader.mark_all_redriven()
        return len(pending)
    finally:
        await producer.stop()


class _DeadLetterReader:
    def __init__(
        self, consumer: AIOKafkaConsumer, subscription: Subscription, partitions: list[TopicPartition]
    ):
        self.consumer = consumer
        self.subscription = subscription
        self.partitions = partitions
        self.ends: dict[TopicPartition, int] = {}

    async def read_all(self) -> list[tuple[ConsumerRecord, bool]]:
        """Every dead letter of the subscription, and whether it was re-driven already."""
        self.ends = await self.consumer.end_offsets(self.partitions)
        done = {p: (await self.consumer.committed(p)) or 0 for p in self.partitions}
        return [
            (record, record.offset < done[TopicPartition(record.topic, record.partition)])
            for record in await kafka.read_to_end(self.consumer, self.partitions, self.ends)
            if self._ours(record)
        ]

    async def mark_all_redriven(self) -> None:
        await self.consumer.commit({p: OffsetAndMetadata(end, "") for p, end in self.ends.items()})

    def _ours(self, record: ConsumerRecord) -> bool:
        return _headers(record).get("dlq.consumer") == self.subscription.name


@contextlib.asynccontextmanager
async def _dead_letter_reader(
    bootstrap_servers: str, subscription: Subscription, security: kafka.KafkaSecurity
) -> AsyncIterator[_DeadLetterReader]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=f"{subscription.name}.redrive",
        enable_auto_commit=False,
        **security.client_options(),
    )
    await consumer.start()
    try:
        dead_letter_topics = [f"{t}.dlq" for t in subscription.topics]
        partitions = await kafka.partitions_of(bootstrap_servers, dead_letter_topics, security)
        consumer.assign(partitions)
        yield _DeadLetterReader(consumer, subscription, partitions)
    finally:
        await consumer.stop()


def _identity(value: bytes) -> dict[str, str]:
    """The event's type and id from the message itself, when it can be read at all."""
    try:
        envelope = json.loads(value)
        return {"event_type": str(envelope["event_type"]), "event_id": str(envelope["event_id"])}
    except (ValueError, TypeError, KeyError):
        return {}


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {key: value.decode(errors="replace") for key, value in (record.headers or ())}
