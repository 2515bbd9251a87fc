"""The consultation journal's writer on the real broker (ADR 22): an entry is on the topic once `write`
returns, and a broker that cannot be reached makes `write` fail within its timeout, then at once while the
failure is recent, rather than hold every read."""

import asyncio
import time
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer

from kernel.journal import TOPIC, JournalEntry, JournalUnavailable, KafkaJournal
from kernel.settings import ServiceSettings

pytestmark = pytest.mark.integration


def an_entry(user: str) -> JournalEntry:
    return JournalEntry(
        entry_id=uuid.uuid4(),
        recorded_at=datetime.now(UTC),
        service="kerneltest",
        method="GET",
        route="/samples/{sample_id}",
        status=200,
        user=user,
        role="cpip",
        object_ids=["sample-1"],
    )


async def test_an_entry_written_is_on_the_journal_topic_when_write_returns(infrastructure, topic_prefix):
    settings = ServiceSettings(
        database_url="unused",
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
    )
    journal = KafkaJournal(settings)
    entries = [an_entry("cpip-1"), an_entry("cpip-2")]
    try:
        for entry in entries:
            await journal.write(entry)
    finally:
        await journal.close()

    consumer = AIOKafkaConsumer(
        settings.topic(TOPIC),
        bootstrap_servers=infrastructure.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **settings.kafka_security().client_options(),
    )
    records = []
    await consumer.start()
    try:
        deadline = time.monotonic() + 10
        while len(records) < len(entries) and time.monotonic() < deadline:  # the topic's partitions, read
            for batch in (await consumer.getmany(timeout_ms=1_000)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    read = [JournalEntry.model_validate_json(r.value) for r in records]
    assert sorted(read, key=lambda e: e.user) == entries
    assert {r.key for r in records} == {b"cpip-1", b"cpip-2"}  # keyed by user, whose entries keep their order


async def test_a_broker_that_does_not_answer_fails_the_write_at_its_timeout_then_at_once(topic_prefix):
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # takes the connection, answers nothing: a broker hung, not gone

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    settings = ServiceSettings(
        database_url="unused",
        kafka_bootstrap_servers=f"127.0.0.1:{port}",
        kafka_topic_prefix=topic_prefix,
        JOURNAL_TIMEOUT_SECONDS=0.5,
    )
    journal = KafkaJournal(settings, retry_seconds=60)
    try:
        started = time.monotonic()
        with pytest.raises(JournalUnavailable):
            await journal.write(an_entry("cpip-1"))
        first = time.monotonic() - started
        started = time.monotonic()
        with pytest.raises(JournalUnavailable, match="failed moments ago"):
            await journal.write(an_entry("cpip-1"))
        again = time.monotonic() - started
    finally:
        await journal.close()
        server.close()
    assert 0.5 <= first < 0.5 + 1.0  # the timeout, not the client's own, longer ones
    assert again < 0.1
