"""A person's professional-insertion pathway, one per custody period: opened when the SPIP opens the case (or
by an adviser), followed by a referent adviser (CIP) from the initial interview's written synthesis (due
within a few working days) through profile, readiness, interviews, goals and exit preparation, closed with the
outcome at release."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    AdviserAssigned,
    ExitOutcome,
    ExitOutcomeRecorded,
    ExitSituation,
    FollowUpInterviewHeld,
    FranceTravailRegistered,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    LeaveDecided,
    LeaveDone,
    LeaveKind,
    LeaveRequested,
    PathwayClosed,
    PathwayOpened,
    Profile,
    ProfileRecorded,
    ReadinessChanged,
    ReadinessStatus,
    SynthesisWritten,
)
from ipro.domain import errors, names
from ipro.domain.calendar import add_months, add_working_days
from ipro.domain.commands import (
    AssignAdviser,
    ChangeGoalStatus,
    ChangeReadiness,
    ClosePathway,
    Command,
    DecideLeave,
    HoldFollowUpInterview,
    MarkLeaveDone,
    OpenPathway,
    RecordExitOutcome,
    RecordProfile,
    RegisterWithFranceTravail,
    RequestLeave,
    SetGoal,
    WriteSynthesis,
)
from ipro.domain.facts import CaseFacts, PathwayFacts
from kernel.decider import Decider
from kernel.errors import InvalidValue

F = TypeVar("F", bound=PathwayFacts)
# Why the release abandons the goals still active (as it drops out of trainings and withdraws places).
RELEASED = "released"


class Goal(BaseModel):
    model_config = ConfigDict(frozen=True)

    goal_id: str
    description: str
    status: GoalStatus = GoalStatus.ACTIVE
    steps: dict[str, GoalStatus] = {}


class Leave(BaseModel):
    model_config = ConfigDict(frozen=True)

    leave_id: str
    kind: LeaveKind
    starts_on: date
    ends_on: date
    approved: bool | None = None
    done: bool = False


class Pathway(BaseModel):
    model_config = ConfigDict(frozen=True)

    pathway_id: str | None = None
    case_id: str | None = None
    subject_id: str | None = None
    establishment: str = ""
    opened_on: date | None = None
    synthesis_due_on: date | None = None
    synthesis_written_on: date | None = None
    adviser: str | None = None
    profile: Profile | None = None
    readiness: ReadinessStatus | None = None
    readiness_history: list[tuple[ReadinessStatus, str]] = []
    interviews: int = 0
    goals: dict[str, Goal] = {}
    france_travail_registered_on: date | None = None
    leaves: dict[str, Leave] = {}
    exit_outcome: ExitOutcome | None = None
    closed_on: date | None = None


initial_state = Pathway()


def decide(command: Command, state: Pathway, facts: CaseFacts | None = None) -> list[Event]:
    """`facts`: the person's case, which opening the pathway and France Travail's window need (and which
    names the person; the release comes without it)."""
    if isinstance(command, OpenPathway):
        return [_open(command, state, _case(facts, command))]
    if state.pathway_id is None:
        raise errors.PathwayNotFound("no such pathway")
    who = facts.person if facts is not None else "the person"
    if state.closed_on is not None:
        raise errors.PathwayClosed(f"{who}'s pathway closed on {names.day(state.closed_on)}: they have left")
    pathway_id = state.pathway_id
    match command:
        case AssignAdviser():
            return [AdviserAssigned(pathway_id=pathway_id, adviser=command.adviser)]
        case WriteSynthesis():
            if state.synthesis_written_on is not None:
                raise errors.SynthesisAlreadyWritten(
                    f"{who}'s initial synthesis is written: record a follow-up interview"
                )
            _not_after(command.interview_held_on, command.today, "the interview")
            _not_before_opening(command.interview_held_on, state, "the initial interview")
            return [
                SynthesisWritten(
                    pathway_id=pathway_id,
                    interview_held_on=command.interview_held_on,
                    synthesis=command.synthesis,
                )
            ]
        case RecordProfile():
            return [ProfileRecorded(pathway_id=pathway_id, profile=command.profile)]
        case ChangeReadiness():
            return [_readiness(command, state, who)]
        case HoldFollowUpInterview():
            _not_after(command.held_on, command.today, "the interview")
            _not_before_opening(command.held_on, state, "a follow-up interview")
            return [
                FollowUpInterviewHeld(
                    pathway_id=pathway_id,
                    interview_id=command.interview_id,
                    held_on=command.held_on,
                    notes=command.notes,
                )
            ]
        case SetGoal():
            if command.goal_id in state.goals:
                raise errors.GoalAlreadySet(f"goal {command.goal_id} is already set")
            if len({step.step_id for step in command.steps}) != len(command.steps):
                raise InvalidValue("each step of a goal has its own id")
            return [
                GoalSet(
                    pathway_id=pathway_id,
                    goal_id=command.goal_id,
                    description=command.description,
                    steps=command.steps,
                )
            ]
        case ChangeGoalStatus():
            return [_goal_status(command, state)]
        case RegisterWithFranceTravail():
            return [_france_travail(command, state, _case(facts, command))]
        case RequestLeave():
            if command.leave_id in state.leaves:
                raise errors.LeaveAlreadyRequested(f"leave {command.leave_id} is already requested")
            if command.starts_on < command.today or command.ends_on < command.starts_on:
                raise errors.DatesOutOfOrder("a leave starts today or later and ends on or after its start")
            return [
                LeaveRequested(
                    pathway_id=pathway_id,
                    leave_id=command.leave_id,
                    kind=command.kind,
                    starts_on=command.starts_on,
                    ends_on=command.ends_on,
                    purpose=command.purpose,
                )
            ]
        case DecideLeave():
            leave = _leave(state, command.leave_id)
            if leave.approved is not None:
                raise errors.LeaveNotPending("the leave was already decided")
            if not command.approved and not command.reason.strip():
                raise errors.ReasonRequired("a refusal gives its reasons")
            return [
                LeaveDecided(
                    pathway_id=pathway_id,
                    leave_id=command.leave_id,
                    approved=command.approved,
                    reason=command.reason.strip(),
                )
            ]
        case MarkLeaveDone():
            leave = _leave(state, command.leave_id)
            if not leave.approved or leave.done:
                raise errors.LeaveNotApproved("only an approved leave not yet done is marked done")
            if leave.starts_on > command.today:
                raise errors.DateInTheFuture("the leave has not started yet")
            return [LeaveDone(pathway_id=pathway_id, leave_id=command.leave_id)]
        case RecordExitOutcome():
            if command.outcome.situation == ExitSituation.JOB and command.outcome.contract_type is None:
                raise errors.ContractTypeRequired("a job at release names its contract type")
            return [ExitOutcomeRecorded(pathway_id=pathway_id, outcome=command.outcome)]
        case ClosePathway():
            # The goals still pursued end with the custody: abandoned by the release, a code that outlives an
            # erasure (a reason is free text, sealed with the person's key).
            abandoned = [
                GoalStatusChanged(
                    pathway_id=pathway_id, goal_id=goal_id, status=GoalStatus.ABANDONED, released=True
                )
                for goal_id, goal in state.goals.items()
                if goal.status == GoalStatus.ACTIVE
            ]
            outcome = state.exit_outcome or ExitOutcome(situation=ExitSituation.NOT_RECORDED)
            return [
                *abandoned,
                PathwayClosed(pathway_id=pathway_id, closed_on=command.closed_on, outcome=outcome),
            ]
    raise TypeError(f"the pathway aggregate does not handle {type(command).__name__}")


def _case(facts: CaseFacts | None, command: Command) -> CaseFacts:
    if facts is None:
        raise TypeError(f"{type(command).__name__} is decided knowing the person's case")
    return facts


def _open(command: OpenPathway, state: Pathway, case: CaseFacts) -> PathwayOpened:
    """The pathway opens on the day the person was admitted, whenever IPRO learns of it (a case known from
    before the replica kept admission dates opens today): the synthesis is due counting from that day."""
    if state.pathway_id is not None:
        raise errors.PathwayAlreadyOpen(f"{case.person} already has a pathway for this custody period")
    if not case.open:
        raise errors.CaseClosed(f"{case.person}'s case is closed: they have left")
    opened_on = case.admission_date or command.today
    return PathwayOpened(
        pathway_id=command.pathway_id,
        case_id=case.case_id,
        subject_id=case.subject_id,
        establishment=case.establishment,
        opened_on=opened_on,
        synthesis_due_on=add_working_days(opened_on, command.synthesis_working_days),
    )


def _not_after(day: date, today: date, what: str) -> None:
    if day > today:
        raise errors.DateInTheFuture(f"{what} cannot be dated after today")


def _not_before_opening(day: date, state: Pathway, what: str) -> None:
    if day < state.opened_on:
        raise errors.DateBeforeOpening(
            f"{what} cannot be dated before the pathway opened on {names.day(state.opened_on)}"
        )


def _readiness(command: ChangeReadiness, state: Pathway, who: str) -> ReadinessChanged:
    if command.status == state.readiness:
        raise errors.ReadinessUnchanged(f"{who}'s readiness is already {command.status.value}")
    if command.status == ReadinessStatus.SUPPORT_DECLINED and not command.reason.strip():
        raise errors.ReasonRequired(f"say why {who} declines support")
    if command.status == ReadinessStatus.READY_TO_WORK and state.profile and not state.profile.right_to_work:
        raise errors.NoRightToWork(f"{who}'s profile records no right to work")
    return ReadinessChanged(pathway_id=state.pathway_id, status=command.status, reason=command.reason.strip())


def _goal_status(command: ChangeGoalStatus, state: Pathway) -> GoalStatusChanged:
    goal = state.goals.get(command.goal_id)
    if goal is None:
        raise errors.GoalNotFound(f"no goal {command.goal_id}")
    if goal.status != GoalStatus.ACTIVE:
        raise errors.GoalClosed(f"the goal «{goal.description}» is {goal.status.value}")
    if command.step_id is not None:
        if command.step_id not in goal.steps:
            raise errors.GoalNotFound(f"no step {command.step_id} in this goal")
        if goal.steps[command.step_id] != GoalStatus.ACTIVE:
            raise errors.GoalClosed(
                f"the step of «{goal.description}» is {goal.steps[command.step_id].value}"
            )
    if command.status == GoalStatus.ACTIVE:
        what = "a step of the goal" if command.step_id else "the goal"
        raise errors.GoalClosed(f"{what} «{goal.description}» is already active")
    return GoalStatusChanged(
        pathway_id=state.pathway_id, goal_id=command.goal_id, step_id=command.step_id, status=command.status
    )


def _france_travail(
    command: RegisterWithFranceTravail, state: Pathway, case: CaseFacts
) -> FranceTravailRegistered:
    if state.france_travail_registered_on is not None:
        raise errors.FranceTravailAlreadyRegistered(
            f"{case.person} is already registered with France Travail"
        )
    exits = [d for d in (case.expected_end_date, case.conditional_release_date) if d]
    if not exits:
        raise errors.FranceTravailTooEarly(
            "registration opens before a release date the case does not give yet"
        )
    opens_on = add_months(min(exits), -command.window_months)
    if command.today < opens_on:
        raise errors.FranceTravailTooEarly(
            f"registration opens {command.window_months} months before release or a sentence adjustment: "
            f"for {case.person}, on {names.day(opens_on)}"
        )
    return FranceTravailRegistered(pathway_id=state.pathway_id, registered_on=command.today)


def _leave(state: Pathway, leave_id: str) -> Leave:
    leave = state.leaves.get(leave_id)
    if leave is None:
        raise errors.LeaveNotFound(f"no leave {leave_id}")
    return leave


def evolve(state: Pathway, event: Event) -> Pathway:
    match event:
        case PathwayOpened():
            return Pathway(**event.model_dump())
        case AdviserAssigned():
            return state.model_copy(update={"adviser": event.adviser})
        case SynthesisWritten():
            return state.model_copy(update={"synthesis_written_on": event.interview_held_on})
        case ProfileRecorded():
            return state.model_copy(update={"profile": event.profile})
        case ReadinessChanged():
            return state.model_copy(
                update={
                    "readiness": event.status,
                    "readiness_history": [*state.readiness_history, (event.status, event.reason)],
                }
            )
        case FollowUpInterviewHeld():
            return state.model_copy(update={"interviews": state.interviews + 1})
        case GoalSet():
            goal = Goal(
                goal_id=event.goal_id,
                description=event.description,
                steps={s.step_id: GoalStatus.ACTIVE for s in event.steps},
            )
            return state.model_copy(update={"goals": {**state.goals, goal.goal_id: goal}})
        case GoalStatusChanged():
            goal = state.goals[event.goal_id]
            goal = (
                goal.model_copy(update={"steps": {**goal.steps, event.step_id: event.status}})
                if event.step_id
                else goal.model_copy(update={"status": event.status})
            )
            return state.model_copy(update={"goals": {**state.goals, goal.goal_id: goal}})
        case FranceTravailRegistered():
            return state.model_copy(update={"france_travail_registered_on": event.registered_on})
        case LeaveRequested():
            leave = Leave(
                leave_id=event.leave_id, kind=event.kind, starts_on=event.starts_on, ends_on=event.ends_on
            )
            return state.model_copy(update={"leaves": {**state.leaves, leave.leave_id: leave}})
        case LeaveDecided():
            leave = state.leaves[event.leave_id].model_copy(update={"approved": event.approved})
            return state.model_copy(update={"leaves": {**state.leaves, leave.leave_id: leave}})
        case LeaveDone():
            leave = state.leaves[event.leave_id].model_copy(update={"done": True})
            return state.model_copy(update={"leaves": {**state.leaves, leave.leave_id: leave}})
        case ExitOutcomeRecorded():
            return state.model_copy(update={"exit_outcome": event.outcome})
        case PathwayClosed():
            return state.model_copy(update={"closed_on": event.closed_on, "exit_outcome": event.outcome})
    return state


pathway = Decider(stream_type="pathway", initial_state=initial_state, decide=decide, evolve=evolve)


def arranged_on(state: Pathway, case: CaseFacts | None, facts: type[F] = PathwayFacts, **more) -> F:
    """What a work file, a training or a positioning knows of the pathway it is arranged on and of the
    person (`case`, which names them), as `facts`: a kind of `PathwayFacts`, completed with `more`."""
    return facts(
        pathway_id=state.pathway_id,
        subject_id=state.subject_id,
        closed=state.closed_on is not None,
        person=case.person if case is not None else "the person",
        **more,
    )
