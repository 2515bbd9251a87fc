"""The consultation journal (Directive 2016/680 art. 25, ADR 22): every read of personal data and every
refused access, with who, whom, what, when and why, on `<prefix>access.journal`.

A route that reads personal data takes `journal: Journal` and says what it showed
(`journal.consulted(subject_id=..., object_id=...)`); its path parameters are recorded without being named
(`subject_id` as the subject, the others as objects). The `AccessJournal` middleware writes the entry once the
response status is known and before the response leaves: for a journaled route whatever its status (a 404
there may be what the caller may not see), for any other route its 401s and 403s.

An entry is produced with acks=all and awaited. When it cannot be written, a response that would disclose
personal data is replaced by a 503 (`journal-unavailable`): nothing is shown that the journal does not hold.
A refusal discloses nothing, so it is still answered, and its entry goes to the error log instead.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol
from urllib.parse import parse_qs, unquote

from aiokafka import AIOKafkaProducer
from fastapi import Depends, Header, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel import kafka, logs, metrics
from kernel.errors import InvalidValue
from kernel.kafka import TopicPolicy
from kernel.problems import problem
from kernel.pseudonyms import Pseudonyms, break_glass_reason

log = logs.get_logger(__name__)

TOPIC = "access.journal"
PURPOSE_MAX_LENGTH = 200
# Statuses that refuse access: recorded on every route, journaled or not.
REFUSALS = frozenset({401, 403})
# Ids a route may list (a page of cases) are recorded up to this many; the count is kept whole.
MAX_IDS = 1000


def decode_purpose(raw: str) -> str:
    """The `Purpose` header: percent-encoded UTF-8 (header values are ASCII), at most 200 characters once
    decoded, no NUL."""
    decoded = unquote(raw)
    if len(decoded) > PURPOSE_MAX_LENGTH or "\x00" in decoded:
        raise InvalidValue(f"the Purpose header holds at most {PURPOSE_MAX_LENGTH} characters, without NUL")
    return decoded


class JournalEntry(BaseModel):
    """One line of the journal, as produced to the topic (JSON) and stored by projections."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    entry_id: uuid.UUID
    recorded_at: datetime
    service: str
    method: str
    route: str  # the template (`/cases/{case_id}`), never the raw path
    status: int
    user: str | None  # None: no trustworthy token (401)
    role: str | None
    organisation_id: str | None = None
    establishment: str | None = None
    subject_ids: list[str] = []
    object_ids: list[str] = []
    subjects_count: int = 0  # how many persons the response was about, also beyond MAX_IDS
    correlation_id: str | None = None
    purpose: str = ""
    # A pseudonymised role that read in clear, its reason in `purpose` (kernel.pseudonyms).
    break_glass: bool = False

    @property
    def refused(self) -> bool:
        return self.status in REFUSALS or self.status == 404


class RequestJournal:
    """What one request consulted, declared by its route (`journal.consulted(...)`)."""

    def __init__(self) -> None:
        self.subject_ids: dict[str, None] = {}  # ordered sets
        self.object_ids: dict[str, None] = {}
        self.establishment: str | None = None
        self.purpose = ""
        # Set from the caller and their Purpose (`journal_of_request`): how the answer discloses people.
        self.pseudonymised = False
        self.break_glass = False
        self.disclosed = False
        self.pseudonyms: Pseudonyms | None = None

    def consulted(
        self,
        *,
        subject_id: str | None = None,
        object_id: str | None = None,
        subject_ids: Iterable[str] = (),
        object_ids: Iterable[str] = (),
        establishment: str | None = None,
    ) -> None:
        for found, into in ((subject_id, self.subject_ids), (object_id, self.object_ids)):
            if found:
                into[found] = None
        self.subject_ids.update(dict.fromkeys(s for s in subject_ids if s))
        self.object_ids.update(dict.fromkeys(o for o in object_ids if o))
        if establishment:
            self.establishment = establishment

    def disclose(self, content: Any, answer: Any = None) -> Any:
        """The data a route renders itself (an HTML page) as this caller may see it: pseudonymised for a
        pseudonymised reader (kernel.pseudonyms), `answer` being the model it was dumped from, which may mark
        fields of its own. The route class then leaves the answer as it is."""
        self.disclosed = True
        return (
            self.pseudonyms.disclose(content, answer) if self.pseudonymised and self.pseudonyms else content
        )


def subjects_of(stream: Iterable[Any]) -> list[str]:
    """The persons a stream of envelopes is about (their `subject`), for `journal.consulted(subject_ids=...)`."""
    return list(dict.fromkeys(envelope.subject for envelope in stream if envelope.subject))


async def journal_of_request(
    request: Request,
    purpose: Annotated[
        str,
        Header(
            max_length=3 * 3 * PURPOSE_MAX_LENGTH,
            description="why the data is read, kept in the consultation journal: percent-encoded UTF-8, as "
            "header values are ASCII (`synth%C3%A8se` for `synthèse`), 200 characters once decoded",
        ),
    ] = "",
) -> RequestJournal:
    state = request.scope.setdefault("state", {})
    journal = state.setdefault("journal", RequestJournal())
    journal.purpose = decode_purpose(purpose)
    # The route's policy named the caller before any dependency ran (`http.PolicyRoute`).
    journal.pseudonyms = request.app.state.pseudonyms
    if journal.pseudonyms.applies_to(getattr(request.state, "principal", None)):
        journal.break_glass = break_glass_reason(journal.purpose) is not None
        journal.pseudonymised = not journal.break_glass
    return journal


# A route that reads personal data declares it by taking this parameter.
Journal = Annotated[RequestJournal, Depends(journal_of_request)]


def _calls(dependant: Dependant) -> Iterable[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def is_journaled(route: APIRoute) -> bool:
    return any(call is journal_of_request for call in _calls(route.dependant))


# --- the topic and its writer ---


@dataclass(frozen=True)
class JournalTopicPolicy(TopicPolicy):
    """The journal's topic: replicated like the log, but kept for its own retention, not for ever. An existing
    topic keeps the retention it was made with: a change is applied with kafka-configs (docs/audit.md)."""

    retention_days: float = 1096.0

    def configs(self) -> dict[str, str]:
        return {**super().configs(), "retention.ms": str(int(self.retention_days * 86_400_000))}

    def problems(self, topic: str, partitions: list[dict], configs: dict[str, str]) -> list[str]:
        return [p for p in super().problems(topic, partitions, configs) if "retention.ms=" not in p]


def topic_policy(settings: Any) -> JournalTopicPolicy:
    base = settings.topic_policy()
    return JournalTopicPolicy(
        base.partitions,
        base.replication_factor,
        base.min_insync_replicas,
        retention_days=settings.journal_retention_days,
    )


class JournalUnavailable(Exception):
    pass


class JournalWriter(Protocol):
    async def write(self, entry: JournalEntry) -> None: ...

    async def warm_up(self) -> None: ...

    async def close(self) -> None: ...


class KafkaJournal:
    """Produces entries to `<prefix>access.journal`, keyed by user (a user's entries keep their order), with
    acks=all, awaited. Connects on first use, so a service starts while the broker is away; after a failure
    it answers at once for `retry_seconds` instead of making every request wait on a broker that is gone."""

    def __init__(self, settings: Any, *, retry_seconds: float = 5.0) -> None:
        self.settings = settings
        self.topic = settings.topic(TOPIC)
        self.timeout = settings.journal_timeout_seconds
        self.retry_seconds = retry_seconds
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()
        self._down_until = 0.0

    async def write(self, entry: JournalEntry) -> None:
        if time.monotonic() < self._down_until:
            raise JournalUnavailable("the journal's broker failed moments ago")
        try:
            # `asyncio.timeout`, not `wait_for`: no task made per read for what is awaited in place.
            producer = self._producer
            if producer is None:
                async with asyncio.timeout(self.timeout):
                    producer = await self._started()
            key = (entry.user or str(entry.entry_id)).encode()
            async with asyncio.timeout(self.timeout):
                await producer.send_and_wait(self.topic, entry.model_dump_json().encode(), key=key)
        except Exception as error:
            self._down_until = time.monotonic() + self.retry_seconds
            await self._drop_producer()
            raise JournalUnavailable(f"{type(error).__name__}: {error}"[:300]) from error

    async def warm_up(self) -> None:
        """Connect now, at start-up, so that the first read does not wait for the topic and the producer;
        a broker away now is met again by the first write."""
        try:
            await self._started()
        except Exception as error:
            log.warning("journal not reachable at start-up", error=f"{type(error).__name__}: {error}"[:300])

    async def _started(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                security = self.settings.kafka_security()
                await kafka.ensure_topics(
                    self.settings.kafka_bootstrap_servers,
                    [self.topic],
                    topic_policy(self.settings),
                    security=security,
                )
                producer = kafka.idempotent_producer(self.settings.kafka_bootstrap_servers, security=security)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), self.timeout)
            except Exception:  # a broken producer is abandoned, not waited on
                log.warning("journal producer did not stop cleanly")

    async def close(self) -> None:
        await self._drop_producer()


class MemoryJournal:
    """Keeps entries in a list: for tests, or refuses them all (`available=False`)."""

    def __init__(self, *, available: bool = True) -> None:
        self.entries: list[JournalEntry] = []
        self.available = available

    async def write(self, entry: JournalEntry) -> None:
        if not self.available:
            raise JournalUnavailable("memory journal switched off")
        self.entries.append(entry)

    async def warm_up(self) -> None:
        pass

    async def close(self) -> None:
        pass


# --- the middleware ---


class AccessJournal:
    """Writes the request's journal entry when its response starts, before anything of it leaves. The writer
    is the app's `state.journal` (tests swap it)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope.setdefault("state", {})["journal"] = RequestJournal()
        replaced = False

        async def send_journaled(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the app's body of a response the journal could not record
            if message["type"] == "http.response.start":
                entry = await self._entry(scope, message["status"])
                written = entry is None or await self._write(scope, entry)
                if not written and entry.status < 400:
                    replaced = True
                    unavailable = problem(
                        503,
                        "journal-unavailable",
                        "this read cannot be recorded in the consultation journal now, so nothing "
                        "is shown; try again shortly",
                    )
                    unavailable.headers["Retry-After"] = "5"
                    return await unavailable(scope, receive, send)
            await send(message)

        await self.app(scope, receive, send_journaled)

    async def _entry(self, scope: Scope, status: int) -> JournalEntry | None:
        route = scope.get("route")
        if not isinstance(route, APIRoute):
            return None
        if status not in REFUSALS and not is_journaled(route):
            return None
        declared: RequestJournal = scope["state"]["journal"]
        subjects, objects = dict(declared.subject_ids), dict(declared.object_ids)
        for name, value in (scope.get("path_params") or {}).items():
            (subjects if name == "subject_id" else objects)[str(value)] = None
        for value in parse_qs(scope.get("query_string", b"").decode("latin-1")).get("subject_id", []):
            subjects[value[:120]] = None
        principal = scope["state"].get("principal") or await _caller(scope)
        return JournalEntry(
            entry_id=uuid.uuid4(),
            recorded_at=_now(scope),
            service=self.service,
            method=scope["method"],
            route=route.path,
            status=status,
            user=principal.subject if principal else None,
            role=principal.role
            if principal and (principal.roles or getattr(principal, "acting_role", None))
            else None,
            organisation_id=principal.organisation_id if principal else None,
            establishment=declared.establishment,
            subject_ids=list(subjects)[:MAX_IDS],
            object_ids=list(objects)[:MAX_IDS],
            subjects_count=len(subjects),
            correlation_id=scope["state"].get("correlation_id"),
            purpose=declared.purpose or _purpose(scope),
            break_glass=declared.break_glass,
        )

    async def _write(self, scope: Scope, entry: JournalEntry) -> bool:
        user = entry.user or "anonymous"
        if entry.refused:
            metrics.JOURNAL_REFUSALS.labels(user, str(entry.status)).inc()
        elif entry.status < 400:
            metrics.JOURNAL_SUBJECTS_READ.labels(user).inc(entry.subjects_count)
            if entry.break_glass:
                metrics.BREAK_GLASS_READS.labels(user).inc()
        try:
            await scope["app"].state.journal.write(entry)
            return True
        except JournalUnavailable as error:
            metrics.JOURNAL_FAILURES.inc()
            # Not silently lost: the entry itself is in the error log, for the DPO to reconcile.
            log.error("journal entry not written", error=str(error), entry=entry.model_dump(mode="json"))
            return False


def _now(scope: Scope) -> datetime:
    store = getattr(scope["app"].state, "event_store", None)
    return store.clock() if store is not None else datetime.now(UTC)


async def _caller(scope: Scope):
    """Who a refused caller is: the route's policy refused them before naming them. The token verifier
    caches verified tokens, so this costs a dictionary look-up; an untrustworthy token names no one."""
    headers = dict(scope.get("headers") or [])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        verified = scope["app"].state.token_verifier.verify(token.strip())
        return await verified if inspect.isawaitable(verified) else verified
    except Exception:
        return None


def _purpose(scope: Scope) -> str:
    """A refused request's Purpose, when its route never read it: kept as sent, within bounds."""
    raw = dict(scope.get("headers") or []).get(b"purpose", b"").decode("latin-1")
    return unquote(raw).replace("\x00", "")[:PURPOSE_MAX_LENGTH]
