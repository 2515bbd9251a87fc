"""The demo establishment `make up` loads into an empty system (issue 20): some sixty fictional people of the
CP de Lille-Annœullin and a few months of their history, told by the bench's year generator (`devinfra.year`)
through the services' own deciders and appended through the kernel's event store, sealed with the people's
keys and hash-chained as the services' stores do it; the relays publish it when the services start.

The staff it acts as are the web login's demo identities (`web.roles`): "cpip-1" follows people, "dpip-1"
validates, "ipro_conseiller-1" advises, "partenaire-1" answers calls for the first partner organisation.

Loaded once: a system whose assessment store holds any event (a demo, or real work) is left as it is. The
services must not run meanwhile, as for the bench: their reactions to the demo's events are the demo's own.

The services' inline read tables, which their handlers write beside the events, are the generator's blind
spot: they are written here from the told states as the handlers write them (cases, assessments, plans,
interviews; referrals and groups; pathways, work, trainings, positionings, with IPRO's replica of the
partners' catalogue they take places in; organisations, calls, proposals, actions). The projections, fed by
the topics, hold it all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import asyncpg

from contracts import Actor, Event
from devinfra.year.cast import Site, StaffNames, catalogue
from devinfra.year.writer import CONNECTIONS, SERVICES, Writer, tell_site
from kernel import database
from kernel.clock import LOCAL_TIME_ZONE, local_date, system_clock
from kernel.eventstore import EventStore
from kernel.keyring import Keyring, KeyringSettings
from kernel.sealing import Sealer

WRITERS = SERVICES  # the stores the story writes to
PEOPLE = 60
HISTORY_DAYS = 120  # a few months: people admitted meanwhile, assessments, groups, a call or two
SEED = 20
# One of the development tokens' establishments (devinfra.tokens), so that every demo user reaches its people.
SITE_CODE, SITE_NAME = "LAN", "CP de Lille-Annœullin"


class DemoNames(StaffNames):
    """The web login's identities: "cpip-1", "assistant_social-1", "partenaire-1"."""

    def staff(self, role: str, site: Site, number: int) -> str:
        return f"{role}-{number}"

    def partner(self, number: int, partner_id: str) -> str:
        return f"partenaire-{number + 1}"


@dataclass(frozen=True)
class Loaded:
    people: int
    events: dict[str, int]  # per store
    partners: list[tuple[str, str]]  # (organisation id, name): a partner logs in with its id
    first_day: date
    last_day: date


async def holds_people(assessment_dsn: str) -> bool:
    """Whether the assessment store holds any event (a store not migrated yet holds none)."""
    connection = await database.connect(assessment_dsn)
    try:
        if await connection.fetchval("SELECT to_regclass('events') IS NULL"):
            return False
        return bool(await connection.fetchval("SELECT EXISTS (SELECT 1 FROM events)"))
    finally:
        await connection.close()


async def load(
    dsns: dict[str, str],
    keyring_settings: KeyringSettings,
    subject_key: bytes,
    *,
    migration_dsns: dict[str, str] | None = None,
    people: int = PEOPLE,
    today: date | None = None,
) -> Loaded | None:
    """The demo's history until yesterday, appended to the four writing stores (migrated first, as each service
    migrates its own); None when the assessment store holds events already. `subject_key` is the assessment
    service's subject id secret: a person re-admitted through its API is the same person."""
    owners = migration_dsns or dsns
    for service in WRITERS:
        migrations = importlib.import_module(f"{service}.bootstrap").DEFINITION.migrations
        await database.migrate(owners[service], migrations)
    if await holds_people(dsns["assessment"]):
        return None
    # Nothing told happens later than now.
    last_day = (today or local_date(system_clock())) - timedelta(days=1)
    first_day = last_day - timedelta(days=HISTORY_DAYS)
    keyring = await Keyring.open(keyring_settings)
    pools = {s: await database.create_pool(dsns[s], min_size=1, max_size=CONNECTIONS) for s in WRITERS}
    try:
        await _catalogue(pools["programmes"], keyring, first_day)
        writer = Remembering(pools, sealer=Sealer(keyring))
        site = Site(SITE_CODE, SITE_NAME, people)
        # The story keeps each facilitator in one session at a time, as the groups' table does (ADR 33).
        story = await tell_site(
            writer,
            site,
            SEED,
            first_day,
            last_day,
            subject_key,
            catalogue(),
            DemoNames(),
            facilitators_booked_once=True,
        )
        await _inline_tables(pools, story.ledger.states, writer)
    finally:
        for pool in pools.values():
            await pool.close()
        await keyring.close()
    return Loaded(
        people=len(story.people),
        events=dict(writer.appended),
        partners=[(org.partner_id, org.name) for org in story.partners],
        first_day=first_day,
        last_day=last_day,
    )


async def _catalogue(pool: asyncpg.Pool, keyring: Keyring, first_day: date) -> None:
    """The shipped programmes, created by the programmes service's own reference data (its handler writes
    the catalogue's table too) the day before the history begins, unless that service's start made them."""
    from programmes.seed import seed_catalogue

    created_at = datetime.combine(first_day - timedelta(days=1), time(7, 0), LOCAL_TIME_ZONE)
    store = EventStore(pool, lambda: created_at, keyring=keyring)
    await seed_catalogue(SimpleNamespace(catalogue_file=None), store)


@dataclass(frozen=True)
class First:
    """A stream's first decision: who made it and when (an interview's row names its author, a referral's its
    day), and whether its events are restricted (a referral to a sensitive programme)."""

    actor: Actor
    at: datetime
    restricted: bool


@dataclass(eq=False)
class Remembering(Writer):
    """The generator's writer, remembering each stream's first decision and the partners' catalogue actions'
    events, in order (what IPRO's replica of the catalogue is made of, as it reads their topic)."""

    first: dict[tuple[str, str], First] = field(default_factory=dict)
    catalogue: list[Event] = field(default_factory=list)

    def add(self, service, stream_type, stream_id, events, **decision):
        first = First(decision["actor"], decision["at"], decision["restricted"])
        self.first.setdefault((service, stream_id), first)
        if (service, stream_type) == ("partners", "action"):
            self.catalogue += events
        return super().add(service, stream_type, stream_id, events, **decision)


@dataclass(frozen=True)
class _Told:
    """A stream as its handler has it after its last decision: what `kernel.aggregates.Aggregate` gives the
    stores that write a row from it."""

    state: Any
    version: int
    created_at: datetime


def _table_writers() -> dict[str, list[tuple[type, Callable]]]:
    """Per service, each aggregate's state and how its handlers write its rows after a decision, parents
    first: the rows reference them, and a group's row counts its referrals' attendance in theirs."""
    from assessment import store as assessment_store
    from assessment.domain.assessment import Assessment
    from assessment.domain.case import Case
    from assessment.domain.interview import Interview
    from assessment.domain.plan import Plan
    from ipro import store as ipro_store
    from ipro.domain.pathway import Pathway
    from ipro.domain.positioning import ENDED, Positioning
    from ipro.domain.training import Training
    from ipro.domain.work import WorkFile
    from partners import store as partners_store
    from partners.domain.action import Action
    from partners.domain.call import Call
    from partners.domain.partner import Partner
    from partners.domain.proposal import Proposal
    from programmes import store as programmes_store
    from programmes.domain.group import Group
    from programmes.domain.referral import Referral

    async def assessment_rows(connection, stream_id, state, version, writer):
        await assessment_store.save_assessment(connection, state, version)
        for contributor in state.contributors:
            await assessment_store.add_contributor(connection, stream_id, contributor)

    async def interview_row(connection, stream_id, state, version, writer):
        first = writer.first[("assessment", stream_id)]
        await assessment_store.save_interview(connection, state, first.actor, first.at)

    async def referral_row(connection, stream_id, state, version, writer):
        first = writer.first[("programmes", stream_id)]
        told = _Told(state, version, first.at)
        await programmes_store.save_referral(connection, told, sensitive=first.restricted)

    async def positioning_row(connection, stream_id, state, version, writer):
        """The place taken on its session (refused when none is left), then given back if it was."""
        await ipro_store.save_positioning(connection, state, version, new=True)
        if state.status in ENDED:
            await ipro_store.save_positioning(connection, state, version, new=False)

    def saved(save):
        return lambda connection, stream_id, state, version, writer: save(connection, state, version)

    return {
        "assessment": [
            (Case, saved(assessment_store.save_case)),
            (Assessment, assessment_rows),
            (Plan, saved(assessment_store.save_plan)),
            (Interview, interview_row),
        ],
        "programmes": [(Referral, referral_row), (Group, saved(programmes_store.save_group))],
        "ipro": [
            (Pathway, saved(ipro_store.save_pathway)),
            (WorkFile, saved(ipro_store.save_work)),
            (Training, saved(ipro_store.save_training)),
            (Positioning, positioning_row),
        ],
        "partners": [
            (Partner, saved(partners_store.save_organisation)),
            (Call, saved(partners_store.save_call)),
            (Proposal, saved(partners_store.save_proposal)),
            (Action, saved(partners_store.save_action)),
        ],
    }


def _holds_its_place(state) -> bool:
    """A positioning whose place is still taken: written after those given back, so that a session full now
    had room for each of them when it was taken."""
    from ipro.domain.positioning import ENDED, Positioning

    return isinstance(state, Positioning) and state.status not in ENDED


async def _inline_tables(pools: dict[str, asyncpg.Pool], states: dict, writer: Remembering) -> None:
    """Each service's rows of every told stream, as its handlers leave them after the stream's last decision;
    IPRO's replica of the partners' catalogue first, as it would have read it (its places are taken there)."""
    from ipro.replica import apply_partner_catalogue

    for service, writers in _table_writers().items():
        rank = {state_class: n for n, (state_class, _) in enumerate(writers)}
        told = [
            (rank[type(state)], _holds_its_place(state), stream_id, state)
            for (of, stream_id), state in states.items()
            if of == service and type(state) in rank and (service, stream_id) in writer.heads
        ]
        async with pools[service].acquire() as connection, connection.transaction():
            if service == "ipro":
                for event in writer.catalogue:
                    await apply_partner_catalogue(connection, None, event)
            for n, _, stream_id, state in sorted(told, key=lambda item: item[:3]):
                version = writer.heads[(service, stream_id)].version
                await writers[n][1](connection, stream_id, state, version, writer)
