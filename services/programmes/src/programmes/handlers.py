"""Application handlers of the programmes service: load the facts a command needs, decide, append, then
write the inline read tables. Placing a person touches two aggregates (the referral's status, the group's
seats): both are appended in the command's one transaction, so either both happen or neither does."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from kernel.decider import Outcome, current, execute, version
from kernel.eventstore import EventStore, Metadata, Session
from programmes import store
from programmes.domain import commands as c
from programmes.domain import errors
from programmes.domain.group import Group, GroupStatus, group, participation
from programmes.domain.programme import Programme, facts, programme
from programmes.domain.referral import PLACED, Referral, referral

GROUP_CLOSED_WHILE_WAITING = "the group closed before a seat was free"
Check = Callable[[Any], None] | None


# --- programmes ---


async def load_programme(reader: Session | EventStore, programme_id: str) -> Programme:
    state, _ = await current(reader, programme, programme_id)
    if state.programme_id is None:
        raise errors.ProgrammeNotFound(f"no programme {programme_id}")
    return state


async def programme_command(session: Session, programme_id: str, command: c.Command,
                            metadata: Metadata) -> Outcome[Programme]:
    outcome = await execute(session, programme, programme_id, command, metadata)
    await store.save_programme(session.connection, outcome.state)
    return outcome


# --- groups ---


async def load_group(reader: Session | EventStore, group_id: str) -> Group:
    state, _ = await current(reader, group, group_id)
    if state.group_id is None:
        raise errors.GroupNotFound("no such group")
    return state


async def plan_group(session: Session, make: Callable[[c.ProgrammeFacts], c.PlanGroup],
                     programme_id: str, metadata: Metadata) -> Outcome[Group]:
    facts_ = facts(await load_programme(session, programme_id))
    command = make(facts_)
    outcome = await execute(session, group, command.group_id, command, metadata,
                            restricted=facts_.definition.sensitive)
    await _save_group(session, command.group_id)
    return outcome


async def group_command(session: Session, group_id: str, command: c.Command, metadata: Metadata,
                        check: Check = None) -> Outcome[Group]:
    """Any group command; a start moves its participants to started, a close assesses each of them, a freed
    seat goes to the waiting list."""
    state = await load_group(session, group_id)
    outcome = await _on_group(session, state, command, metadata, check)
    if isinstance(command, c.StartGroup):
        for referral_id in outcome.state.participants:
            await _on_referral(session, referral_id, c.StartParticipation(group_id=group_id), metadata,
                               sensitive=state.sensitive)
    if isinstance(command, c.CloseGroup):
        await _assess_participants(session, outcome.state, command.today, metadata)
    await _save_group(session, group_id)
    return outcome


async def _on_group(session: Session, state: Group, command: c.Command, metadata: Metadata,
                    check: Check = None) -> Outcome[Group]:
    return await execute(session, group, state.group_id, command, metadata, restricted=state.sensitive,
                         check=check)


async def _save_group(session: Session, group_id: str) -> Group:
    """The group's read rows, from its stream as this transaction leaves it."""
    state, stream = await current(session, group, group_id)
    await store.save_group(session.connection, state, stream[-1].stream_version)
    return state


async def _assess_participants(session: Session, state: Group, today: date, metadata: Metadata) -> None:
    """Each participant's attendance against the threshold; whoever still waits for a seat is withdrawn (the
    CPIP may refer them to a later group)."""
    for referral_id in state.waiting:
        await _on_referral(session, referral_id, c.Withdraw(reason=GROUP_CLOSED_WHILE_WAITING), metadata,
                           sensitive=state.sensitive)
    definition = (await load_programme(session, state.programme_id)).definition
    for referral_id in state.participants:
        attended, counted = participation(state, referral_id)
        certificate = c.CertificateFacts(
            certificate_id=str(uuid.uuid4()), programme_code=definition.code, programme_name=definition.name,
            establishment=state.establishment, start_date=state.start_date, end_date=today,
        )
        command = c.AssessParticipation(group_id=state.group_id, sessions_attended=attended, sessions_counted=counted,
                                        threshold=definition.completion_threshold, certificate=certificate,
                                        today=today)
        await _on_referral(session, referral_id, command, metadata, sensitive=state.sensitive)


# --- referrals ---


def person_lock(case_id: str) -> str:
    """Who decides on the person's case facts (a referral) waits for whoever changes them (a release): ADR 14."""
    return f"case:{case_id}"


async def refer(session: Session, make: Callable[[c.ProgrammeFacts, c.PersonFacts], c.RequestReferral],
                programme_id: str, case_id: str, plan_id: str, metadata: Metadata, today: date,
                check: Callable[[str | None], None]) -> Outcome[Referral]:
    """`check(referent)` refuses a caller who may not refer this person (a CPIP outside their caseload)."""
    await session.lock(person_lock(case_id))  # a release in flight ends before we read that the case is open
    person, referent = await store.person_facts(session.connection, case_id, plan_id)
    check(referent)
    programme_facts = facts(await load_programme(session, programme_id))
    command = make(programme_facts, person)
    sensitive = programme_facts.definition.sensitive
    outcome = await execute(session, referral, command.referral_id, command, metadata, subject=person.subject_id,
                            restricted=sensitive)
    await store.save_referral(session.connection, outcome.state, version(outcome), sensitive=sensitive,
                              referred_on=today)
    return outcome


async def referral_command(session: Session, referral_id: str, command: c.Command, metadata: Metadata, *,
                           give_the_seat: bool = True) -> Referral:
    """A command on the referral alone; if it ends a placed referral, its seat (or waiting place) is freed,
    and given to the waiting list at once unless `give_the_seat` is false (the seat filler will)."""
    row = await store.referral_row(session.connection, referral_id)
    before, _ = await current(session, referral, referral_id)
    state = await _on_referral(session, referral_id, command, metadata, sensitive=row["sensitive"])
    if before.status in PLACED and not state.open:
        await _leave_group(session, before.group_id, referral_id, state.end_reason, metadata,
                           give_the_seat=give_the_seat)
    return state


async def place(session: Session, referral_id: str, group_id: str, metadata: Metadata, *, waiting: bool,
                check_group: Check = None) -> Referral:
    """Enrol the person in the group, or put them on its waiting list. `check_group(group)` refuses a caller
    who may not see the group (a sensitive one) before anything about it is told."""
    row = await store.referral_row(session.connection, referral_id)
    target = await load_group(session, group_id)
    if check_group is not None:
        check_group(target)
    make = c.Waitlist if waiting else c.Enrol
    state = await _on_referral(session, referral_id, make(group_id=group_id, group_programme_id=target.programme_id),
                               metadata, sensitive=row["sensitive"])
    participant = (c.WaitlistParticipant if waiting else c.EnrolParticipant)(
        referral_id=referral_id, subject_id=row["subject_id"])
    await _on_group(session, target, participant, metadata)
    if not waiting and target.status == GroupStatus.STARTED:
        state = await _on_referral(session, referral_id, c.StartParticipation(group_id=group_id), metadata,
                                   sensitive=row["sensitive"])
    await _save_group(session, group_id)
    return state


async def end_on_release(session: Session, case_id: str, released_on: date, metadata: Metadata) -> None:
    """The case closed: every open referral of the person ends, reason "released", and frees its seat. Who
    gets the seat is decided apart, by the seat filler (`fill_free_seats`): a failure there (the first person
    waiting was just enrolled elsewhere) must never undo the release (kernel review H1)."""
    await session.lock(person_lock(case_id))  # a referral in flight ends before we list the open ones
    for referral_id in await store.open_referrals_of_case(session.connection, case_id):
        await referral_command(session, referral_id, c.EndOnRelease(released_on=released_on), metadata,
                               give_the_seat=False)


async def fill_free_seats(session: Session, group_id: str, metadata: Metadata) -> int:
    """Give a group's free seats to the people waiting who are free at its times; how many were given."""
    state = await load_group(session, group_id)
    if state.status not in (GroupStatus.OPEN, GroupStatus.STARTED):
        return 0
    given = await _fill_seats(session, state, metadata)
    if given:
        await _save_group(session, group_id)
    return given


async def _leave_group(session: Session, group_id: str, referral_id: str, reason: str, metadata: Metadata, *,
                       give_the_seat: bool) -> None:
    state = await load_group(session, group_id)
    if state.status == GroupStatus.CLOSED:
        return
    outcome = await _on_group(session, state, c.RemoveParticipant(referral_id=referral_id, reason=reason), metadata)
    if give_the_seat:
        await _fill_seats(session, outcome.state, metadata)
    await _save_group(session, group_id)


async def _fill_seats(session: Session, state: Group, metadata: Metadata) -> int:
    """A freed seat goes to the first person on the waiting list who is free at the group's times; how many
    seats were given."""
    given = 0
    for referral_id, subject_id in list(state.waiting.items()):
        if not state.seats_left:
            break
        if await store.would_overlap(session.connection, subject_id, state.group_id):
            continue
        await _on_referral(session, referral_id, c.Enrol(group_id=state.group_id, group_programme_id=state.programme_id),
                           metadata, sensitive=state.sensitive)
        outcome = await _on_group(session, state, c.EnrolParticipant(referral_id=referral_id, subject_id=subject_id),
                                  metadata)
        state, given = outcome.state, given + 1
        if state.status == GroupStatus.STARTED:
            await _on_referral(session, referral_id, c.StartParticipation(group_id=state.group_id), metadata,
                               sensitive=state.sensitive)
    return given


async def _on_referral(session: Session, referral_id: str, command: c.Command, metadata: Metadata, *,
                       sensitive: bool) -> Referral:
    existing, _ = await current(session, referral, referral_id)
    if existing.referral_id is None:
        raise errors.ReferralNotFound("no such referral")
    outcome = await execute(session, referral, referral_id, command, metadata, subject=existing.subject_id,
                            restricted=sensitive)
    if outcome.events:
        await store.save_referral(session.connection, outcome.state, version(outcome), sensitive=sensitive)
    return outcome.state
