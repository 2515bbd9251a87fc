"""Application handlers of the programmes service: load each aggregate once, check the caller's access
(`access`), load the facts the decision needs, execute, then write the inline read tables. Each runs in the
caller's transaction (`Session`): placing a person touches two aggregates (the referral's status, the
group's seats), both appended in it, so either both happen or neither does. The read functions apply the
same access checks; what the caller may not see answers exactly as a missing id.

What a command means for other aggregates (a start starts each participant, a close assesses them, a freed
seat goes to the waiting list) is decided in `domain/seats.py`; the handlers only run it. The service's own
reactions (a release, the seat filler) run the same way, as the service, with no caller to check.

Locks (`Session.lock`, ADR 14), taken before the transaction's first append and always in this order:
1. the person's, `case:<case id>` (`person_lock`): a referral decided on the person's case facts waits for
   a release of that case, which ends their referrals;
2. the group's, `group:<group id>` (`group_lock`): every command that appends to a group's stream (plan
   aside) holds it from before the group is loaded until it commits. People placed into one group at once
   then take their turn, each deciding on the seats the previous one left, instead of racing for the
   stream's next version and losing (issue 13 #9). A command touches one group; a release takes the groups
   of all the person's open referrals at once (`Session.lock` sorts them).
No transaction holds a group's lock while waiting for a person's, so none waits for another in a cycle.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import asyncpg

from contracts.rooms import NO_ROOMS, RoomList
from kernel.aggregates import Aggregate, Outcome, StreamReader, execute, load, load_existing, named
from kernel.auth import Principal
from kernel.eventstore import Metadata, Session
from programmes import access, queries, store
from programmes.domain import commands as c
from programmes.domain import errors, names, seats
from programmes.domain.facts import (
    Caller,
    CompletionFacts,
    PlacementFacts,
    ReferralFacts,
    ReferralNames,
    ReferralVisibility,
)
from programmes.domain.group import Group, placement
from programmes.domain.group import group as groups
from programmes.domain.programme import Programme
from programmes.domain.programme import facts as programme_facts
from programmes.domain.programme import programme as programmes
from programmes.domain.referral import PLACED, Referral
from programmes.domain.referral import referral as referrals
from programmes.domain.rooms import ensure_room

G = TypeVar("G", bound=Aggregate[Group])


def person_lock(case_id: str) -> str:
    """Who decides on the person's case facts (a referral) waits for whoever changes them (a release): ADR 14."""
    return f"case:{case_id}"


def group_lock(group_id: str) -> str:
    """Who appends to the group's stream waits for whoever does: taken before the group is loaded."""
    return f"group:{group_id}"


# --- programmes ---


async def read_programme(reader: StreamReader, programme_id: str) -> Aggregate[Programme]:
    return await load_existing(reader, programmes, programme_id, errors.ProgrammeNotFound)


async def create_programme(
    session: Session, command: c.CreateProgramme, metadata: Metadata
) -> Outcome[Programme]:
    """The entry's id is made from its code: an entry already there means the code is taken."""
    outcome = await execute(session, programmes, command.programme_id, command, metadata)
    await store.save_programme(session.connection, outcome.state)
    return outcome


async def programme_command(
    session: Session, programme_id: str, command: c.Command, metadata: Metadata
) -> Outcome[Programme]:
    outcome = await execute(
        session, programmes, await read_programme(session, programme_id), command, metadata
    )
    await store.save_programme(session.connection, outcome.state)
    return outcome


# --- groups ---


async def read_group(reader: StreamReader, group_id: str, principal: Principal) -> Aggregate[Group]:
    found = await load(reader, groups, group_id)
    if not found.exists or not access.may_see_group(principal, found.state):
        raise errors.GroupNotFound(f"no group {group_id}")
    return found


async def read_group_run_by(reader: StreamReader, group_id: str, principal: Principal) -> Aggregate[Group]:
    """A group the caller runs (its register, its sessions): one of its facilitators, or a DPIP."""
    found = await read_group(reader, group_id, principal)
    access.ensure_may_run_group(principal, found.state)
    return found


async def plan_group(
    session: Session, command: c.PlanGroup, metadata: Metadata, rooms: RoomList = NO_ROOMS
) -> Outcome[Group]:
    ensure_room(rooms, command.establishment, command.room)
    programme = programme_facts((await read_programme(session, command.programme_id)).state)
    outcome = await execute(
        session,
        groups,
        named(groups, command.group_id),
        command,
        metadata,
        facts=programme,
        restricted=programme.definition.sensitive,
    )
    return await _save_group(session, outcome)


async def group_command(
    session: Session,
    group_id: str,
    command: c.Command,
    metadata: Metadata,
    principal: Principal,
    rooms: RoomList = NO_ROOMS,
) -> Outcome[Group]:
    """Open the group, move, cancel or add a session, record attendance."""
    await session.lock(group_lock(group_id))
    found = await read_group_run_by(session, group_id, principal)
    if isinstance(command, (c.MoveSession, c.AddCatchUpSession)):
        ensure_room(rooms, found.state.establishment, command.room)
    return await _save_group(session, await _on_group(session, found, command, metadata))


async def start_group(
    session: Session, group_id: str, command: c.StartGroup, metadata: Metadata, principal: Principal
) -> Outcome[Group]:
    await session.lock(group_lock(group_id))
    found = await read_group_run_by(session, group_id, principal)
    outcome = await _on_group(
        session, found, command, metadata, facts=Caller(may_override=access.may_override(principal))
    )
    for referral_id, start in seats.on_start(outcome.state):
        await _on_referral(
            session, await _referral(session, referral_id), start, metadata, sensitive=outcome.state.sensitive
        )
    return await _save_group(session, outcome)


async def close_group(
    session: Session, group_id: str, command: c.CloseGroup, metadata: Metadata, principal: Principal
) -> Outcome[Group]:
    await session.lock(group_lock(group_id))
    found = await read_group_run_by(session, group_id, principal)
    outcome = await _on_group(session, found, command, metadata)
    programme = programme_facts((await read_programme(session, outcome.state.programme_id)).state)
    for referral_id, follow_up, completion in seats.on_close(outcome.state, programme):
        await _on_referral(
            session,
            await _referral(session, referral_id),
            follow_up,
            metadata,
            sensitive=outcome.state.sensitive,
            facts=completion,
        )
    return await _save_group(session, outcome)


async def fill_free_seats(session: Session, group_id: str, metadata: Metadata) -> int:
    """The seat filler: give the group's free seats to the people waiting; how many were given."""
    await session.lock(group_lock(group_id))
    found = await load_existing(session, groups, group_id, errors.GroupNotFound)
    after = await _give_free_seats(session, found, metadata)
    given = len(found.state.waiting) - len(after.state.waiting)
    if given:
        await _save_group(session, after)
    return given


async def _on_group(
    session: Session,
    found: Aggregate[Group],
    command: c.Command,
    metadata: Metadata,
    *,
    facts: Caller | None = None,
) -> Outcome[Group]:
    return await execute(
        session, groups, found, command, metadata, facts=facts, restricted=found.state.sensitive
    )


async def _save_group(session: Session, group: G) -> G:
    await store.save_group(session.connection, group.state, group.version)
    return group


async def _give_free_seats(session: Session, group: Aggregate[Group], metadata: Metadata) -> Aggregate[Group]:
    """Free seats to the people waiting who are free at the group's times (`seats.seats_to_give`)."""
    state = group.state
    busy = await store.busy_at_the_times_of(session.connection, group.stream_id, state.waiting.values())
    for seat in seats.seats_to_give(state, busy):
        waiting = await _referral(session, seat.referral_id)
        await _on_referral(
            session,
            waiting,
            c.Enrol(group_id=group.stream_id),
            metadata,
            sensitive=state.sensitive,
            facts=placement(group.state),
        )
        group = await _on_group(
            session,
            group,
            c.EnrolParticipant(referral_id=seat.referral_id, subject_id=seat.subject_id),
            metadata,
        )
    return group


async def _leave_group(
    session: Session, group_id: str, command: c.RemoveParticipant, metadata: Metadata, *, give_the_seat: bool
) -> None:
    left = await _on_group(
        session, await load_existing(session, groups, group_id, errors.GroupNotFound), command, metadata
    )
    await _save_group(session, await _give_free_seats(session, left, metadata) if give_the_seat else left)


# --- referrals ---


async def read_referral(session: Session, referral_id: str, principal: Principal) -> Aggregate[Referral]:
    found, _ = await _visible_referral(session, referral_id, principal)
    return found


async def read_participation(
    connection: asyncpg.Connection, subject_id: str, principal: Principal
) -> list[asyncpg.Record]:
    """The person's referrals the caller may see, with their attendance: a CPIP reads their caseload's."""
    rows, referent = await queries.referrals_of_person(connection, principal, subject_id)
    access.ensure_follows(principal, referent)
    return rows


async def refer(
    session: Session, command: c.RequestReferral, metadata: Metadata, principal: Principal
) -> Outcome[Referral]:
    """Eligibility is decided at once, on the person's facts from the replica and the programme's rules."""
    await session.lock(
        person_lock(command.case_id)
    )  # a release in flight ends before we read the case is open
    person, referent = await store.person_facts(session.connection, command.case_id, command.plan_id)
    access.ensure_reaches_person(principal, person)
    access.ensure_follows(principal, referent)
    programme = programme_facts((await read_programme(session, command.programme_id)).state)
    access.ensure_may_refer_to(principal, programme)
    sensitive = programme.definition.sensitive
    outcome = await execute(
        session,
        referrals,
        named(referrals, command.referral_id),
        command,
        metadata,
        facts=ReferralFacts(programme=programme, person=person),
        subject=person.subject_id,
        restricted=sensitive,
    )
    referral_names = ReferralNames(person=person.person, programme=names.programme_of(programme.definition))
    await store.add_referral(session.connection, outcome, sensitive=sensitive, named=referral_names)
    return outcome


async def referral_command(
    session: Session, referral_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Referral]:
    """Consent, override, drop-out, exclusion, withdrawal: a referral that ends frees its seat (or waiting
    place), given to the waiting list at once."""
    found, visibility = await _visible_referral(session, referral_id, principal)
    return await _change_referral(
        session,
        found,
        command,
        metadata,
        sensitive=visibility.sensitive,
        give_the_seat=True,
        named=visibility.named,
    )


async def enrol(
    session: Session, referral_id: str, command: c.Enrol, metadata: Metadata, principal: Principal
) -> Outcome[Referral]:
    return await _place(session, referral_id, command, metadata, principal, seat=c.EnrolParticipant)


async def waitlist(
    session: Session, referral_id: str, command: c.Waitlist, metadata: Metadata, principal: Principal
) -> Outcome[Referral]:
    return await _place(session, referral_id, command, metadata, principal, seat=c.WaitlistParticipant)


async def end_on_release(session: Session, case_id: str, released_on: date, metadata: Metadata) -> None:
    """The case closed: every open referral of the person ends, reason "released", and frees its seat. Who
    gets the seat is decided apart, by the seat filler (`fill_free_seats`): a failure there (the first person
    waiting was just enrolled elsewhere) must never undo the release (kernel review H1)."""
    await session.lock(person_lock(case_id))  # a referral in flight ends before we list the open ones
    open_referrals = await store.open_referrals_of_case(session.connection, case_id)
    await session.lock(*(group_lock(group_id) for _, group_id in open_referrals if group_id))
    for referral_id, _ in open_referrals:
        visibility = await store.referral_visibility(session.connection, referral_id)
        await _change_referral(
            session,
            await _referral(session, referral_id),
            c.EndOnRelease(released_on=released_on),
            metadata,
            sensitive=visibility.sensitive,
            give_the_seat=False,
            named=visibility.named,
        )


async def _visible_referral(
    session: Session, referral_id: str, principal: Principal
) -> tuple[Aggregate[Referral], ReferralVisibility]:
    """The referral if the caller may see it and follows the person, and whether it is sensitive and how it is
    named."""
    visibility = await store.referral_visibility(session.connection, referral_id)
    if visibility is None or not access.may_see_referral(principal, visibility):
        raise errors.ReferralNotFound(f"no referral {referral_id}")
    access.ensure_follows(principal, visibility.referent)
    return await _referral(session, referral_id), visibility


async def _referral(session: Session, referral_id: str) -> Aggregate[Referral]:
    return await load_existing(session, referrals, referral_id, errors.ReferralNotFound)


async def _place(
    session: Session,
    referral_id: str,
    command: c.Enrol | c.Waitlist,
    metadata: Metadata,
    principal: Principal,
    *,
    seat: type[c.EnrolParticipant | c.WaitlistParticipant],
) -> Outcome[Referral]:
    """Enrol the person in the group, or put them on its waiting list: the referral, then the group's seats.
    A group the caller may not see answers as a missing one, before anything about it is told."""
    await session.lock(group_lock(command.group_id))
    found, visibility = await _visible_referral(session, referral_id, principal)
    target = await read_group(session, command.group_id, principal)
    placed = await _on_referral(
        session,
        found,
        command,
        metadata,
        sensitive=visibility.sensitive,
        facts=placement(target.state, visibility.named),
    )
    seated = await _on_group(
        session, target, seat(referral_id=referral_id, subject_id=found.state.subject_id), metadata
    )
    await _save_group(session, seated)
    return placed


async def _change_referral(
    session: Session,
    found: Aggregate[Referral],
    command: c.Command,
    metadata: Metadata,
    *,
    sensitive: bool,
    give_the_seat: bool,
    named: ReferralNames,
) -> Outcome[Referral]:
    """A command on the referral (its refusals naming it: `named`); if it ends a placed referral, the person
    leaves the group, and the seat goes to the waiting list at once unless `give_the_seat` is false (the seat
    filler will)."""
    if found.state.status in PLACED:  # it may leave the group: the group's lock, before anything is appended
        await session.lock(group_lock(found.state.group_id))
    outcome = await _on_referral(session, found, command, metadata, sensitive=sensitive, facts=named)
    if leaving := seats.on_leaving(found.state, outcome.state):
        group_id, remove = leaving
        await _leave_group(session, group_id, remove, metadata, give_the_seat=give_the_seat)
    return outcome


async def _on_referral(
    session: Session,
    found: Aggregate[Referral],
    command: c.Command,
    metadata: Metadata,
    *,
    sensitive: bool,
    facts: PlacementFacts | CompletionFacts | ReferralNames | None = None,
) -> Outcome[Referral]:
    outcome = await execute(
        session,
        referrals,
        found,
        command,
        metadata,
        facts=facts,
        subject=found.state.subject_id,
        restricted=sensitive,
    )
    if outcome.events:
        await store.save_referral(session.connection, outcome, sensitive=sensitive)
    return outcome
