"""Signed checkpoints of a service's log (issue 16 #2, ADR 27), in the spirit of Certificate Transparency's
signed tree heads: every `CHECKPOINT_SECONDS`, when the log moved, the service signs with its Ed25519 key a
Merkle root over its stream heads (stream id, version, hash of the head event) and the point of the log they
stand at, and publishes it to `<service>.checkpoints`. The key is a file outside the database, so an operator
who rewrites the events table and re-hashes its chains cannot sign a checkpoint that agrees:
`passerelle audit verify` (`kernel.audit`) recomputes every checkpoint's root from the table.

docs/audit.md §4 specifies the format and the tree byte for byte. This module makes and reads them; the
verification's findings are `kernel.audit`'s.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import asyncpg
from aiokafka import AIOKafkaConsumer
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kernel import database, kafka, logs
from kernel.errors import InfrastructureMisconfigured
from kernel.hashchain import jcs

log = logs.get_logger(__name__)

CHECKPOINT_VERSION = 1
LEAF, NODE = b"\x00", b"\x01"  # RFC 6962's domain separation: a leaf can never pass for an inner node
PAGE = 5000
QUERY_TIMEOUT_SECONDS = 60
_LEADER_LOCK = 7_300_418  # the advisory lock id of "the checkpointer of this database" (the relay's + 1)


def topic_of(service: str, topic: Callable[[str], str] = lambda name: name) -> str:
    return topic(f"{service}.checkpoints")


# --- the tree -------------------------------------------------------------------------------------------------


def leaf_hash(stream_id: str, version: int, head_hash: str) -> bytes:
    return hashlib.sha256(
        LEAF + jcs({"hash": head_hash, "stream_id": stream_id, "version": version})
    ).digest()


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962's Merkle Tree Hash (§2.1) of leaf hashes already computed, built bottom up: pairs from the
    left, an odd last node carried up unchanged, which gives the RFC's tree. No leaf: SHA-256 of nothing."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    while len(level) > 1:
        paired = [
            hashlib.sha256(NODE + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class Cursor(NamedTuple):
    """A point of the log in the relay's order (ADR 2): every event at or before (transaction id, position)."""

    transaction_id: int
    position: int


START = Cursor(0, 0)


class Heads:
    """Every stream's head: its highest version and that event's hash. Leaf hashes are kept until the head
    moves, so a root costs one leaf per changed stream, the sort, and the inner nodes."""

    def __init__(self) -> None:
        self._heads: dict[str, tuple[int, str]] = {}
        self._leaves: dict[str, bytes] = {}
        self.events = 0  # the sum of the head versions: how many events the heads stand for

    def __len__(self) -> int:
        return len(self._heads)

    def get(self, stream_id: str) -> tuple[int, str] | None:
        return self._heads.get(stream_id)

    def advance(self, stream_id: str, version: int, head_hash: str) -> None:
        """A later version becomes the head; an earlier one changes nothing."""
        known = self._heads.get(stream_id)
        if known is None or version > known[0]:
            self.events += version - (known[0] if known else 0)
            self._heads[stream_id] = (version, head_hash)
            self._leaves.pop(stream_id, None)

    def root(self) -> str:
        leaves = self._leaves
        for stream_id in self._heads.keys() - leaves.keys():
            leaves[stream_id] = leaf_hash(stream_id, *self._heads[stream_id])
        # str order is code point order, the same as the UTF-8 bytes' order.
        return merkle_root([leaves[stream_id] for stream_id in sorted(self._heads)]).hex()


# --- the signed checkpoint ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    service: str
    sequence: int  # 1, 2, 3… per service
    transaction_id: str  # the cursor's xid8, in decimal (it may exceed what a JSON number holds exactly)
    position: int
    streams: int
    events: int
    root: str  # lowercase hex
    signed_at: str  # YYYY-MM-DDTHH:MM:SS.ffffffZ
    key_id: str
    signature: str = ""  # base64 of the Ed25519 signature of `signed_bytes()`

    @property
    def cursor(self) -> Cursor:
        return Cursor(int(self.transaction_id), self.position)

    def signed_bytes(self) -> bytes:
        content: dict[str, Any] = asdict(self)
        del content["signature"]
        return jcs({"checkpoint_version": CHECKPOINT_VERSION, **content})

    def to_json(self) -> bytes:
        return json.dumps({"checkpoint_version": CHECKPOINT_VERSION, **asdict(self)}).encode()

    @classmethod
    def parse(cls, value: bytes) -> Checkpoint:
        """ValueError when it is not a checkpoint of this version."""
        try:
            content = json.loads(value)
            if content.pop("checkpoint_version") != CHECKPOINT_VERSION:
                raise ValueError("unknown checkpoint_version")
            checkpoint = cls(**content)
            int(checkpoint.transaction_id)
            numbers = (checkpoint.sequence, checkpoint.position, checkpoint.streams, checkpoint.events)
            if not all(type(n) is int for n in numbers):
                raise TypeError("sequence, position, streams and events are integers")
        except (TypeError, KeyError, AttributeError) as error:
            raise ValueError(f"not a checkpoint: {error!r}") from None
        return checkpoint


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class SigningKey:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.key_id = key_id_of(private_key.public_key())

    @classmethod
    def from_file(cls, path: Path) -> SigningKey:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as error:
            raise InfrastructureMisconfigured(f"checkpoint signing key {path}: {error}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InfrastructureMisconfigured(f"checkpoint signing key {path}: not an Ed25519 private key")
        return cls(key)

    def public_key(self) -> Ed25519PublicKey:
        return self._private_key.public_key()

    def sign(self, checkpoint: Checkpoint) -> Checkpoint:
        unsigned = replace(checkpoint, key_id=self.key_id, signature="")
        signature = self._private_key.sign(unsigned.signed_bytes())
        return replace(unsigned, signature=base64.b64encode(signature).decode())


def new_key_pem() -> tuple[bytes, bytes]:
    """(private key as PKCS #8 PEM, public key as SubjectPublicKeyInfo PEM) of a new Ed25519 key."""
    private_key = Ed25519PrivateKey.generate()
    return (
        private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


def public_keys(directory: Path, service: str) -> dict[str, Ed25519PublicKey]:
    """The keys a verifier trusts for `service`, by key id: `<service>.pub` and `<service>.<anything>.pub`
    (a rotated key keeps its file, so that older checkpoints still verify)."""
    found: dict[str, Ed25519PublicKey] = {}
    for path in [*directory.glob(f"{service}.pub"), *directory.glob(f"{service}.*.pub")]:
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            found[key_id_of(key)] = key
    return found


def signature_problem(checkpoint: Checkpoint, keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """Why the signature does not hold (in French, for the report), or None."""
    key = keys.get(checkpoint.key_id)
    if key is None:
        return f"clé {checkpoint.key_id!r} inconnue du vérificateur"
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return f"signature invalide pour la clé {checkpoint.key_id}"
    return None


# --- reading the table ----------------------------------------------------------------------------------------

# Ordered by the columns themselves, not the text output `xid` (see kernel.relay).
_AFTER = """
    SELECT stream_id, stream_version, previous_hash, hash, transaction_id::text AS xid, position FROM events
    WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint) {final}
    ORDER BY events.transaction_id, events.position LIMIT {page}
"""
# Only what no transaction still running can add to (the relay's horizon): a checkpoint's set is final.
_FINAL_AFTER = _AFTER.format(final="AND transaction_id < event_store_horizon()", page=PAGE)
_ALL_AFTER = _AFTER.format(final="", page=PAGE)
_HEADS_AT = """
    SELECT DISTINCT ON (stream_id) stream_id, stream_version, hash FROM events
    WHERE (transaction_id, position) <= ($1::text::xid8, $2::bigint) ORDER BY stream_id, stream_version DESC
"""


async def events_after(connection: asyncpg.Connection, cursor: Cursor, *, final: bool = True):
    """The events after `cursor` in the relay's order, a page at a time (only final ones if `final`)."""
    query = _FINAL_AFTER if final else _ALL_AFTER
    while rows := await connection.fetch(query, str(cursor.transaction_id), cursor.position):
        for row in rows:
            yield row
        cursor = Cursor(int(rows[-1]["xid"]), rows[-1]["position"])


async def heads_at(connection: asyncpg.Connection, cursor: Cursor) -> Heads:
    """The heads as the log gives them at `cursor`: one query over the stream index (a scan of the table)."""
    heads = Heads()
    for row in await connection.fetch(_HEADS_AT, str(cursor.transaction_id), cursor.position):
        heads.advance(row["stream_id"], row["stream_version"], row["hash"])
    return heads


# --- the service's loop ---------------------------------------------------------------------------------------


class HistoryRewritten(InfrastructureMisconfigured):
    """The log no longer extends the last checkpoint: the checkpointer stops rather than sign a rewrite."""


async def last_published(
    bootstrap_servers: str, topic: str, security: kafka.KafkaSecurity = kafka.PLAINTEXT
) -> Checkpoint | None:
    """The checkpoint with the highest sequence among each partition's last record."""
    partitions = await kafka.partitions_of(bootstrap_servers, [topic], security)
    if not partitions:
        return None
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, **security.client_options()
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        last = [p for p in partitions if ends[p] > 0]
        for partition in last:
            consumer.seek(partition, ends[partition] - 1)
        found: list[Checkpoint] = []
        while last:
            for partition, records in (await consumer.getmany(*last, timeout_ms=1000)).items():
                found += [Checkpoint.parse(r.value) for r in records if r.offset == ends[partition] - 1]
                last.remove(partition)
        return max(found, key=lambda c: c.sequence, default=None)
    finally:
        await consumer.stop()


class Checkpointer:
    """Keeps the stream heads in memory from the last checkpoint on, reading only the events after it; each
    pass that found some signs and publishes a checkpoint. It checks as it goes that each new event extends its
    stream's head (`previous_hash`), and at start-up that the table still gives the last checkpoint's root:
    otherwise history was rewritten under it, and it stops (/ready says so) instead of signing the rewrite."""

    def __init__(
        self,
        service: str,
        dsn: str,
        key: SigningKey,
        bootstrap_servers: str,
        topic: str,
        *,
        topic_policy: kafka.TopicPolicy,
        security: kafka.KafkaSecurity = kafka.PLAINTEXT,
        seconds: float = 60.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service, self.dsn, self.key = service, dsn, key
        self.bootstrap_servers, self.topic = bootstrap_servers, topic
        self.topic_policy, self.security, self.seconds, self.now = topic_policy, security, seconds, now
        self.heads = Heads()
        self.cursor = START
        self.sequence = 0

    async def run(self, started: Callable[[], object] = lambda: None) -> None:
        connection = await database.connect(self.dsn, command_timeout=QUERY_TIMEOUT_SECONDS)
        producer = kafka.idempotent_producer(self.bootstrap_servers, self.security)
        try:
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", _LEADER_LOCK):
                await asyncio.sleep(self.seconds)  # another instance of the service signs
            await kafka.ensure_topics(
                self.bootstrap_servers, [self.topic], self.topic_policy, security=self.security
            )
            await self.resume(
                connection, await last_published(self.bootstrap_servers, self.topic, self.security)
            )
            await producer.start()
            started()
            while True:
                if (checkpoint := await self.pass_once(connection)) is not None:
                    await producer.send_and_wait(self.topic, checkpoint.to_json(), key=self.service.encode())
                    log.info("checkpoint published", sequence=checkpoint.sequence, streams=checkpoint.streams)
                await asyncio.sleep(self.seconds)
        finally:
            with contextlib.suppress(Exception):
                await producer.stop()
            with contextlib.suppress(Exception):
                await connection.close()

    async def resume(self, connection: asyncpg.Connection, last: Checkpoint | None) -> None:
        """Start from `last` (the topic's): the heads at its cursor must give its root."""
        if last is None:
            self.heads, self.cursor, self.sequence = Heads(), START, 0
            return
        heads = await heads_at(connection, last.cursor)
        if heads.root() != last.root:
            raise HistoryRewritten(
                f"the events table no longer gives the root of checkpoint {last.sequence} "
                f"({last.streams} streams, {last.events} events signed; {len(heads)} streams, {heads.events} "
                "events now): history was rewritten after it. Run `passerelle audit verify`."
            )
        self.heads, self.cursor, self.sequence = heads, last.cursor, last.sequence

    async def pass_once(self, connection: asyncpg.Connection) -> Checkpoint | None:
        """Read the events after the cursor; if there were some, the next signed checkpoint."""
        moved = False
        async for row in events_after(connection, self.cursor):
            stream_id, version = row["stream_id"], row["stream_version"]
            known_version, known_hash = self.heads.get(stream_id) or (0, None)
            if version != known_version + 1 or row["previous_hash"] != known_hash:
                raise HistoryRewritten(
                    f"{stream_id} v{version} at position {row['position']} does not extend the head "
                    f"v{known_version} of the last checkpoint: history was rewritten under it"
                )
            self.heads.advance(stream_id, version, row["hash"])
            self.cursor = Cursor(int(row["xid"]), row["position"])
            moved = True
        if not moved:
            return None
        self.sequence += 1
        return self.key.sign(
            Checkpoint(
                service=self.service,
                sequence=self.sequence,
                transaction_id=str(self.cursor.transaction_id),
                position=self.cursor.position,
                streams=len(self.heads),
                events=self.heads.events,
                root=self.heads.root(),
                signed_at=self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                key_id=self.key.key_id,
            )
        )


def service_checkpointer(settings, service: str) -> Checkpointer | None:
    """The service's checkpointer (`settings`: a `ServiceSettings`), or None without a signing key."""
    if settings.checkpoint_key_file is None:
        return None
    return Checkpointer(
        service,
        settings.database_url,
        SigningKey.from_file(settings.checkpoint_key_file),
        settings.kafka_bootstrap_servers,
        topic_of(service, settings.topic),
        topic_policy=settings.topic_policy(),
        security=settings.kafka_security(),
        seconds=settings.checkpoint_seconds,
    )
