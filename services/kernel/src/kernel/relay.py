"""The outbox relay: publish committed events to Kafka in global order, at least once.

* Gap-safe: rows are read in (transaction id, position) order, and only those of transactions older than
  every transaction still in flight. That set can no longer grow, so a row committed late is never skipped;
  ordering by position alone would skip a position taken early by a transaction that commits late.
* A batch is checkpointed only after Kafka acknowledged all of it (`acks=all`, idempotent producer): after a
  crash the unacknowledged tail is sent again. Consumers deduplicate by event id.
* One relay per database publishes at a time (an advisory lock); others wait as hot standbys.
* Woken by LISTEN/NOTIFY on commit while it sleeps (writers notify only then: see the migration); a slow
  poll covers the rest, e.g. rows held back by an unrelated transaction of the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable

import asyncpg

from contracts import EventEnvelope
from kernel import database, kafka, logs, metrics
from kernel.eventstore import COLUMNS, envelope_from_row
from kernel.settings import ServiceSettings

log = logs.get_logger(__name__)

_VISIBLE_BATCH = f"""
    SELECT {COLUMNS}, transaction_id::text AS transaction_id FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
      AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY transaction_id, position LIMIT $3
"""
_CHECKPOINT = "SELECT transaction_id::text, position FROM relay_checkpoints WHERE relay = $1"
_LAG = "SELECT count(*) FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)"
_LEADER_LOCK = 7_300_417  # arbitrary, fixed: the advisory lock id of "the relay of this database"


class Relay:
    def __init__(
        self,
        dsn: str,
        bootstrap_servers: str,
        topic_for,
        *,
        topics: list[str],
        partitions: int = 3,
        name: str = "kafka",
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        """`topic_for(envelope) -> topic name` decides between `<service>.events` and `.restricted`."""
        self.dsn = dsn
        self.bootstrap_servers = bootstrap_servers
        self.topic_for = topic_for
        self.topics = topics
        self.partitions = partitions
        self.name = name
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self._wake = asyncio.Event()
        self._lag_sampled_at = 0.0

    async def run(self, started: Callable[[], object] = lambda: None) -> None:
        """Publish forever. Cancel the task to stop; unacknowledged events are re-sent by the next run."""
        connection = await database.connect(self.dsn)
        producer = kafka.idempotent_producer(self.bootstrap_servers, linger_ms=2)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", _LEADER_LOCK)
            await connection.add_listener("events_appended", self._on_notify)
            await kafka.ensure_topics(self.bootstrap_servers, self.topics, self.partitions)
            await producer.start()
            log.info("relay started", relay=self.name)
            started()
            while True:
                if await self.publish_batch(connection, producer) == self.batch_size:
                    continue  # more is waiting
                # Ask writers to notify us, then look once more before sleeping: an event committed while we
                # announced it would otherwise wait for the poll.
                await self._listen(connection, True)
                if not await self.publish_batch(connection, producer):
                    await self._idle()
                await self._listen(connection, False)
        finally:
            with contextlib.suppress(Exception):
                await producer.stop()
            with contextlib.suppress(Exception):
                await connection.close()

    async def _listen(self, connection: asyncpg.Connection, listening: bool) -> None:
        await connection.execute(
            """INSERT INTO relay_wakeup (relay, listening) VALUES ($1, $2)
               ON CONFLICT (relay) DO UPDATE SET listening = excluded.listening""",
            self.name, listening,
        )

    def _on_notify(self, *_args) -> None:
        self._wake.set()

    async def _idle(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)
        self._wake.clear()

    async def publish_batch(self, connection: asyncpg.Connection, producer) -> int:
        checkpoint = tuple(await connection.fetchrow(_CHECKPOINT, self.name) or ("0", 0))
        self._wake.clear()
        rows = await connection.fetch(_VISIBLE_BATCH, *checkpoint, self.batch_size)
        if not rows:
            await self._record_lag(connection, checkpoint)
            return 0
        envelopes = [envelope_from_row(r) for r in rows]
        deliveries = []
        for envelope in envelopes:
            key, value, headers = kafka.encode(envelope)
            topic = self.topic_for(envelope)
            deliveries.append(await producer.send(topic, value=value, key=key, headers=headers))
            metrics.EVENTS_PUBLISHED.labels(topic=topic).inc()
        await asyncio.gather(*deliveries)  # every record acknowledged by the broker before the checkpoint
        last = (rows[-1]["transaction_id"], rows[-1]["position"])
        await connection.execute(
            """INSERT INTO relay_checkpoints (relay, transaction_id, position) VALUES ($1, $2::text::xid8, $3)
               ON CONFLICT (relay) DO UPDATE SET transaction_id = excluded.transaction_id,
                                                 position = excluded.position""",
            self.name, *last,
        )
        await self._record_lag(connection, last)
        return len(envelopes)

    async def _record_lag(self, connection: asyncpg.Connection, checkpoint: tuple[str, int]) -> None:
        # Sampled: counting the backlog on every batch would cost more than publishing a small one.
        now = time.monotonic()
        if now - self._lag_sampled_at >= 1.0:
            self._lag_sampled_at = now
            metrics.RELAY_LAG.set(await connection.fetchval(_LAG, *checkpoint))



def topic_router(settings: ServiceSettings, service: str) -> Callable[[EventEnvelope], str]:
    """Restricted events go to `<service>.restricted`, every other one to `<service>.events`."""
    events, restricted = settings.topic(f"{service}.events"), settings.topic(f"{service}.restricted")
    return lambda envelope: restricted if envelope.restricted else events


def service_relay(settings: ServiceSettings, service: str) -> Relay:
    return Relay(
        settings.database_url,
        settings.kafka_bootstrap_servers,
        topic_router(settings, service),
        topics=[settings.topic(f"{service}.events"), settings.topic(f"{service}.restricted")],
        partitions=settings.kafka_topic_partitions,
    )


def main() -> None:
    """`python -m kernel.relay SERVICE`: run one service's relay alone, configured from the environment."""
    service = sys.argv[1]

    class Settings(ServiceSettings):
        model_config = {**ServiceSettings.model_config, "env_prefix": f"{service.upper()}_"}

    settings = Settings()
    logs.configure(settings.log_level, service=f"{service}-relay")
    asyncio.run(service_relay(settings, service).run())


if __name__ == "__main__":
    main()
