"""A load generator for the fault drill: a steady, mixed and realistic stream of commands on the four write
services, and an exact record of what each of them answered.

Users act as they would. A DPIP opens a case and names the referent CPIP, who assesses the person (a DPIP
validates) and adopts their plan. The IPRO service opens the person's pathway when it consumes the case; a
RIPRO names an adviser, who writes the synthesis, records the profile and arranges work, a training or a
place on a partner's action. The programmes service learns of the person from the assessment events; the
CPIP refers them to a programme, records their consent and enrols them in (or waitlists them for) a group a
DPIP planned and opened. IPRO management publishes calls and registers partner organisations, which answer
with actions it approves and publishes.

Those chains run side by side. An open loop hands out turns to send at `rate` commands per second, round the
four services, each with its own bound on commands in flight: a service that stalls holds its own turns back,
never the others'. When a service has nothing to send, a new chain starts there (a new person, a group, an
organisation, a follow-up interview).

A logical command keeps its Idempotency-Key, correlation id and body bytes on every attempt: a transport
error, a timeout or a 5xx is retried until a definite answer, and the services' idempotency makes retries
harmless. So `acknowledged` holds each command once, and the drill can look for its events by correlation
id. A command that needs what another service consumed waits until a GET shows it, or, when no GET does,
is sent again later while the service answers "not there yet" (those answers are not refusals).
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time as time_module
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from devinfra.testkit import plan_body, valid_siret

SERVICES = ("assessment", "programmes", "ipro", "partners")
PARIS = ZoneInfo("Europe/Paris")  # the establishments' calendar: what the services call "today"
ESTABLISHMENT = "InSERRE Arras"
# Correlation ids are derived from the idempotency key, so that a retry can never get a new one.
_IDS = uuid.UUID("5b0f7f0e-3c55-4b7e-9a43-0d5c1f7e2a61")

# Structured programmes meet in the morning and thematic actions in the afternoon: a person takes one of
# each, and the two never overlap (the programmes service refuses a person booked twice at a time).
MORNING_PROGRAMMES = ("programme-ppr", "programme-parcours", "programme-cairn")
AFTERNOON_PROGRAMMES = ("programme-addictions", "programme-gestion-conflits", "programme-citoyennete")
GROUP_CAPACITY = 8  # within every one of those programmes' group sizes
WAITING_PER_GROUP = 2
CALL_THEMES = ("job_search_workshop", "citizenship", "job_forum")
PROPOSALS_PER_CALL = 30

LOW_WATER = 3  # chains waiting for a turn, per service, below which a new chain starts there
CONCURRENT_POLLS = 16
IDLE_CONNECTIONS = 8  # per service
MAX_CHAINS = 5_000


class ChainEnded(Exception):
    """A chain goes no further: one of its commands was refused or abandoned, or the run is stopping."""


@dataclass(frozen=True)
class Command:
    service: str  # "assessment" | "programmes" | "ipro" | "partners"
    method: str  # "POST" / "PUT"
    path: str
    body: dict | None
    role: str
    subject: str  # the token's sub
    organisation_id: str | None
    correlation_id: str  # a fresh UUID per logical command, sent as X-Correlation-Id, the same on every retry
    idempotency_key: str  # sent as Idempotency-Key, the same on every retry
    kind: str = ""  # what the command does, e.g. "case.open": the summary counts by it


@dataclass(frozen=True)
class Answer:
    command: Command
    status: int
    # A refusal's problem in full; an acknowledgement's top-level scalars only (ids, status, version): a long
    # run would otherwise keep every view it was sent.
    body: Any
    attempts: int


@dataclass
class _Lane:
    """One service's turns: the chains waiting to send on it, and how many of its commands are in flight."""

    service: str
    waiting: deque[asyncio.Future] = field(default_factory=deque)
    in_flight: int = 0
    issued: int = 0
    # Why a turn passed it by: nobody had a command ready, or its commands in flight were at the bound.
    idle: int = 0
    saturated: int = 0
    # Seconds from the first attempt to the answer, of the latest commands.
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))


@dataclass(frozen=True)
class _Staff:
    """The run's users: subjects of their own, so a caseload check never meets another run's people."""

    run: str

    def of(self, role: str, count: int) -> list[str]:
        return [f"{role}-{self.run}-{n}" for n in range(1, count + 1)]


class Chain:
    """One user's sequence of commands. Its keys come from the run, its name and the step, so a retry repeats
    them and two runs never share them; its random choices come from the seed and its name."""

    def __init__(self, workload: Workload, name: str) -> None:
        self.workload, self.name, self.steps = workload, name, 0
        self.rng = random.Random(f"{workload.seed}/{name}")

    def pick(self, choices):
        return self.rng.choice(choices)

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        kind: str,
        role: str,
        subject: str,
        organisation_id: str | None = None,
        not_yet: frozenset[str] = frozenset(),
    ) -> dict:
        """The acknowledged answer's body; `not_yet` names the problem rules that mean "not there yet"."""
        self.steps += 1
        key = f"{self.workload.run_id}-{self.name}-{self.steps}"
        command = Command(
            service, method, path, body, role, subject, organisation_id, str(uuid.uuid5(_IDS, key)), key, kind
        )
        return await self.workload.submit(command, not_yet)


class Workload:
    """Runs the chains and records every logical command once: in `acknowledged` (2xx), `refused` (a final
    4xx: a rule the workload broke, none expected) or `abandoned` (unanswered when the drain gave up)."""

    def __init__(
        self,
        urls: Mapping[str, str],
        mint: Callable[..., str],
        *,
        rate: float = 200.0,
        seed: int = 0,
        run_id: int | None = None,
        max_in_flight: int = 128,
        timeout: float = 5.0,
        drain_seconds: float = 60.0,
    ) -> None:
        """`mint(role, subject=..., organisation_id=...)` signs a token; `run_id` (below 10^7) is random unless
        given: subject ids, SIRET numbers and idempotency keys carry it."""
        self.urls = {service: urls[service].rstrip("/") for service in SERVICES}
        self.mint, self.rate, self.seed = mint, rate, seed
        self.run_number = secrets.randbelow(10**7) if run_id is None else run_id
        self.run_id = f"{self.run_number:07d}"
        self.timeout, self.drain_seconds = timeout, drain_seconds
        self.per_lane_in_flight = max(1, max_in_flight // len(SERVICES))
        self.acknowledged: list[Answer] = []
        self.refused: list[Answer] = []
        self.abandoned: list[Command] = []
        self.chain_errors: list[str] = []
        self.staff = _Staff(self.run_id)
        self.people = People(self)
        self.pathways = Pathways(self)
        self.groups = Groups(self)
        self.partners = Partners(self)
        self._lanes = {service: _Lane(service) for service in SERVICES}
        self._tokens: dict[tuple, str] = {}
        self._chains: set[asyncio.Task] = set()
        self._alive: Counter[str] = Counter()
        self._numbers: Counter[str] = Counter()
        self._pending: dict[str, Command] = {}
        self._counts = Counter()
        self._not_yet: Counter[str] = Counter()  # by command kind and rule
        self._stopping = False
        self._idle = asyncio.Event()
        self._http: httpx.AsyncClient | None = None
        self._polls: asyncio.Semaphore | None = None
        self._give_up_at = float("inf")
        self._started = self._stopped = 0.0
        self._lag = 0.0  # the dispatcher's latest wake-up: the generator's own event loop falling behind
        self._cpu = 0.0
        self._acknowledged_under_load = 0

    # --- running ---

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; then finish the commands in flight for up to `drain_seconds`."""
        loop = asyncio.get_running_loop()
        self._polls = asyncio.Semaphore(CONCURRENT_POLLS)
        async with self._client() as http:
            self._http = http
            self._started, self._cpu = loop.time(), time_module.process_time()
            dispatcher = asyncio.create_task(self._dispatch())
            try:
                await stop.wait()
            finally:
                self._stopped, self._cpu = loop.time(), time_module.process_time() - self._cpu
                self._acknowledged_under_load = len(self.acknowledged)
                self._stopping = True
                dispatcher.cancel()
                self._end_turns()
                self._give_up_at = loop.time() + self.drain_seconds
                await self._drain()
                await self._end_chains()

    def _client(self) -> httpx.AsyncClient:
        """One client, with a connection pool per service: a stalled service's connections never hold the
        others' back, and each pool stays small (httpcore's bookkeeping grows with the square of a pool's
        size: one pool for everything cost the generator half a core at 70 commands per second). Few idle
        connections are kept, as each is polled whenever a request starts or ends."""
        limits = httpx.Limits(
            max_connections=self.per_lane_in_flight + CONCURRENT_POLLS,
            max_keepalive_connections=IDLE_CONNECTIONS,
        )
        mounts = {_origin(url): httpx.AsyncHTTPTransport(limits=limits) for url in self.urls.values()}
        timeout = httpx.Timeout(self.timeout, connect=min(2.0, self.timeout))
        return httpx.AsyncClient(timeout=timeout, mounts=mounts, trust_env=False)

    async def _dispatch(self) -> None:
        """The open loop: turns are due at `rate` per second whatever the answers take."""
        loop = asyncio.get_running_loop()
        given, nap = 0, min(0.02, max(0.005, 1 / self.rate))
        while True:
            woke = loop.time()
            due = int((woke - self._started) * self.rate)
            # After a stall of the generator itself, catch up by a second at most rather than burst.
            given = max(given, due - int(self.rate))
            batch = due - given
            while given < due:
                given += 1
                if not self._give_turn():
                    self._counts["missed turns"] += 1
            # Chains started now wait for a turn by the next wake-up: enough for the turns a late one hands out.
            self._top_up(LOW_WATER + batch // len(SERVICES))
            await asyncio.sleep(nap)
            self._lag = max(self._lag, loop.time() - woke - nap)

    def _give_turn(self) -> bool:
        """The next service round the four that has a chain waiting and room in flight."""
        for _ in SERVICES:
            lane = self._lanes[SERVICES[self._counts["turns"] % len(SERVICES)]]
            self._counts["turns"] += 1
            while lane.waiting and lane.waiting[0].done():  # its chain was cancelled
                lane.waiting.popleft()
            if not lane.waiting:
                lane.idle += 1
            elif lane.in_flight >= self.per_lane_in_flight:
                lane.saturated += 1
            else:
                lane.in_flight += 1
                lane.issued += 1
                lane.waiting.popleft().set_result(None)
                return True
        return False

    def _top_up(self, waiting: int) -> None:
        # Saturated services too: a chain waiting costs nothing, and is ready the moment a command ends.
        for lane in self._lanes.values():
            for _ in range(min(waiting - len(lane.waiting), MAX_CHAINS - len(self._chains))):
                self._start_filler(lane.service)

    def _start_filler(self, service: str) -> None:
        if service == "assessment":
            self.people.filler()
        elif service == "ipro":
            self.pathways.filler()
        elif service == "programmes":
            self.groups.filler()
        else:
            self.partners.filler()

    def _end_turns(self) -> None:
        for lane in self._lanes.values():
            while lane.waiting:
                turn = lane.waiting.popleft()
                if not turn.done():
                    turn.set_exception(ChainEnded())

    async def _drain(self) -> None:
        if not self._pending:
            return
        try:
            await asyncio.wait_for(self._idle.wait(), self.drain_seconds + self.timeout + 5)
        except TimeoutError:
            self.abandoned.extend(self._pending.values())
            self._pending.clear()

    async def _end_chains(self) -> None:
        for task in list(self._chains):
            task.cancel()
        await asyncio.gather(*self._chains, return_exceptions=True)

    # --- chains ---

    def start(self, service: str, prefix: str, work: Callable[..., Awaitable[None]], *args) -> None:
        """A new chain named `prefix` and its number (the number is its first argument)."""
        self._numbers[prefix] += 1
        number = self._numbers[prefix]
        self.branch(service, f"{prefix}{number}", work, number, *args)

    def branch(self, service: str, name: str, work: Callable[..., Awaitable[None]], *args) -> None:
        """A chain that follows from another (its name says which), counted against `service`'s backlog."""
        if self._stopping:
            return
        task = asyncio.create_task(self._guarded(service, Chain(self, name), work, *args))
        self._chains.add(task)
        task.add_done_callback(self._chains.discard)

    async def _guarded(self, service: str, chain: Chain, work, *args) -> None:
        self._alive[service] += 1
        try:
            await work(chain, *args)
        except ChainEnded:
            pass
        except Exception as error:  # a bug of the workload: reported, never fatal to the run
            self.chain_errors.append(f"{chain.name}: {error!r}")
        finally:
            self._alive[service] -= 1

    def backlog(self, service: str) -> int:
        return self._alive[service]

    # --- sending ---

    async def submit(self, command: Command, not_yet: frozenset[str]) -> dict:
        lane = self._lanes[command.service]
        await self._turn(lane)
        self._pending[command.idempotency_key] = command
        sent = asyncio.get_running_loop().time()
        try:
            answer, body = await self._deliver(command, not_yet)
            lane.latencies.append(asyncio.get_running_loop().time() - sent)
        finally:
            lane.in_flight -= 1
            self._pending.pop(command.idempotency_key, None)
            if self._stopping and not self._pending:
                self._idle.set()
        if answer is None or answer.status >= 300:
            raise ChainEnded
        return body

    async def _turn(self, lane: _Lane) -> None:
        if self._stopping:
            raise ChainEnded
        turn = asyncio.get_running_loop().create_future()
        lane.waiting.append(turn)
        await turn

    async def _deliver(self, command: Command, not_yet: frozenset[str]) -> tuple[Answer | None, Any]:
        """Send until a definite answer, or until the drain gives up (then the command is abandoned)."""
        url = self.urls[command.service] + command.path
        content = (
            None if command.body is None else json.dumps(command.body).encode()
        )  # the same bytes each time
        headers = {
            **self._authorization(command.role, command.subject, command.organisation_id),
            "Idempotency-Key": command.idempotency_key,
            "X-Correlation-Id": command.correlation_id,
        }
        if content is not None:
            headers["Content-Type"] = "application/json"
        attempts, delay = 0, 0.05
        loop = asyncio.get_running_loop()
        while True:
            attempts += 1
            status, body = await self._attempt(command.method, url, content, headers)
            verdict = _verdict(status, body, not_yet)
            if verdict == "acknowledged":
                answer = Answer(command, status, _scalars(body), attempts)
                self.acknowledged.append(answer)
                return answer, body
            if verdict == "refused":
                answer = Answer(command, status, body, attempts)
                self.refused.append(answer)
                return answer, body
            self._counts[verdict] += 1
            if verdict == "not yet":
                self._not_yet[f"{command.kind} {body.get('rule')}"] += 1
            if loop.time() >= self._give_up_at:
                self.abandoned.append(command)
                return None, None
            # Not there yet: the other service's consumer needs a moment; a failure: the service is restarting.
            delay = max(delay, 0.25) if verdict == "not yet" else delay
            await asyncio.sleep(delay * random.uniform(0.75, 1.25))
            delay = min(delay * 2, 2.0)

    async def _attempt(
        self, method: str, url: str, content: bytes | None, headers: dict
    ) -> tuple[int | None, Any]:
        try:
            response = await self._http.request(method, url, content=content, headers=headers)
        except httpx.HTTPError:
            return None, None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    async def visible(self, service: str, path: str, *, role: str, subject: str) -> None:
        """Wait until GET `path` answers 200: what the service had to consume has reached it."""
        url = self.urls[service] + path
        headers = self._authorization(role, subject, None)
        delay = 0.1
        while not self._stopping:
            async with self._polls:
                try:
                    if (await self._http.get(url, headers=headers)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            self._counts["polls not yet"] += 1
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 2.0)
        raise ChainEnded

    def _authorization(self, role: str, subject: str, organisation_id: str | None) -> dict[str, str]:
        key = (role, subject, organisation_id)
        token = self._tokens.get(key)
        if token is None:  # signing is the costliest step of a request here: once per user
            token = self._tokens[key] = self.mint(role, subject=subject, organisation_id=organisation_id)
        return {"Authorization": f"Bearer {token}"}

    # --- report ---

    def summary(self) -> dict:
        seconds = max((self._stopped or self._started) - self._started, 1e-9)
        by_service = {
            service: {
                "issued": lane.issued,
                "acknowledged": 0,
                "refused": 0,
                "abandoned": 0,
                "turns_idle": lane.idle,
                "turns_saturated": lane.saturated,
                "latency_ms": _percentiles(lane.latencies),
                "kinds": Counter(),
            }
            for service, lane in self._lanes.items()
        }
        for answer in self.acknowledged:
            by_service[answer.command.service]["acknowledged"] += 1
            by_service[answer.command.service]["kinds"][answer.command.kind] += 1
        for answer in self.refused:
            by_service[answer.command.service]["refused"] += 1
        for command in self.abandoned:
            by_service[command.service]["abandoned"] += 1
        for entry in by_service.values():
            entry["kinds"] = dict(sorted(entry["kinds"].items()))
        return {
            "run_id": self.run_id,
            "rate": self.rate,
            "seconds": round(seconds, 1),
            "acknowledged": len(self.acknowledged),
            "refused": len(self.refused),
            "abandoned": len(self.abandoned),
            "acknowledged_per_second": round(self._acknowledged_under_load / seconds, 1),
            "retried_attempts": self._counts["retried"],
            "not_yet_answers": dict(self._not_yet),
            "polls_not_yet": self._counts["polls not yet"],
            "missed_turns": self._counts["missed turns"],
            "generator_cpu_share": round(self._cpu / seconds, 2),
            "dispatcher_lag_ms": round(1000 * self._lag),
            "by_service": by_service,
            "refusals": dict(
                Counter(
                    f"{a.command.service} {a.command.kind} {a.status} {(a.body or {}).get('rule')}"
                    for a in self.refused
                )
            ),
            "chain_errors": self.chain_errors[:20],
        }


def _verdict(status: int | None, body: Any, not_yet: frozenset[str]) -> str:
    """ "acknowledged", "refused" (final), "not yet" (the same command later) or "retried" (no answer)."""
    if status is None or status >= 500 or status in (408, 429):
        return "retried"
    if status < 300:
        return "acknowledged"
    rule = body.get("rule") if isinstance(body, dict) else None
    # A race the service lost against itself (its own retries exhausted) is no rule broken either.
    return "not yet" if rule in not_yet or rule == "concurrent-modification" else "refused"


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}:{parsed.port or (443 if parsed.scheme == 'https' else 80)}"


def _percentiles(seconds: deque[float]) -> dict[str, int]:
    if not seconds:
        return {}
    ordered = sorted(seconds)
    at = lambda share: round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))])  # noqa: E731
    return {"p50": at(0.5), "p95": at(0.95), "max": at(1.0)}


def _scalars(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {k: v for k, v in body.items() if v is None or isinstance(v, (str, int, float, bool))}


def today() -> date:
    return datetime.now(PARIS).date()


def next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


def local_moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


# --- SPIP: cases, assessments, plans (assessment service) ---

LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
)
FIRST_NAMES = (
    "Lucas Pierre",
    "Hugo",
    "Nathan",
    "Karim",
    "Enzo",
    "Yanis",
    "Mehdi",
    "Kevin",
    "Thomas",
    "Julien",
)
RELEASE_IN_DAYS = (150, 400, 700)  # within six months, France Travail registration is open
# Some people leave during the run: once their IPRO pathway's steps are done, a DPIP records the release, which
# the IPRO and programmes services react to (a pathway closed with its trainings and places). They take no
# programme seat: a seat freed by a release goes to someone waiting, which the groups' bookkeeping here
# does not follow.
RELEASED_SHARE = 0.2


class People:
    """People followed by the SPIP, from admission to an adopted plan; their IPRO pathway and their
    referrals start from there."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.followed: list[tuple[str, str]] = []  # (case id, referent CPIP)
        self.dpips = workload.staff.of("dpip", 3)
        self.cpips = workload.staff.of("cpip", 12)
        self.psychologists = workload.staff.of("psychologue", 3)

    def filler(self) -> None:
        # New people only while IPRO and programmes keep up with the ones already admitted.
        w = self.workload
        limit = max(30, int(w.rate / 2))
        if self.followed and (w.backlog("ipro") > limit or w.backlog("programmes") > limit):
            w.start("assessment", "interview", self.case_interview)
        else:
            w.start("assessment", "person", self.follow)

    async def follow(self, chain: Chain, number: int) -> None:
        w, day = self.workload, today()
        dpip, referent = chain.pick(self.dpips), chain.pick(self.cpips)
        release_in = chain.pick(RELEASE_IN_DAYS)
        body = self._case(chain, day, number, referent, release_in)
        case = await chain.send(
            "assessment", "POST", "/cases", body, kind="case.open", role="dpip", subject=dpip
        )
        case_id, subject_id = case["case_id"], case["subject_id"]  # the person's id: the service makes it
        leaves = chain.rng.random() < RELEASED_SHARE
        pathway_done = asyncio.Event() if leaves else None
        w.branch("ipro", f"{chain.name}-ipro", w.pathways.follow, case_id, release_in, pathway_done)
        assessment_id = await self._assessed(chain, case_id, referent, dpip)
        plan = await chain.send(
            "assessment",
            "POST",
            f"/cases/{case_id}/plan",
            plan_body(assessment_id, day),
            kind="plan.adopt",
            role="cpip",
            subject=referent,
        )
        if not leaves:
            w.branch(
                "programmes",
                f"{chain.name}-prog",
                w.groups.refer,
                case_id,
                plan["plan_id"],
                subject_id,
                referent,
            )
        plan_url = f"/plans/{plan['plan_id']}"
        await chain.send(
            "assessment",
            "POST",
            f"{plan_url}/agreement",
            {"agreement": "agreed"},
            kind="plan.agreement",
            role="cpip",
            subject=referent,
        )
        await chain.send(
            "assessment", "POST", f"{plan_url}/validate", kind="plan.validate", role="dpip", subject=dpip
        )
        if not leaves:
            self.followed.append((case_id, referent))
            return
        await pathway_done.wait()  # nothing is arranged on a closed pathway, nor recorded on a closed case
        await chain.send(
            "assessment",
            "POST",
            f"/cases/{case_id}/close",
            {"reason": "release", "closed_on": str(day)},
            kind="case.release",
            role="dpip",
            subject=dpip,
        )

    def _case(self, chain: Chain, day: date, number: int, referent: str, release_in: int) -> dict:
        return {
            "identity": {
                "last_name": chain.pick(LAST_NAMES),
                "first_names": chain.pick(FIRST_NAMES),
                "birth_date": str(date(1970 + chain.rng.randrange(35), 1 + chain.rng.randrange(12), 12)),
                "ecrou_number": f"{self.workload.run_id}{number:06d}",
            },
            "establishment": ESTABLISHMENT,
            "admission_date": str(day - timedelta(days=10)),
            "sentence": {
                "short_sentence": False,
                "total_length_months": 30,
                "expected_end_date": str(day + timedelta(days=release_in)),
                "offence_categories": ["theft"],
            },
            "referent": referent,
        }

    async def _assessed(self, chain: Chain, case_id: str, referent: str, dpip: str) -> str:
        """The initial assessment, filled in, sometimes with a psychologist's contribution, sometimes returned
        once, then validated: its id."""
        cpip = {"role": "cpip", "subject": referent}
        started = await chain.send(
            "assessment",
            "POST",
            f"/cases/{case_id}/assessments",
            {"kind": "initial", "trigger": ""},
            kind="assessment.start",
            **cpip,
        )
        url = f"/assessments/{started['assessment_id']}"
        for domain, rating in RATINGS.items():
            await chain.send(
                "assessment", "PUT", f"{url}/domains/{domain}", rating, kind="assessment.domain", **cpip
            )
        if chain.rng.random() < 0.3:
            psychologist = chain.pick(self.psychologists)
            await chain.send(
                "assessment",
                "POST",
                f"{url}/contributors",
                {"contributor": psychologist},
                kind="assessment.contributor",
                **cpip,
            )
            await chain.send(
                "assessment",
                "POST",
                f"{url}/contributions",
                {
                    "domain": "personality_behaviour",
                    "text": "Impulsivité marquée, pas de trouble psychiatrique",
                },
                kind="assessment.contribution",
                role="psychologue",
                subject=psychologist,
            )
        await chain.send(
            "assessment",
            "PUT",
            f"{url}/conclusion",
            {"overall_risk_level": "moderate", "priority_axes": ["alcohol_drugs", "education_employment"]},
            kind="assessment.conclusion",
            **cpip,
        )
        await chain.send("assessment", "POST", f"{url}/submit", kind="assessment.submit", **cpip)
        if chain.rng.random() < 0.2:
            await chain.send(
                "assessment",
                "POST",
                f"{url}/return",
                {"comments": "Préciser le logement"},
                kind="assessment.return",
                role="dpip",
                subject=dpip,
            )
            await chain.send(
                "assessment",
                "PUT",
                f"{url}/domains/housing",
                {"risk_factor": False, "level": "none", "evidence": "Hébergé par sa sœur à la sortie"},
                kind="assessment.domain",
                **cpip,
            )
            await chain.send("assessment", "POST", f"{url}/resubmit", kind="assessment.resubmit", **cpip)
        await chain.send(
            "assessment", "POST", f"{url}/validate", kind="assessment.validate", role="dpip", subject=dpip
        )
        return started["assessment_id"]

    async def case_interview(self, chain: Chain, _number: int) -> None:
        case_id, referent = chain.pick(self.followed)
        await chain.send(
            "assessment",
            "POST",
            f"/cases/{case_id}/interviews",
            {
                "held_on": str(today()),
                "interview_type": chain.pick(("follow_up", "motivational")),
                "notes": "Démarches de soins engagées",
            },
            kind="case.interview",
            role="cpip",
            subject=referent,
        )


RATINGS = {
    "education_employment": {
        "risk_factor": True,
        "nature": "dynamic_stable",
        "level": "moderate",
        "evidence": "Sans diplôme, dernier emploi en 2019",
    },
    "alcohol_drugs": {
        "risk_factor": True,
        "nature": "dynamic_acute",
        "level": "high",
        "evidence": "Consommation quotidienne",
    },
}


# --- IPRO: pathways, work, trainings, positionings (ipro service) ---

PROFILE = {
    "education_level": "vocational",
    "qualifications": ["CAP cuisine"],
    "work_experience": ["Plonge, 2 ans"],
    "languages": ["français"],
    "driving_licence": False,
    "target_trades": [{"rome_code": "H3302", "label": "Opérations manuelles d'assemblage, tri ou emballage"}],
}
# Work takes weekday mornings, trainings Wednesday afternoons, partner actions Thursday afternoons: a person
# can have all three without a clash.
MORNINGS = [{"weekday": day, "starts_at": "08:00", "ends_at": "12:00"} for day in range(5)]
WEDNESDAY_AFTERNOON = [{"weekday": 2, "starts_at": "13:30", "ends_at": "17:00"}]


class Pathways:
    """Pathways the IPRO service opened on admission, followed by an adviser."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.advised: list[tuple[str, str]] = []  # (the pathway's path, its adviser)
        self.ripros = workload.staff.of("ripro", 2)
        self.chefs = workload.staff.of("ipro_chef", 2)
        self.governors = workload.staff.of("direction", 2)
        self.advisers = workload.staff.of("ipro_conseiller", 8)

    def filler(self) -> None:
        if self.advised:  # before anyone is advised, IPRO has nothing to do: the turn goes to another service
            self.workload.start("ipro", "cip-interview", self.interview)

    async def follow(self, chain: Chain, case_id: str, release_in: int, done: asyncio.Event | None) -> None:
        """The pathway's steps; for someone who leaves, `done` tells the SPIP chain it may record the release."""
        try:
            await self._steps(chain, case_id, release_in, leaves=done is not None)
        finally:
            if done is not None:
                done.set()

    async def _steps(self, chain: Chain, case_id: str, release_in: int, *, leaves: bool) -> None:
        w, url = self.workload, f"/pathways/pathway-{case_id}"
        ripro, adviser = chain.pick(self.ripros), chain.pick(self.advisers)
        await w.visible("ipro", url, role="ripro", subject=ripro)  # opened when IPRO consumed the admission
        await chain.send(
            "ipro",
            "POST",
            f"{url}/adviser",
            {"adviser": adviser},
            kind="pathway.adviser",
            role="ripro",
            subject=ripro,
            not_yet=frozenset({"pathway-not-found"}),
        )
        cip = {"role": "ipro_conseiller", "subject": adviser}
        await chain.send(
            "ipro",
            "POST",
            f"{url}/synthesis",
            {"interview_held_on": str(today()), "synthesis": "Motivé, souhaite travailler en concession"},
            kind="pathway.synthesis",
            **cip,
        )
        await chain.send("ipro", "PUT", f"{url}/profile", PROFILE, kind="pathway.profile", **cip)
        await chain.send(
            "ipro", "POST", f"{url}/readiness", {"status": "ready_to_work"}, kind="pathway.readiness", **cip
        )
        if not leaves:  # a follow-up interview could come after the release
            self.advised.append((url, adviser))
        if chain.rng.random() < 0.6:
            await self._at_work(chain, url, adviser)
        if chain.rng.random() < 0.5:
            await self._in_training(chain, url, adviser)
        if chain.rng.random() < 0.4:
            await self._goal(chain, url, adviser)
        if chain.rng.random() < 0.5:
            await self._positioned(chain, url, adviser)
        if release_in < 180:
            await chain.send("ipro", "POST", f"{url}/france-travail", kind="pathway.france_travail", **cip)

    async def _at_work(self, chain: Chain, url: str, adviser: str) -> None:
        """Classement requested, CPU opinion, granted, employer interview, affectation, contract."""
        day, cip = today(), {"role": "ipro_conseiller", "subject": adviser}
        chef = {"role": "ipro_chef", "subject": chain.pick(self.chefs)}
        governor = {"role": "direction", "subject": chain.pick(self.governors)}
        await chain.send(
            "ipro", "POST", f"{url}/work/classement-request", kind="work.classement_request", **cip
        )
        await chain.send(
            "ipro",
            "POST",
            f"{url}/work/cpu-opinion",
            {"held_on": str(day), "favourable": True, "opinion": "Projet cohérent"},
            kind="work.cpu_opinion",
            **chef,
        )
        await chain.send(
            "ipro",
            "POST",
            f"{url}/work/decision",
            {"granted": True, "regimes": ["service_general", "concession"]},
            kind="work.decision",
            **governor,
        )
        await chain.send(
            "ipro",
            "POST",
            f"{url}/work/employer-interviews",
            {
                "regime": "concession",
                "employer": "Conditionnement Artois",
                "post": "Opérateur",
                "held_on": str(day),
            },
            kind="work.employer_interview",
            **cip,
        )
        monday = next_monday(day)
        work = await chain.send(
            "ipro",
            "POST",
            f"{url}/work/affectation",
            {
                "regime": "concession",
                "post": "Opérateur de conditionnement",
                "workshop": "Atelier 2",
                "employer": "Conditionnement Artois",
                "schedule": MORNINGS,
                "starts_on": str(monday),
            },
            kind="work.affectation",
            **governor,
        )
        (affectation_id,) = work["affectations"]
        await chain.send(
            "ipro",
            "POST",
            f"{url}/work/contract",
            {
                "affectation_id": affectation_id,
                "starts_on": str(monday),
                "ends_on": str(monday + timedelta(weeks=12)),
                "trial_days": 5,
            },
            kind="work.contract",
            **chef,
        )

    async def _in_training(self, chain: Chain, url: str, adviser: str) -> None:
        # The training begins today, so that it may be started now (not before its start date).
        cip, first_day = {"role": "ipro_conseiller", "subject": adviser}, today()
        training = await chain.send(
            "ipro",
            "POST",
            f"{url}/trainings",
            {
                "body": "AFPA",
                "title": "Agent magasinier",
                "certification": "Titre professionnel",
                "starts_on": str(first_day),
                "ends_on": str(first_day + timedelta(weeks=10)),
                "hours": 300,
                "schedule": WEDNESDAY_AFTERNOON,
            },
            kind="training.enrol",
            **cip,
        )
        training_url = f"/trainings/{training['training_id']}"
        await chain.send("ipro", "POST", f"{training_url}/start", kind="training.start", **cip)
        if chain.rng.random() < 0.5:
            await chain.send(
                "ipro",
                "POST",
                f"{training_url}/complete",
                {"certification_obtained": True},
                kind="training.complete",
                **cip,
            )

    async def _goal(self, chain: Chain, url: str, adviser: str) -> None:
        cip = {"role": "ipro_conseiller", "subject": adviser}
        pathway = await chain.send(
            "ipro",
            "POST",
            f"{url}/goals",
            {
                "description": "Obtenir le CACES",
                "steps": [{"step_id": "s1", "description": "Test de positionnement"}],
            },
            kind="pathway.goal",
            **cip,
        )
        (goal_id,) = pathway["goals"]
        await chain.send(
            "ipro",
            "POST",
            f"{url}/goals/{goal_id}/status",
            {"status": "achieved", "step_id": "s1"},
            kind="pathway.goal_status",
            **cip,
        )

    async def _positioned(self, chain: Chain, url: str, adviser: str) -> None:
        """A place on a published partner action, which the partner confirms. The IPRO service knows the
        action from the partners events and no GET shows what it knows: "not found" or "not open" means
        "not there yet"."""
        place = self.workload.partners.take_place()
        if place is None:
            return
        positioning = await chain.send(
            "ipro",
            "POST",
            f"{url}/positionings",
            {"action_id": place.action_id, "session_id": place.session_id},
            kind="positioning.propose",
            role="ipro_conseiller",
            subject=adviser,
            not_yet=frozenset({"action-session-not-found", "action-session-not-open"}),
        )
        await chain.send(
            "ipro",
            "POST",
            f"/positionings/{positioning['positioning_id']}/confirm",
            kind="positioning.confirm",
            role="partenaire",
            subject=place.organiser,
            organisation_id=place.partner_id,
        )

    async def interview(self, chain: Chain, _number: int) -> None:
        url, adviser = chain.pick(self.advised)
        await chain.send(
            "ipro",
            "POST",
            f"{url}/interviews",
            {"held_on": str(today()), "notes": "Point d'étape"},
            kind="pathway.interview",
            role="ipro_conseiller",
            subject=adviser,
        )


# --- Programmes: groups and referrals (programmes service) ---


@dataclass(eq=False)
class Group:
    group_id: str
    programme_id: str
    facilitator: str
    seats_given: int = 0
    enrolled: int = 0
    waiting: int = 0
    full: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(eq=False)
class Movable:
    """A group's session its facilitator may move an hour later, then back: no more, so that no group's
    stream grows long (each command on a group reads all of it)."""

    group: Group
    session_id: str
    at: datetime
    moves_left: int = 2


class Groups:
    """Programme groups a DPIP plans and opens, and the people referred to them, seated as the workload
    gives the seats out: a waitlisting is sent once every seat is taken for sure."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.open: dict[str, list[Group]] = defaultdict(list)  # groups with a seat or a waiting place left
        self.planning: dict[str, asyncio.Future] = {}
        self.movable: list[Movable] = []
        self.dpips = workload.staff.of("dpip", 3)

    def filler(self) -> None:
        programmes = [p for p in MORNING_PROGRAMMES + AFTERNOON_PROGRAMMES if p not in self.planning]
        if not programmes:
            return
        fewest_seats = min(programmes, key=self._free)
        if not self._free(fewest_seats) or not self.movable:
            self.plan(fewest_seats)
        else:
            self.workload.start("programmes", "move", self.move_session)

    def _free(self, programme_id: str) -> int:
        return sum(GROUP_CAPACITY - g.seats_given for g in self.open[programme_id])

    async def refer(self, chain: Chain, case_id: str, plan_id: str, subject_id: str, referent: str) -> None:
        """Once the programmes service knows the person and their referent: a structured programme in the
        morning, a thematic action in the afternoon, sometimes ADERES."""
        await self.workload.visible(
            "programmes", f"/people/{subject_id}/participation", role="cpip", subject=referent
        )
        cpip = {"role": "cpip", "subject": referent}
        for programme_id in (chain.pick(MORNING_PROGRAMMES), chain.pick(AFTERNOON_PROGRAMMES)):
            referral = await self._consented(chain, programme_id, case_id, plan_id, cpip)
            await self._placed(chain, programme_id, referral["referral_id"], cpip)
        if chain.rng.random() < 0.3:
            await self._overridden(chain, case_id, plan_id, cpip)

    async def _consented(
        self, chain: Chain, programme_id: str, case_id: str, plan_id: str, cpip: dict
    ) -> dict:
        # The plan and the validated assessment are other streams than the case: they may arrive later.
        referral = await chain.send(
            "programmes",
            "POST",
            "/referrals",
            {"case_id": case_id, "programme_id": programme_id, "plan_id": plan_id, "objective_id": "obj-1"},
            kind="referral.request",
            **cpip,
            not_yet=frozenset({"case-not-found", "not-on-caseload", "objective-not-in-plan"}),
        )
        if referral["status"] == "refused":
            await chain.send(
                "programmes",
                "POST",
                f"/referrals/{referral['referral_id']}/override",
                {"reason": "Courte peine aménagée de fait : le programme lui convient"},
                kind="referral.override",
                role="dpip",
                subject=chain.pick(self.dpips),
            )
        await chain.send(
            "programmes",
            "POST",
            f"/referrals/{referral['referral_id']}/consent",
            {"given": True},
            kind="referral.consent",
            **cpip,
        )
        return referral

    async def _overridden(self, chain: Chain, case_id: str, plan_id: str, cpip: dict) -> None:
        """ADERES is for short sentences: the referral is refused at once (201, status "refused"), a DPIP
        finds the person eligible anyway; they are placed later, beyond the drill."""
        await self._consented(chain, "programme-aderes", case_id, plan_id, cpip)

    async def _placed(self, chain: Chain, programme_id: str, referral_id: str, cpip: dict) -> None:
        group, waiting = await self._seat(programme_id)
        await chain.send(
            "programmes",
            "POST",
            f"/referrals/{referral_id}/{'waitlist' if waiting else 'enrol'}",
            {"group_id": group.group_id},
            kind="referral.waitlist" if waiting else "referral.enrol",
            **cpip,
        )
        if not waiting:
            self._enrolled(group)

    async def _seat(self, programme_id: str) -> tuple[Group, bool]:
        while True:
            groups = self.open[programme_id]
            for group in groups:
                if group.seats_given < GROUP_CAPACITY:
                    group.seats_given += 1
                    return group, False
            for group in groups:
                if group.waiting < WAITING_PER_GROUP:
                    group.waiting += 1
                    if group.waiting == WAITING_PER_GROUP:
                        groups.remove(group)
                    await group.full.wait()  # the service refuses a waitlisting while a seat is left
                    return group, True
            await asyncio.shield(self.plan(programme_id))

    def _enrolled(self, group: Group) -> None:
        group.enrolled += 1
        if group.enrolled == GROUP_CAPACITY:
            group.full.set()
            self.workload.branch("programmes", f"start-{group.group_id}", self.start_group, group)

    def plan(self, programme_id: str) -> asyncio.Future:
        """The group being planned for the programme (one at a time), open when the future is done."""
        planned = self.planning.get(programme_id)
        if planned is None:
            planned = self.planning[programme_id] = asyncio.get_running_loop().create_future()
            planned.add_done_callback(lambda f: f.cancelled() or f.exception())  # failures reach the waiters
            self.workload.start("programmes", "group", self.plan_group, programme_id, planned)
        return planned

    async def plan_group(self, chain: Chain, number: int, programme_id: str, planned: asyncio.Future) -> None:
        """Each group has its own room and facilitator: groups never compete for either."""
        dpip = {"role": "dpip", "subject": chain.pick(self.dpips)}
        facilitator = f"cpip-{self.workload.run_id}-g{number}"
        start = next_monday(today())
        hour = "09:00" if programme_id in MORNING_PROGRAMMES else "14:00"
        try:
            group = await chain.send(
                "programmes",
                "POST",
                "/groups",
                {
                    "programme_id": programme_id,
                    "establishment": ESTABLISHMENT,
                    "room": f"Salle {self.workload.run_id}-{number}",
                    "facilitators": [facilitator],
                    "start_date": str(start),
                    "end_date": str(start + timedelta(weeks=12)),
                    "pattern": {
                        "weekday": chain.rng.randrange(5),
                        "starts_at": hour,
                        "duration_minutes": 120,
                        "every_weeks": 1,
                    },
                    "capacity": GROUP_CAPACITY,
                },
                kind="group.plan",
                **dpip,
            )
            await chain.send(
                "programmes", "POST", f"/groups/{group['group_id']}/open", kind="group.open", **dpip
            )
        except BaseException:
            del self.planning[programme_id]
            if not planned.done():
                planned.set_exception(ChainEnded())
            raise
        opened = Group(group["group_id"], programme_id, facilitator)
        self.movable += [
            Movable(opened, s["session"]["session_id"], datetime.fromisoformat(s["session"]["starts_at"]))
            for s in group["sessions"]
        ]
        self.open[programme_id].append(opened)
        del self.planning[programme_id]
        planned.set_result(opened)

    async def start_group(self, chain: Chain, group: Group) -> None:
        await chain.send(
            "programmes",
            "POST",
            f"/groups/{group.group_id}/start",
            {},
            kind="group.start",
            role="dpip",
            subject=chain.pick(self.dpips),
        )

    async def move_session(self, chain: Chain, _number: int) -> None:
        """The facilitator moves a session an hour later, or back; sessions drawn across all groups, so that
        moves seldom meet on one group's stream."""
        if not self.movable:
            return
        index = chain.rng.randrange(len(self.movable))
        session = self.movable[index]
        self.movable[index] = self.movable[-1]
        self.movable.pop()
        moved = session.at + timedelta(hours=-1 if session.moves_left == 1 else 1)
        if session.moves_left > 1:
            self.movable.append(Movable(session.group, session.session_id, moved, session.moves_left - 1))
        await chain.send(
            "programmes",
            "POST",
            f"/groups/{session.group.group_id}/sessions/{session.session_id}/move",
            {"starts_at": moved.isoformat()},
            kind="group.move_session",
            role="cpip",
            subject=session.group.facilitator,
        )


# --- Partners: calls, organisations, proposals, catalogue actions (partners service) ---


@dataclass(eq=False)
class Place:
    """A published partner action's session, and the places the workload gave out on it."""

    action_id: str
    session_id: str
    partner_id: str
    organiser: str
    capacity: int
    taken: int = 0


ORGANISATION_TYPES = ("association", "mission_locale", "training_body", "iae_structure", "temp_agency")


class Partners:
    """Partner organisations answering IPRO's calls, and the places on their published actions that
    advisers give to people."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.calls: list[str] = []
        self.proposals_on_last_call = 0
        self.call_planned: asyncio.Future | None = None
        self.places: deque[Place] = deque(maxlen=50)
        self.chefs = workload.staff.of("ipro_chef", 2)
        self.ripros = workload.staff.of("ripro", 2)
        self.dpips = workload.staff.of("dpip", 3)

    def filler(self) -> None:
        self.workload.start("partners", "org", self.organisation)

    def take_place(self) -> Place | None:
        for place in self.places:
            if place.taken < place.capacity:
                place.taken += 1
                return place
        return None

    async def organisation(self, chain: Chain, number: int) -> None:
        """Registered with a SIRET of this run, accredited, then answering a call with an action that IPRO
        approves and publishes in the catalogue."""
        w, day = self.workload, today()
        chef = {"role": "ipro_chef", "subject": chain.pick(self.chefs)}
        partner = await chain.send(
            "partners",
            "POST",
            "/partners",
            {
                "name": f"Association {w.run_id}-{number}",
                "siret": valid_siret(w.run_number * 10**6 + number),
                "organisation_type": chain.pick(ORGANISATION_TYPES),
            },
            kind="partner.register",
            **chef,
        )
        partner_id = partner["partner_id"]
        await chain.send(
            "partners",
            "POST",
            f"/partners/{partner_id}/accredit",
            {"establishment": ESTABLISHMENT, "accredited_until": str(day + timedelta(days=365))},
            kind="partner.accredit",
            role="dpip",
            subject=chain.pick(self.dpips),
        )
        if chain.rng.random() < 0.5:
            await chain.send(
                "partners",
                "POST",
                f"/partners/{partner_id}/contacts",
                {"full_name": "Léa Petit", "job_title": "Chargée d'insertion"},
                kind="partner.contact",
                **chef,
            )
        organiser = {
            "role": "partenaire",
            "subject": f"partner-{w.run_id}-{number}",
            "organisation_id": partner_id,
        }
        action_id = await self._approved(chain, await self._open_call(), organiser)
        session_at = local_moment(next_monday(day) + timedelta(weeks=2, days=3), 14)  # a Thursday afternoon
        # Places and facilitators are booked across every action of the establishment: each organisation
        # has its own, so that sessions at the same time never clash.
        action = await chain.send(
            "partners",
            "POST",
            f"/actions/{action_id}/sessions",
            {
                "starts_at": session_at.isoformat(),
                "duration_minutes": 120,
                "place": f"Salle {w.run_id}-P{number}",
                "facilitators": [f"Intervenant {w.run_id}-{number}"],
            },
            kind="action.schedule_session",
            **organiser,
        )
        # The approval may also have scheduled the proposal's planned session: take the one booked here.
        place = f"Salle {w.run_id}-P{number}"
        (session,) = [s for s in action["sessions"] if s["slot"]["place"] == place]
        await chain.send("partners", "POST", f"/actions/{action_id}/publish", kind="action.publish", **chef)
        self.places.append(
            Place(action_id, session["session_id"], partner_id, organiser["subject"], action["capacity_max"])
        )

    async def _approved(self, chain: Chain, call_id: str, organiser: dict) -> str:
        """A proposal drafted, submitted, reviewed (sometimes sent back once) and approved: its action's id."""
        ripro = {"role": "ripro", "subject": chain.pick(self.ripros)}
        first_session = local_moment(next_monday(today()) + timedelta(days=3), 14)
        content = _proposal(first_session, chain.pick(CALL_THEMES))
        proposal = await chain.send(
            "partners",
            "POST",
            "/proposals",
            {"call_id": call_id, "content": content},
            kind="proposal.draft",
            **organiser,
        )
        url = f"/proposals/{proposal['proposal_id']}"
        await chain.send("partners", "POST", f"{url}/submit", kind="proposal.submit", **organiser)
        await chain.send("partners", "POST", f"{url}/start-review", kind="proposal.start_review", **ripro)
        if chain.rng.random() < 0.2:
            await chain.send(
                "partners",
                "POST",
                f"{url}/request-changes",
                {"reason": "Prévoir 8 participants au plus"},
                kind="proposal.request_changes",
                **ripro,
            )
            await chain.send(
                "partners",
                "POST",
                f"{url}/comments",
                {"text": "C'est noté, nous ajustons."},
                kind="proposal.comment",
                **organiser,
            )
            await chain.send(
                "partners", "PUT", url, {**content, "capacity_max": 8}, kind="proposal.revise", **organiser
            )
            await chain.send("partners", "POST", f"{url}/resubmit", kind="proposal.resubmit", **organiser)
            await chain.send("partners", "POST", f"{url}/start-review", kind="proposal.start_review", **ripro)
        approved = await chain.send("partners", "POST", f"{url}/approve", kind="proposal.approve", **ripro)
        return approved["action_id"]

    async def _open_call(self) -> str:
        """The call partners answer now; a new one is published every few dozen proposals."""
        if self.calls and self.proposals_on_last_call < PROPOSALS_PER_CALL:
            self.proposals_on_last_call += 1
            return self.calls[-1]
        if self.call_planned is None:
            self.call_planned = asyncio.get_running_loop().create_future()
            self.call_planned.add_done_callback(lambda f: f.cancelled() or f.exception())
            self.workload.start("partners", "call", self.call, self.call_planned)
        return await asyncio.shield(self.call_planned)

    async def call(self, chain: Chain, _number: int, published: asyncio.Future) -> None:
        day, chef = today(), {"role": "ipro_chef", "subject": chain.pick(self.chefs)}
        try:
            call = await chain.send(
                "partners",
                "POST",
                "/calls",
                {
                    "title": "Espace citoyen 2027",
                    "theme": "Espace citoyen",
                    "establishment": ESTABLISHMENT,
                    "description": "Actions d'insertion en détention",
                    "opens_on": str(day - timedelta(days=1)),
                    "closes_on": str(day + timedelta(days=30)),
                    "target_themes": list(CALL_THEMES),
                    "eligibility_notes": "",
                },
                kind="call.draft",
                **chef,
            )
            await chain.send(
                "partners", "POST", f"/calls/{call['call_id']}/publish", kind="call.publish", **chef
            )
        except BaseException:
            self.call_planned = None
            if not published.done():
                published.set_exception(ChainEnded())
            raise
        self.calls.append(call["call_id"])
        self.proposals_on_last_call = 1
        self.call_planned = None
        published.set_result(call["call_id"])


def _proposal(first_session: datetime, action_type: str) -> dict:
    return {
        "title": "Atelier CV et lettre de motivation",
        "action_type": action_type,
        "objectives": "Rédiger un CV",
        "target_public": "Personnes à 6 mois de la sortie",
        "prerequisites": "",
        "capacity_min": 4,
        "capacity_max": 10,
        "planned_sessions": [
            {"starts_at": first_session.isoformat(), "duration_minutes": 120, "place": "Salle 1"}
        ],
        "facilitators": ["Camille Martin"],
        "resources_needed": "Vidéoprojecteur",
    }
