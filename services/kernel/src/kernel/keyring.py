"""Per-person data keys for crypto-shredding (issue 17, ADR on the key hierarchy).

Each person (a `subject`, or the stream holding the personal data of someone who is not a followed person)
has one 256-bit AES-GCM data key. It is stored wrapped by a key-encryption key (KEK) in `subject_keys`, one
table of one `keyring` database that every service reaches: programmes, IPRO and projections decrypt the
events assessment wrote with the same key. Destroying a key (`Keyring.destroy`) sets its wrapped form to NULL:
every copy of the ciphertext it protected, in every table, topic and backup, then reads as erased.

The KEK never leaves its `KeyWrapper`. Locally it comes from the environment (`KEYRING_KEK`, generated under
var/ by `make up` and the test fixtures); in production the same interface is a KMS or Vault transit key.
Unwrapped data keys are cached in memory for `KEYRING_CACHE_SECONDS`. A destruction takes effect at once in the
process that destroyed the key, and within milliseconds in every other: the table's trigger notifies
`keyring_key_destroyed` and each keyring drops that key from its cache (`Keyring.listen`). Only while a keyring's
listening connection is down does the cache time bound it; the cache is emptied when the connection comes back.

Each service reaches the table with the least rights its work needs (migration 0003): readers `SELECT`, writers
`SELECT, INSERT`, the erasure job `UPDATE` of a key's columns besides; no one `DELETE`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kernel.errors import Conflict, InfrastructureMisconfigured

KEY_BYTES = 32
NONCE_BYTES = 12
MIGRATIONS = Path(__file__).parent / "keyring_migrations"
DESTROYED_CHANNEL = "keyring_key_destroyed"  # notified by migration 0002's trigger, the key id as payload
LISTENER_NAME = "keyring listener"  # its application_name, as pg_stat_activity shows it
# How often a listening connection is probed: one silently gone would miss destructions until it is noticed.
LISTENER_PROBE_SECONDS = 10.0


class SubjectErased(Conflict):
    """The person's data key was destroyed: nothing personal about them can be recorded any more (409)."""

    code = "subject-erased"


class UnknownDataKey(LookupError):
    """A ciphertext names a key this keyring never held: another keyring (a misconfigured service), never a
    destroyed key. Not an erasure: the reader stops rather than read the data as erased."""


class KeyUnwrapFailed(RuntimeError):
    """A wrapped key the KEK cannot open: tampered with, or wrapped by a KEK this service was not given."""


class KeyWrapper(Protocol):
    """Wraps and unwraps data keys with a key-encryption key the caller never sees.

    Locally `LocalKeyWrapper` (KEKs from the environment). In production an implementation of the same three
    members over a KMS (`Encrypt`/`Decrypt` with the subject id as encryption context) or Vault transit
    (`transit/encrypt/<key>` and `transit/decrypt/<key>` with the subject id as `context`): `current` is the KEK
    (or transit key version) new keys are wrapped with; `unwrap` is told which one wrapped a key."""

    @property
    def current(self) -> str: ...

    async def wrap(self, data_key: bytes, subject_id: str) -> bytes: ...

    async def unwrap(self, wrapped: bytes, subject_id: str, kek_id: str) -> bytes: ...


class LocalKeyWrapper:
    """KEKs held in process: AES-256-GCM, the subject id as associated data (a wrapped key moved to another
    subject's row does not open). The first KEK is the current one; the others still unwrap until
    `Keyring.rewrap` has moved every key to the current one (KEK rotation)."""

    def __init__(self, keks: dict[str, bytes]) -> None:
        if not keks:
            raise ValueError("at least one KEK")
        for kek_id, kek in keks.items():
            if len(kek) != KEY_BYTES:
                raise ValueError(f"KEK {kek_id!r} must be {KEY_BYTES} bytes")
        self._keks = {kek_id: AESGCM(kek) for kek_id, kek in keks.items()}
        self._current = next(iter(keks))

    @classmethod
    def parse(cls, spec: str) -> LocalKeyWrapper:
        """`KEYRING_KEK`: `<id>:<base64 of 32 bytes>`, comma-separated, the current KEK first."""
        keks: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            kek_id, _, encoded = part.partition(":")
            if not kek_id or not encoded:
                raise ValueError("KEYRING_KEK is `<id>:<base64 key>[,<id>:<base64 key>...]`")
            keks[kek_id] = base64.b64decode(encoded, validate=True)
        return cls(keks)

    @staticmethod
    def generate_spec(kek_id: str) -> str:
        return f"{kek_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"

    @property
    def current(self) -> str:
        return self._current

    async def wrap(self, data_key: bytes, subject_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._keks[self._current].encrypt(nonce, data_key, subject_id.encode())

    async def unwrap(self, wrapped: bytes, subject_id: str, kek_id: str) -> bytes:
        kek = self._keks.get(kek_id)
        if kek is None:
            raise KeyUnwrapFailed(
                f"the key of {subject_id} is wrapped by KEK {kek_id!r}, not configured here"
            )
        try:
            return kek.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], subject_id.encode())
        except InvalidTag:
            raise KeyUnwrapFailed(f"the wrapped key of {subject_id} does not open under {kek_id!r}") from None


class KeyringSettings(BaseSettings):
    """Where the keyring is and how its keys are wrapped: the same for every service of a deployment."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str | None = Field(None, validation_alias="KEYRING_DATABASE_URL")
    # The keyring database owner's DSN, for its migrations; without it they are checked with database_url
    # (a service's role cannot create anything: a pending migration then stops it, as ADR 20's do).
    migration_database_url: str | None = Field(None, validation_alias="KEYRING_MIGRATION_DATABASE_URL")
    kek: SecretStr | None = Field(None, validation_alias="KEYRING_KEK")
    cache_seconds: float = Field(60.0, validation_alias="KEYRING_CACHE_SECONDS")

    def wrapper(self) -> LocalKeyWrapper:
        if self.kek is None:
            raise InfrastructureMisconfigured(
                "set KEYRING_KEK (`<id>:<base64 of 32 bytes>`; `make up` generates one under var/keys): "
                "personal data is encrypted with keys it wraps"
            )
        return LocalKeyWrapper.parse(self.kek.get_secret_value())


@dataclass(frozen=True)
class _Cached:
    cipher: AESGCM | None  # None: destroyed
    until: float


class Keyring:
    """The data keys of a deployment, cached. `for_writing` creates a person's key on first use."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        wrapper: KeyWrapper,
        *,
        cache_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self.wrapper = wrapper
        self.cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        # Bumped by every invalidation: a key read from the table while one arrived is used, not cached (it
        # may have been read just before its destruction was committed).
        self._invalidations = 0
        self._listener: asyncio.Task | None = None

    @classmethod
    async def open(cls, settings: KeyringSettings) -> Keyring:
        """The keyring `settings` describe, its table migrated."""
        from kernel import database

        url = settings.database_url
        if url is None:
            raise InfrastructureMisconfigured(
                "set KEYRING_DATABASE_URL: the database holding the data keys, one for every service of the "
                "deployment (`make up` and the test fixtures create it)"
            )
        wrapper = settings.wrapper()
        await database.migrate_folder(settings.migration_database_url or url, MIGRATIONS)
        pool = await database.create_pool(url, min_size=1, max_size=4)
        keyring = cls(pool, wrapper, cache_seconds=settings.cache_seconds)
        try:
            await keyring.listen(url)
        except BaseException:
            await pool.close()
            raise
        return keyring

    async def close(self) -> None:
        self.stop_listening()
        if self._listener is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self.pool.close()

    def stop_listening(self) -> None:
        """No more notices (the listening connection ends with its task); `close` does it too."""
        if self._listener is not None:
            self._listener.cancel()

    # --- every process learns of a destruction ------------------------------------------------------------

    async def listen(self, dsn: str) -> None:
        """Drop each key from the cache as soon as any process destroys it, for as long as this keyring is
        open: an erased person's key kept cached elsewhere would let a replica copy their data in clear again.
        The first connection is made here (a keyring that cannot listen does not open)."""
        connection = await self._subscribe(dsn)
        self._listener = asyncio.create_task(self._keep_listening(dsn, connection), name="keyring listener")

    async def _subscribe(self, dsn: str) -> asyncpg.Connection:
        from kernel import database

        connection = await asyncpg.connect(
            dsn, server_settings={**database.SERVER_SETTINGS, "application_name": LISTENER_NAME}
        )
        connection.add_termination_listener(lambda _: self.forget_all())
        await connection.add_listener(DESTROYED_CHANNEL, self._on_destroyed)
        # Keys cached before listening could have been destroyed meanwhile.
        self.forget_all()
        return connection

    async def _keep_listening(self, dsn: str, connection: asyncpg.Connection) -> None:
        try:
            while True:
                await asyncio.sleep(LISTENER_PROBE_SECONDS)
                try:
                    await connection.fetchval("SELECT 1", timeout=LISTENER_PROBE_SECONDS)
                    continue
                except Exception:  # whatever the failure, this connection can no longer be trusted
                    pass
                self.forget_all()  # destructions may have been missed while it was down
                connection.terminate()
                while True:
                    try:
                        connection = await self._subscribe(dsn)
                        break
                    except Exception:  # the server down or refusing: try again shortly
                        await asyncio.sleep(LISTENER_PROBE_SECONDS / 10)
        finally:
            connection.terminate()

    def _on_destroyed(self, _connection, _pid, _channel, kid: str) -> None:
        # Dropped, not marked destroyed: anyone may NOTIFY, so the table says, on the next read, what is true.
        self._cache.pop(kid, None)
        self._invalidations += 1

    def forget_all(self) -> None:
        """Every cached key is read from the table again on its next use."""
        self._cache.clear()
        self._invalidations += 1

    # --- reading and writing ----------------------------------------------------------------------------

    async def for_writing(self, kid: str) -> AESGCM:
        """The data key to encrypt `kid`'s personal data with, created on first use (committed at once: a key
        without data is harmless, data without its key is lost). Raises `SubjectErased` once destroyed."""
        cached = self._cache.get(kid)
        if cached is not None and cached.cipher is not None and cached.until > self._clock():
            return cached.cipher  # every append about a known person: no set, no dict, no query
        cipher = (await self.for_reading([kid], create=True))[kid]
        if cipher is None:
            raise SubjectErased(f"the personal data of {kid} was erased: nothing personal can be recorded")
        return cipher

    async def for_reading(self, kids: Iterable[str], *, create: bool = False) -> dict[str, AESGCM | None]:
        """Each key's cipher, None for a destroyed one; one query for all those not cached. Raises
        `UnknownDataKey` for a key this keyring never held (unless `create`)."""
        now = self._clock()
        found: dict[str, AESGCM | None] = {}
        missing = []
        for kid in set(kids):
            cached = self._cache.get(kid)
            if cached is not None and cached.until > now:
                found[kid] = cached.cipher
            else:
                missing.append(kid)
        if missing:
            seen = self._invalidations
            rows = await self.pool.fetch(
                "SELECT subject_id, wrapped_key, kek_id FROM subject_keys WHERE subject_id = ANY($1::text[])",
                missing,
            )
            for row in rows:
                found[row["subject_id"]] = await self._remember(row, keep=self._invalidations == seen)
            absent = [kid for kid in missing if kid not in found]
            if absent and not create:
                raise UnknownDataKey(f"no data key {absent[0]!r} in this keyring")
            for kid in absent:
                found[kid] = await self._create(kid)
        return found

    async def _create(self, kid: str) -> AESGCM | None:
        seen = self._invalidations
        data_key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        wrapped = await self.wrapper.wrap(data_key, kid)
        row = await self.pool.fetchrow(
            """INSERT INTO subject_keys (subject_id, wrapped_key, kek_id) VALUES ($1, $2, $3)
               ON CONFLICT (subject_id) DO NOTHING RETURNING subject_id, wrapped_key, kek_id""",
            kid,
            wrapped,
            self.wrapper.current,
        )
        if row is None:  # another writer created it meanwhile (or it was destroyed): theirs holds
            row = await self.pool.fetchrow(
                "SELECT subject_id, wrapped_key, kek_id FROM subject_keys WHERE subject_id = $1", kid
            )
        return await self._remember(row, keep=self._invalidations == seen)

    async def _remember(self, row: asyncpg.Record, *, keep: bool) -> AESGCM | None:
        wrapped = row["wrapped_key"]
        cipher = None
        if wrapped is not None:
            cipher = AESGCM(await self.wrapper.unwrap(bytes(wrapped), row["subject_id"], row["kek_id"]))
        if keep:
            self._cache[row["subject_id"]] = _Cached(cipher, self._clock() + self.cache_seconds)
        if len(self._cache) > 50_000:  # bounded: the oldest half goes
            for kid in list(self._cache)[:25_000]:
                del self._cache[kid]
        return cipher

    # --- erasure and rotation ---------------------------------------------------------------------------

    async def destroy(self, subject_id: str) -> bool:
        """Crypto-shred a person: their key's wrapped form is overwritten with NULL, for good. Every ciphertext
        it protected reads as erased from now on here, and in every other process once the notification of it
        arrives (within `cache_seconds` at worst, if their listening connection is down). A key
        never created is recorded destroyed, so nothing personal can be written later either. True if this
        call destroyed it (False: it already was)."""
        destroyed = await self.pool.fetchval(
            """INSERT INTO subject_keys (subject_id, wrapped_key, kek_id, destroyed_at)
               VALUES ($1, NULL, NULL, now())
               ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, kek_id = NULL, destroyed_at = now()
                   WHERE subject_keys.destroyed_at IS NULL
               RETURNING true""",
            subject_id,
        )
        self._cache[subject_id] = _Cached(None, self._clock() + self.cache_seconds)
        return bool(destroyed)

    async def rewrap(self, *, batch: int = 500) -> int:
        """KEK rotation: every live key wrapped by another KEK is wrapped again by the current one (the data
        keys, and so every ciphertext, stay as they are). Run after putting the new KEK first in KEYRING_KEK
        with the old one after it; once it returns, the old KEK can be retired. How many keys moved."""
        moved = 0
        current = self.wrapper.current
        while True:
            rows = await self.pool.fetch(
                """SELECT subject_id, wrapped_key, kek_id FROM subject_keys
                   WHERE wrapped_key IS NOT NULL AND kek_id <> $1 LIMIT $2""",
                current,
                batch,
            )
            if not rows:
                return moved
            for row in rows:
                data_key = await self.wrapper.unwrap(
                    bytes(row["wrapped_key"]), row["subject_id"], row["kek_id"]
                )
                wrapped = await self.wrapper.wrap(data_key, row["subject_id"])
                # Only if nobody destroyed it meanwhile: a rotation never brings a key back.
                await self.pool.execute(
                    """UPDATE subject_keys SET wrapped_key = $2, kek_id = $3, key_rewrapped_at = now()
                       WHERE subject_id = $1 AND kek_id = $4 AND wrapped_key IS NOT NULL""",
                    row["subject_id"],
                    wrapped,
                    current,
                    row["kek_id"],
                )
                moved += 1
            await asyncio.sleep(0)


async def destroy(keyring: Keyring, subject_id: str) -> bool:
    """`kernel.keyring.destroy(keyring, subject_id)`: see `Keyring.destroy`."""
    return await keyring.destroy(subject_id)
