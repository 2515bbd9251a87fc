"""The people of a group: who takes a freed seat, and what the group's start and close mean for each person
holding a seat or waiting for one. Pure: the handler loads the group, asks here, and runs the commands on
the referrals and the group in the command's one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from programmes.domain.commands import AssessParticipation, RemoveParticipant, StartParticipation, Withdraw
from programmes.domain.facts import CompletionFacts, ProgrammeFacts
from programmes.domain.group import Group, GroupStatus, participation
from programmes.domain.referral import PLACED, RELEASED, Referral

GROUP_CLOSED_WHILE_WAITING = "the group closed before a seat was free"


@dataclass(frozen=True)
class Seat:
    """A seat given to the person waiting for it: their referral and who they are."""

    referral_id: str
    subject_id: str


def seats_to_give(group: Group, busy: Collection[str]) -> list[Seat]:
    """The group's free seats go to the people on its waiting list, in its order, who are free at its
    times: `busy` names (subject ids) those who already take part in a session overlapping one of the
    group's. A group not enrolling (planned, closed) gives none."""
    if not group.enrolling:
        return []
    free = [
        Seat(referral_id, subject_id)
        for referral_id, subject_id in group.waiting.items()
        if subject_id not in busy
    ]
    return free[: group.seats_left]


def on_leaving(before: Referral, after: Referral) -> tuple[str, RemoveParticipant] | None:
    """A referral holding a seat or a place on a waiting list ended: the person leaves that group (whose
    freed seat goes to the waiting list). The group is told how the referral ended (its status, or the
    release), not why: the why is
    written about the person and stays in the referral's stream, sealed with their key (a group's stream has
    none, so no erasure would reach it there)."""
    if before.status in PLACED and not after.open:
        how = RELEASED if after.end_reason == RELEASED else after.status.value
        return before.group_id, RemoveParticipant(referral_id=before.referral_id, reason=how)
    return None


def on_start(group: Group) -> list[tuple[str, StartParticipation]]:
    """The group started: each participant's referral starts."""
    return [(referral_id, StartParticipation(group_id=group.group_id)) for referral_id in group.participants]


Closing = tuple[str, Withdraw | AssessParticipation, CompletionFacts | None]


def on_close(group: Group, programme: ProgrammeFacts) -> list[Closing]:
    """The group closed: whoever still waits for a seat is withdrawn (the CPIP may refer them to a later
    group); each participant's attendance is held against the programme's completion threshold."""
    if group.status != GroupStatus.CLOSED:
        return []
    definition = programme.definition
    withdrawn: list[Closing] = [
        (referral_id, Withdraw(reason=GROUP_CLOSED_WHILE_WAITING), None) for referral_id in group.waiting
    ]
    assessed: list[Closing] = []
    for referral_id in group.participants:
        attended, counted = participation(group, referral_id)
        facts = CompletionFacts(
            programme_code=definition.code,
            programme_name=definition.name,
            threshold=definition.completion_threshold,
            establishment=group.establishment,
            start_date=group.start_date,
            sessions_attended=attended,
            sessions_counted=counted,
        )
        assessed.append(
            (referral_id, AssessParticipation(group_id=group.group_id, today=group.closed_on), facts)
        )
    return [*withdrawn, *assessed]
