"""The read path: what a caller may read, checked by `access` at one place. One pathway, work file,
training or positioning is loaded once from its stream; what the caller may not see answers exactly as a
missing id. Lists read the inline tables (`queries`), limited to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from contracts import EventEnvelope
from contracts.ipro import WorkRegime
from ipro import access, lookups, queries
from ipro.domain import errors
from ipro.domain.facts import CaseFacts
from ipro.domain.pathway import Pathway, pathway
from ipro.domain.positioning import Positioning, positioning
from ipro.domain.training import Training, training
from ipro.domain.work import WorkFile, work
from ipro.handlers import work_id_of
from kernel.aggregates import Aggregate, load, load_existing
from kernel.auth import Principal
from kernel.eventstore import EventStore, envelope_from_row
from kernel.pages import Listed


@dataclass(frozen=True)
class SeenPositioning:
    """A positioning as its reader may see it: a partner gets the person's name (`person`), nothing else."""

    positioning: Aggregate[Positioning]
    person: asyncpg.Record | None = None


async def _followed(store: EventStore, pathway_id: str) -> tuple[Aggregate[Pathway], CaseFacts]:
    """The pathway and the person's case, which access to it and to what it owns is decided on."""
    owner = await load_existing(store, pathway, pathway_id, errors.PathwayNotFound)
    async with store.pool.acquire() as connection:
        return owner, await lookups.case_facts(connection, owner.state.case_id)


async def pathway_of(store: EventStore, pathway_id: str, principal: Principal) -> Aggregate[Pathway]:
    owner, case = await _followed(store, pathway_id)
    access.ensure_may_see_pathway(principal, owner.state, case)
    return owner


async def work_of(store: EventStore, pathway_id: str, principal: Principal) -> Aggregate[WorkFile]:
    """The person's work file (an empty one until a classement is requested)."""
    await pathway_of(store, pathway_id, principal)
    return await load(store, work, work_id_of(pathway_id))


async def history_of(store: EventStore, pathway_id: str, principal: Principal) -> list[EventEnvelope]:
    """The pathway's events as stored (each in the version it was written in), their personal values opened
    as every reader of the log opens them: in clear, or erased once the person's key is destroyed."""
    await pathway_of(store, pathway_id, principal)
    access.ensure_may_read_history(principal)
    async with store.pool.acquire() as connection:
        stored = [envelope_from_row(row) for row in await queries.history(connection, pathway_id)]
    return await store.sealer.open(stored) if store.sealer else stored


async def training_of(store: EventStore, training_id: str, principal: Principal) -> Aggregate[Training]:
    enrolled = await load_existing(store, training, training_id, errors.TrainingNotFound)
    owner, case = await _followed(store, enrolled.state.pathway_id)
    access.ensure_may_see_pathway(
        principal, owner.state, case, hidden=errors.TrainingNotFound(f"no training {training_id}")
    )
    return enrolled


async def positioning_of(store: EventStore, positioning_id: str, principal: Principal) -> SeenPositioning:
    place = await load_existing(store, positioning, positioning_id, errors.PositioningNotFound)
    owner, case = await _followed(store, place.state.pathway_id)
    access.ensure_may_see_positioning(principal, place.state, owner.state, case)
    if not access.is_partner(principal):
        return SeenPositioning(place)
    async with store.pool.acquire() as connection:
        return SeenPositioning(place, await lookups.person_named(connection, case.case_id))


# --- lists ---


async def pathways(
    db: asyncpg.Pool,
    principal: Principal,
    *,
    adviser: str | None,
    establishment: str | None,
    include_closed: bool,
    limit: int,
    after: str | None,
) -> Listed:
    scope = access.list_scope(principal)
    async with db.acquire() as connection:
        return await queries.pathways(
            connection,
            adviser=scope.adviser or adviser,
            establishment=establishment,
            referent=scope.referent,
            include_closed=include_closed,
            establishments=scope.establishments,
            limit=limit,
            after=after,
        )


async def caseload(
    db: asyncpg.Pool,
    principal: Principal,
    *,
    adviser: str | None,
    today: date,
    window_months: int,
    limit: int,
    after: str | None,
) -> Listed:
    scope = access.list_scope(principal)
    async with db.acquire() as connection:
        return await queries.caseload(
            connection,
            adviser=scope.adviser or adviser,
            establishments=scope.establishments,
            today=today,
            window_months=window_months,
            limit=limit,
            after=after,
        )


async def waiting_lists(
    db: asyncpg.Pool, principal: Principal, regime: WorkRegime | None
) -> list[asyncpg.Record]:
    scope = access.list_scope(principal)
    async with db.acquire() as connection:
        return await queries.waiting_lists(
            connection, regime and regime.value, adviser=scope.adviser, establishments=scope.establishments
        )


async def posts(db: asyncpg.Pool, principal: Principal, workshop: str | None) -> list[asyncpg.Record]:
    scope = access.list_scope(principal)
    async with db.acquire() as connection:
        return await queries.posts(
            connection, workshop, adviser=scope.adviser, establishments=scope.establishments
        )


@dataclass(frozen=True)
class ListedPositionings:
    listed: Listed
    names_only: bool  # a partner sees the person's name and the positioning, nothing else


async def positionings(
    db: asyncpg.Pool,
    principal: Principal,
    *,
    action_id: str | None,
    session_id: str | None,
    limit: int,
    after: str | None,
) -> ListedPositionings:
    scope = access.list_scope(principal)
    async with db.acquire() as connection:
        listed = await queries.positionings(
            connection,
            action_id=action_id,
            session_id=session_id,
            partner_id=scope.partner,
            adviser=scope.adviser,
            establishments=scope.establishments,
            limit=limit,
            after=after,
        )
    return ListedPositionings(listed, names_only=scope.partner is not None)


async def inserre_indicator(db: asyncpg.Pool, principal: Principal) -> list[asyncpg.Record]:
    async with db.acquire() as connection:
        return await queries.inserre_indicator(connection, access.list_scope(principal).establishments)
