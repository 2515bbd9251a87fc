"""Test support shared by every suite: read a topic as any downstream system would, wait with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from contracts import Actor, Event, EventEnvelope
from devinfra import subject_ids
from devinfra.infra import free_ports
from devinfra.services import ServiceProcess, stop_all
from kernel import database, kafka
from kernel.errors import DomainError
from kernel.hashchain import event_hash
from kernel.problems import problem_of
from kernel.relay import Relay


async def read_topic(
    bootstrap: str, topic: str, *, at_least: int, timeout: float = 30
) -> list[ConsumerRecord]:
    """All records of `topic` once at least `at_least` arrived (or the timeout passed), in partition order."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < at_least and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for batch in batches.values():
                records.extend(batch)
        # Anything already on its way (duplicates) is read too.
        for batch in (await consumer.getmany(timeout_ms=300)).values():
            records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def publish_everything(relay: Relay) -> None:
    """Publishes every event the relay's store holds and it has not published yet, then returns."""
    connection = await database.connect(relay.dsn)
    producer = kafka.idempotent_producer(relay.bootstrap_servers)
    await producer.start()
    try:
        while await relay.publish_batch(connection, producer):
            pass
    finally:
        await producer.stop()
        await connection.close()


async def ok(response: httpx.Response, status: int = 200) -> dict:
    """The JSON body of a response that must have succeeded with `status`; says what failed otherwise."""
    assert response.status_code == status, (response.request.method, str(response.request.url), response.text)
    return response.json()


async def every_page(client: httpx.AsyncClient, path: str, headers: dict, limit: int, **params) -> list[dict]:
    """Every item of a list, read page by page (`next` passed back as `after`, kernel.pages): no page longer
    than `limit`, and every page's total exact and equal to the items read in all."""
    items, after, totals = [], None, set()
    while True:
        query = params | {"limit": limit} | ({"after": after} if after else {})
        page = await ok(await client.get(path, params=query, headers=headers))
        assert len(page["items"]) <= limit and page["total_exact"], page
        items += page["items"]
        totals.add(page["total"])
        if page["next"] is None:
            assert totals == {len(items)}, totals
            return items
        after = page["next"]


async def events_in(dsn: str) -> int:
    """How many events a service's store holds: a refused command must leave it unchanged."""
    return await query_value(dsn, "SELECT count(*) FROM events")


async def last_position(dsn: str) -> int:
    """Where a service's store stands: the position of its last event (0 when empty)."""
    return await query_value(dsn, "SELECT coalesce(max(position), 0) FROM events")


async def event_types(dsn: str, since: int) -> list[str]:
    """The types of the events appended after position `since`, in order."""
    return await query_value(
        dsn,
        "SELECT coalesce(array_agg(event_type ORDER BY position), '{}') FROM events WHERE position > $1",
        since,
    )


async def stored_payloads(dsn: str, event_type: str) -> list[tuple[int, dict]]:
    """(schema version, payload) of each event of this type in a service's store, in the order appended."""
    rows = await query_value(
        dsn,
        """SELECT coalesce(jsonb_agg(jsonb_build_array(schema_version, payload) ORDER BY position), '[]')
           FROM events WHERE event_type = $1""",
        event_type,
    )
    return [(version, payload) for version, payload in json.loads(rows)]


async def query_value(dsn: str, sql: str, *args):
    """One value read from a service's database, on a connection of its own."""
    import asyncpg

    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(sql, *args)
    finally:
        await connection.close()


async def refused(dsn: str, request, status: int, rule: str) -> dict:
    """Sends `request` (an un-awaited API call) and asserts it is refused as a problem naming `rule`, with no
    event appended. Returns the problem."""
    before = await events_in(dsn)
    response = await request
    where = (response.request.method, str(response.request.url), response.text)
    assert response.status_code == status, where
    assert response.headers["content-type"] == "application/problem+json", where
    problem = response.json()
    assert problem["rule"] == rule and problem["status"] == status, where
    assert await events_in(dsn) == before, ("an event was appended by a refused command", *where)
    return problem


def stream_problems(received: Iterable[tuple[str, EventEnvelope]]) -> list[str]:
    """What a reader would find wrong with the streams it received as `(topic, envelope)` in arrival order,
    duplicates dropped: on each topic, a stream's versions must only go up; all its topics together (shareable
    and restricted), every version from 1, each hash-linked to the one before and matching its content."""
    from kernel.hashchain import broken_links

    seen: set = set()
    arrival: dict[tuple[str, str], list[int]] = defaultdict(list)
    streams: dict[str, list[EventEnvelope]] = defaultdict(list)
    for topic, envelope in received:
        if envelope.event_id not in seen:
            seen.add(envelope.event_id)
            arrival[(topic, envelope.stream_id)].append(envelope.stream_version)
            streams[envelope.stream_id].append(envelope)
    problems = [
        f"{stream} on {topic}: versions arrived as {versions}"
        for (topic, stream), versions in arrival.items()
        if versions != sorted(versions)
    ]
    for events in streams.values():
        problems += broken_links(sorted(events, key=lambda e: e.stream_version))
    return problems


class SettableClock:
    """A service's clock in tests (`create_app(settings, clock=...)`): time moves when the test says so."""

    def __init__(self, now) -> None:
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


async def wait_for(predicate, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll an async predicate until it holds: a readiness check with a deadline, not a blind sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def serving(app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to `app` in process, its lifespan (database, relay, consumers) running."""
    from asgi_lifespan import LifespanManager  # a test-only dependency

    async with (
        LifespanManager(app, startup_timeout=60, shutdown_timeout=30),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        yield client


def valid_siret(number: int) -> str:
    """The `number`-th SIRET of a synthetic series: 13 digits then the Luhn check digit."""
    body = f"{number:013d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (1 if index % 2 else 2)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


class LocalSystem:
    """Some of the services as real uvicorn processes on free ports, for end-to-end, fault and bench runs."""

    def __init__(self, workdir: Path, environment: Mapping[str, str], names: list[str]) -> None:
        self.environment = dict(environment)
        self.services = {
            name: ServiceProcess(name, port, workdir / f"{name}.log", workdir / f"{name}.pid")
            for name, port in zip(names, free_ports(len(names)), strict=True)
        }

    def url(self, name: str) -> str:
        return self.services[name].url

    def start(self, *names: str, timeout: float = 60) -> None:
        chosen = [self.services[n] for n in names or self.services]
        for service in chosen:
            service.start(self.environment)
        deadline = time.monotonic() + timeout
        for service in chosen:
            try:
                service.wait_until_healthy(deadline)
            except Exception as error:
                # The caller gets no system to stop: stop what did start, or it outlives the test run.
                self.stop()
                raise RuntimeError(f"{service.name} did not start:\n{service.log_tail()}") from error

    def kill(self, name: str) -> None:
        """kill -9: no shutdown hook runs, in-flight work is lost mid-way."""
        process = self.services[name].process()
        assert process is not None, f"{name} is not running"
        process.kill()
        process.wait(10)

    def pid(self, name: str) -> int:
        return self.services[name].process().pid

    def stop(self) -> None:
        stop_all(list(self.services.values()))


SCHEMAS = Path(__file__).resolve().parents[3] / "contracts" / "schemas"


def strictly_valid(instance, schema: dict) -> list[str]:
    """What a strict client's JSON Schema validator says of `instance`: formats ("date-time", "time"...) checked
    as draft 2020-12 defines them (a bare `jsonschema.FormatChecker()` checks "time" as draft 3 did)."""
    import jsonschema  # a test-only dependency

    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def answered_as_described(app, response: httpx.Response, path: str) -> list[str]:
    """`strictly_valid` for a response against what the app's OpenAPI describes for its operation (`path` is
    the route's template, e.g. "/groups/{group_id}") and status."""
    document = app.openapi()
    operation = document["paths"][path][response.request.method.lower()]
    (described,) = operation["responses"][str(response.status_code)]["content"].values()
    return strictly_valid(response.json(), {**described["schema"], "components": document["components"]})


def payload_as_published(event_type: str, schema_version: int, payload: dict) -> list[str]:
    """`strictly_valid` for an event payload against its committed schema."""
    schema = json.loads((SCHEMAS / f"{event_type}.v{schema_version}.json").read_text(encoding="utf-8"))
    return strictly_valid(payload, schema)


async def published_and_valid(settings, dsn: str, service: str) -> tuple[list[dict], list[dict]]:
    """Every event a service appended, read once from its topics (duplicates dropped): shareable ones on
    `<service>.events`, restricted ones on `<service>.restricted` only, each valid against the committed
    envelope and payload schemas, formats checked, every personal value sealed (issue 17): payloads are
    checked once opened through the keyring. Returns (shared, restricted) envelopes as JSON, their payloads
    opened, as consumers read them."""
    import asyncpg

    from contracts import event_class

    connection = await asyncpg.connect(dsn)
    try:
        counts = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE NOT restricted) AS shared, count(*) FILTER (WHERE restricted) AS restricted"
            " FROM events"
        )
    finally:
        await connection.close()

    async def read(topic: str, expected: int) -> list[dict]:
        records = await read_topic(settings.kafka_bootstrap_servers, settings.topic(topic), at_least=expected)
        envelopes = list({e["event_id"]: e for e in map(json.loads, (r.value for r in records))}.values())
        assert len(envelopes) == expected, (topic, len(envelopes), expected)
        return envelopes

    shared = await read(f"{service}.events", counts["shared"])
    restricted = await read(f"{service}.restricted", counts["restricted"])
    assert not any(e["restricted"] for e in shared)
    assert all(e["restricted"] for e in restricted)
    # A type the contracts mark restricted never reaches the shareable topic.
    assert not any(event_class(e["event_type"], e["schema_version"]).restricted for e in shared)
    envelope_schema = json.loads((SCHEMAS / "envelope.json").read_text())
    opened = await opened_payloads(shared + restricted)
    for envelope, payload in zip(shared + restricted, opened, strict=True):
        assert strictly_valid(envelope, envelope_schema) == [], envelope
        contract = (envelope["event_type"], envelope["schema_version"])
        assert payload_as_published(*contract, payload) == [], envelope
        envelope["payload"] = payload
    return shared, restricted


async def opened_payloads(envelopes: list[dict]) -> list[dict]:
    """The payloads of published envelopes (JSON) opened through the deployment's keyring (the environment's
    KEYRING_*), after checking that none of their personal values travels in clear."""
    from kernel.keyring import Keyring, KeyringSettings
    from kernel.sealing import clear_values, key_ids_in, open_payload, plan_for

    plans = [plan_for(e["event_type"], e["schema_version"]) for e in envelopes]
    pairs = list(zip(envelopes, plans, strict=True))
    in_clear = {e["event_type"]: found for e, p in pairs if (found := clear_values(e["payload"], p))}
    assert not in_clear, f"personal values published in clear: {in_clear}"
    wanted = set().union(*(key_ids_in(e["payload"], p) for e, p in pairs))
    if not wanted:
        return [e["payload"] for e in envelopes]
    keyring = await Keyring.open(KeyringSettings())
    try:
        ciphers = await keyring.for_reading(wanted)
    finally:
        await keyring.close()
    return [open_payload(e["payload"], p, ciphers, e["event_id"]) for e, p in pairs]


MARTIN = {"last_name": "Martin", "first_names": "Lucas", "birth_date": "1994-03-12", "ecrou_number": "62041"}


async def followed_with_a_plan(
    assessment: httpx.AsyncClient,
    as_role,
    today: date,
    *,
    identity: dict | None = None,
    headers: dict | None = None,
) -> tuple[str, str, str]:
    """Through the assessment API: a case opened for cpip-1 (`identity`, else Lucas Martin; extra `headers`
    on the opening, e.g. an Idempotency-Key), its initial assessment validated (risk moderate), a plan
    adopted. Returns the case and plan ids and the person's subject id, which the service made: where the
    other services' end-to-end stories start."""
    cpip, dpip = as_role("cpip"), as_role("dpip")
    case = await ok(
        await assessment.post(
            "/cases",
            headers={**dpip, **(headers or {})},
            json={
                "referent": "cpip-1",
                "establishment": "InSERRE Arras",
                "admission_date": str(today - timedelta(days=10)),
                "identity": identity or MARTIN,
                "sentence": {
                    "short_sentence": False,
                    "total_length_months": 30,
                    "offence_categories": ["theft"],
                    "expected_end_date": str(today + timedelta(days=700)),
                },
            },
        ),
        201,
    )
    started = await ok(
        await assessment.post(
            f"/cases/{case['case_id']}/assessments", headers=cpip, json={"kind": "initial", "trigger": ""}
        ),
        201,
    )
    url = f"/assessments/{started['assessment_id']}"
    for domain, level in (("education_employment", "moderate"), ("alcohol_drugs", "high")):
        evidence = {"risk_factor": True, "nature": "dynamic_stable", "level": level, "evidence": "Entretien"}
        await ok(await assessment.put(f"{url}/domains/{domain}", headers=cpip, json=evidence))
    conclusion = {
        "overall_risk_level": "moderate",
        "priority_axes": ["alcohol_drugs", "education_employment"],
    }
    await ok(await assessment.put(f"{url}/conclusion", headers=cpip, json=conclusion))
    await ok(await assessment.post(f"{url}/submit", headers=cpip))
    await ok(await assessment.post(f"{url}/validate", headers=dpip))
    plan = await ok(
        await assessment.post(
            f"/cases/{case['case_id']}/plan", headers=cpip, json=plan_body(started["assessment_id"], today)
        ),
        201,
    )
    return case["case_id"], plan["plan_id"], case["subject_id"]


def plan_body(assessment_id: str, today: date, **overrides) -> dict:
    """A plan of two objectives (addictions: a programme; employment: IPRO), as a CPIP adopts it."""
    return {
        "assessment_id": assessment_id,
        "objectives": [
            {
                "objective_id": "obj-1",
                "priority": 1,
                "work_axis": "alcohol_drugs",
                "description": "Engager un suivi en addictologie",
                "interventions": [
                    {
                        "kind": "programme_referral",
                        "description": "Groupe de parole addictions",
                        "target_date": str(today + timedelta(days=60)),
                    }
                ],
            },
            {
                "objective_id": "obj-2",
                "priority": 2,
                "work_axis": "education_employment",
                "description": "Accéder à une formation qualifiante",
                "interventions": [{"kind": "ipro_action", "description": "Entretien avec le pôle IPRO"}],
            },
        ],
        "review_date": str(today + timedelta(days=180)),
        **overrides,
    }


async def cancelled(tasks: Iterable[asyncio.Task]) -> None:
    """Cancel background tasks (consumers a test or a check runs) and wait until each has stopped."""
    tasks = list(tasks)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def headers_for(dev_keys):
    """`as_role(role, subject=None, organisation_id=None, establishments=..., **extra_headers)`: the headers
    of a user, "<role>-1" unless `subject` names another; a partner's token carries its organisation; staff
    reach the development sites (`DEV_ESTABLISHMENTS`) unless `establishments` names others (ADR 26)."""
    from devinfra.tokens import DEV_ESTABLISHMENTS

    def as_role(
        role: str,
        subject: str | None = None,
        *,
        organisation_id: str | None = None,
        establishments: Iterable[str] | None = DEV_ESTABLISHMENTS,
        **extra: str,
    ) -> dict[str, str]:
        token = dev_keys.mint(
            role,
            subject=subject or f"{role}-1",
            organisation_id=organisation_id,
            establishments=establishments,
        )
        return {"Authorization": f"Bearer {token}", **extra}

    return as_role


def untrusted_credentials(dev_keys, role: str) -> list[dict[str, str]]:
    """Headers no route may accept: none, not a JWT, expired, forged signature, another scheme."""
    from datetime import UTC, datetime

    expired = dev_keys.mint(role, subject=f"{role}-1", now=datetime.now(UTC) - timedelta(days=2))
    forged = dev_keys.mint(role, subject=f"{role}-1").rsplit(".", 1)[0] + ".forged"
    return [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": f"Bearer {expired}"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="},
    ]


def routes_of(routers):
    """(verb, path template, policy) of every route of these routers."""
    from fastapi.routing import APIRoute

    from kernel.http import policy_of

    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for verb in sorted(route.methods):
                    yield verb, route.path, policy_of(route)


class Upstream:
    """Another service's event topics, fed by a test with contract-built events exactly as that service's
    relay would publish them (envelope, hash chain, key, headers; a restricted type on `<service>.restricted`,
    any other on `<service>.events`). A service's integration tests feed its
    replicas this way instead of running the upstream service; `tests/e2e` keeps the true end-to-end path.

        assessment = Upstream(programmes_settings, "assessment")
        await assessment.publish("case-1", CaseOpened(...), subject="person-1")
    """

    def __init__(self, settings, service: str, *, role: str = "cpip") -> None:
        """`settings`: the consuming service's (its broker, topic prefix and topic policy)."""
        self.settings, self.service = settings, service
        self.actor = Actor(subject=f"{role}-1", role=role)
        self._heads: dict[str, tuple[int, str | None]] = {}
        self._position = 0

    def envelope(
        self, stream_id: str, event: Event, *, subject: str | None = None, occurred_at: datetime | None = None
    ) -> EventEnvelope:
        version, previous = self._heads.get(stream_id, (0, None))
        self._position += 1
        moment = occurred_at or datetime.now(UTC)
        content = {
            "event_id": uuid.uuid4(),
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "stream_type": event.event_type.split(".")[1],
            "stream_id": stream_id,
            "stream_version": version + 1,
            "position": self._position,
            "occurred_at": moment,
            "recorded_at": moment,
            "actor": self.actor,
            "subject": subject,
            "correlation_id": str(uuid.uuid4()),
            "causation_id": None,
            "restricted": event.restricted,
            "payload": event.model_dump(mode="json"),
            "previous_hash": previous,
        }
        envelope = EventEnvelope(
            **content, hash=event_hash(previous, {**content, "actor": self.actor.model_dump()})
        )
        self._heads[stream_id] = (version + 1, envelope.hash)
        return envelope

    def topic_of(self, envelope: EventEnvelope) -> str:
        """Where the relay sends it (`kernel.relay`): `<service>.restricted` or `<service>.events`."""
        return self.settings.topic(f"{self.service}.{'restricted' if envelope.restricted else 'events'}")

    async def publish(
        self, stream_id: str, *events: Event, subject: str | None = None, occurred_at: datetime | None = None
    ) -> list[EventEnvelope]:
        """Append `events` to `stream_id` and publish them, in order; returns their envelopes."""
        envelopes = [self.envelope(stream_id, e, subject=subject, occurred_at=occurred_at) for e in events]
        bootstrap = self.settings.kafka_bootstrap_servers
        topics = {envelope.event_id: self.topic_of(envelope) for envelope in envelopes}
        await kafka.ensure_topics(bootstrap, sorted(set(topics.values())), self.settings.topic_policy())
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for envelope in envelopes:
                key, value, headers = kafka.encode(envelope)
                await producer.send_and_wait(topics[envelope.event_id], value=value, key=key, headers=headers)
        finally:
            await producer.stop()
        return envelopes


# The test services' key of the pseudonyms auditors read (kernel.pseudonyms): a known value, never a deployment's.
PSEUDONYM_TEST_SECRET = "test-pseudonyms-not-a-deployment-secret-0123456789"
BREAK_GLASS_REASON = "contrôle demandé par le DPO, saisine n° 2026-114"


def pseudonym_of(subject_id: str) -> str:
    """The pseudonym an auditor reads this person under in the test services."""
    from kernel.pseudonyms import Pseudonyms

    return Pseudonyms(PSEUDONYM_TEST_SECRET.encode(), frozenset()).of(subject_id)


def break_glass(reason: str = BREAK_GLASS_REASON) -> dict[str, str]:
    """The `Purpose` header of a break-glass read (kernel.pseudonyms), percent-encoded as header values are."""
    from urllib.parse import quote

    return {"Purpose": quote(f"bris-de-glace: {reason}")}


def service_settings(settings_class, dsn: str, infrastructure, dev_keys, topic_prefix: str, **overrides):
    """A service on its own database and fresh topics, its relay and background loops left to the tests
    that run them (`run_relay=True`, `run_background=True` as overrides). Tests that walk every route with
    a bad token come from one address: its allowance of failed authentications is lifted (the limit's own
    tests set theirs). The assessment service gets the test secret of the subject ids; other services
    ignore it. Every service gets the test key of the pseudonyms."""
    return settings_class(
        database_url=dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        auth_jwks_file=dev_keys.jwks_path,
        **{
            "subject_id_secret": subject_ids.TEST_SECRET,
            "pseudonym_secret": PSEUDONYM_TEST_SECRET,
            "run_relay": False,
            "run_background": False,
            "rate_limit_auth_failures_burst": 100_000,
            **overrides,
        },
    )


def assert_refused(response: httpx.Response, status: int, rule: str, *context) -> None:
    """The response is the problem+json of `rule`, with its status."""
    where = (
        *context,
        response.request.method,
        response.request.url.path,
        response.status_code,
        response.text,
    )
    assert response.status_code == status, where
    assert response.headers["content-type"] == "application/problem+json", where
    assert response.json()["rule"] == rule, where


def errors_of(*modules) -> list[type[DomainError]]:
    """Every refusal a service defines (in its `domain.errors`, `access`...): each must name its rule."""
    return sorted(
        {
            cls
            for module in modules
            for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, DomainError) and cls.__module__ == module.__name__
        },
        key=lambda cls: cls.__name__,
    )


def assert_names_its_rule(error_class: type[DomainError]) -> None:
    """`<Thing><Problem>`, and a code that spells the name: `CallNotFound` answers `call-not-found`."""
    spelled = re.sub(r"(?<!^)(?=[A-Z])", "-", error_class.__name__).lower()
    assert error_class.code == spelled, (
        f"{error_class.__name__} answers {error_class.code!r}, not {spelled!r}"
    )


def assert_answers_problem(error_class: type[DomainError], status: int) -> None:
    """What a client receives when the rule refuses a command: problem+json with the status and the rule."""
    response = problem_of(error_class("the rule's explanation"))
    body = json.loads(response.body)
    assert (response.status_code, response.media_type) == (status, "application/problem+json"), error_class
    assert (body["status"], body["rule"], body["detail"]) == (
        status,
        error_class.code,
        "the rule's explanation",
    )
