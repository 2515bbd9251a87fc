"""Application handlers of the assessment service: load what a command needs (the case's facts), check the
caller may act on this case, decide, append, then write the inline read tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta


from contracts.assessment import ContributionRequested, DeadlineKind, PlanAdopted
from kernel.auth import Principal
from kernel.decider import Outcome, current, execute, version
from kernel.eventstore import EventStore, Metadata, Session
from assessment import store
from assessment.domain import commands as c
from assessment.domain import errors
from assessment.domain.assessment import Assessment, AssessmentStatus, assessment
from assessment.domain.assessment import facts as assessment_facts
from assessment.domain.case import Case, case, facts
from assessment.domain.espace import espace
from assessment.domain.espace import stream_id as espace_stream
from assessment.domain.interview import Interview, interview
from assessment.domain.plan import Plan, plan
from assessment.settings import AssessmentSettings



def ensure_caseload(principal: Principal, state: Case) -> None:
    """A CPIP acts on the people they follow; the other SPIP roles are not limited by caseload."""
    if "cpip" in principal.roles and "dpip" not in principal.roles and state.referent != principal.subject:
        raise errors.NotOnCaseload("this person is not on your caseload")


async def load_case(reader: Session | EventStore, case_id: str, principal: Principal | None = None) -> Case:
    state, _ = await current(reader, case, case_id)
    if state.case_id is None:
        raise errors.CaseNotFound(f"no case {case_id}")
    if principal is not None:
        ensure_caseload(principal, state)
    return state


# --- case ---


async def open_case(session: Session, command: c.OpenCase, metadata: Metadata, settings: AssessmentSettings,
                    today: date) -> Outcome[Case]:
    outcome = await execute(session, case, command.case_id, command, metadata, subject=command.subject_id)
    await store.save_case(session.connection, outcome.state, version(outcome))
    await store.expect(session.connection, command.case_id, DeadlineKind.INITIAL_ASSESSMENT,
                       today + timedelta(days=settings.initial_assessment_days))
    return outcome


async def case_command(session: Session, case_id: str, command: c.Command, metadata: Metadata,
                       principal: Principal) -> Outcome[Case]:
    outcome = await execute(session, case, case_id, command, metadata, subject=await _subject(session, case_id),
                            check=lambda state: state.case_id and ensure_caseload(principal, state))
    await store.save_case(session.connection, outcome.state, version(outcome))
    return outcome


async def _subject(session: Session, case_id: str) -> str | None:
    state, _ = await current(session, case, case_id)
    return state.subject_id


async def _case_facts(session: Session, case_id: str, principal: Principal) -> tuple[Case, c.CaseFacts]:
    state = await load_case(session, case_id, principal)
    return state, facts(state, await store.validated_assessments(session.connection, case_id))


# --- assessment ---


async def start_assessment(session: Session, case_id: str, make: Callable[[c.CaseFacts], c.Command],
                           metadata: Metadata, principal: Principal) -> Outcome[Assessment]:
    state, case_facts = await _case_facts(session, case_id, principal)
    command = make(case_facts)
    outcome = await execute(session, assessment, command.assessment_id, command, metadata, subject=state.subject_id)
    await store.save_assessment(session.connection, outcome.state, version(outcome))
    return outcome


async def assessment_command(
    session: Session, assessment_id: str, make: Callable[[c.CaseFacts], c.Command], metadata: Metadata,
    principal: Principal, settings: AssessmentSettings, today: date,
) -> Outcome[Assessment]:
    """`make(case_facts)` builds the command once the assessment's case is known."""
    existing, _ = await current(session, assessment, assessment_id)
    if existing.assessment_id is None:
        raise errors.AssessmentNotFound(f"no assessment {assessment_id}")
    state, case_facts = await _case_facts(session, existing.case_id, principal)
    outcome = await execute(session, assessment, assessment_id, make(case_facts), metadata, subject=state.subject_id)
    validated = outcome.state.status == AssessmentStatus.VALIDATED
    await store.save_assessment(session.connection, outcome.state, version(outcome), today if validated else None)
    if validated:
        await store.assessment_validated(session.connection, state.case_id, today, settings.annual_assessment_days)
    for event in outcome.events:
        if event.event_type == ContributionRequested.event_type:
            await store.add_contributor(session.connection, assessment_id, event.payload["contributor"])
    return outcome


# --- plan ---


async def adopt_plan(session: Session, case_id: str, assessment_id: str, make: Callable[..., c.Command],
                     metadata: Metadata, principal: Principal, today: date) -> Outcome[Plan]:
    state, case_facts = await _case_facts(session, case_id, principal)
    command = make(case_facts, await _assessment_facts(session, assessment_id))
    outcome = await execute(session, plan, command.plan_id, command, metadata, subject=state.subject_id)
    await _plan_saved(session, outcome, today)
    return outcome


async def plan_command(session: Session, plan_id: str, make: Callable[..., c.Command], metadata: Metadata,
                       principal: Principal, today: date, assessment_id: str | None = None) -> Outcome[Plan]:
    """`make(case_facts)` (or `make(case_facts, assessment_facts)` with `assessment_id`) builds the command."""
    existing, _ = await current(session, plan, plan_id)
    if existing.plan_id is None:
        raise errors.PlanNotFound(f"no plan {plan_id}")
    state, case_facts = await _case_facts(session, existing.case_id, principal)
    command = make(case_facts, await _assessment_facts(session, assessment_id)) if assessment_id else make(case_facts)
    outcome = await execute(session, plan, plan_id, command, metadata, subject=state.subject_id)
    await _plan_saved(session, outcome, today)
    return outcome


async def _assessment_facts(session: Session, assessment_id: str) -> c.AssessmentFacts:
    state, _ = await current(session, assessment, assessment_id)
    if state.assessment_id is None:
        raise errors.AssessmentNotFound(f"no assessment {assessment_id}")
    return assessment_facts(state)


async def _plan_saved(session: Session, outcome: Outcome[Plan], today: date) -> None:
    await store.save_plan(session.connection, outcome.state, version(outcome))
    if outcome.events[0].event_type == PlanAdopted.event_type:
        await store.plan_versioned(session.connection, outcome.state.case_id, today, outcome.state.current.review_date)


# --- ESPACE ---


async def record_espace_note(session: Session, case_id: str, make: Callable[[c.CaseFacts], c.RecordEspaceNote],
                             metadata: Metadata, principal: Principal) -> Outcome:
    state, case_facts = await _case_facts(session, case_id, principal)
    return await execute(session, espace, espace_stream(case_id), make(case_facts), metadata,
                         subject=state.subject_id)


# --- interview ---


async def record_interview(session: Session, case_id: str, make: Callable[[c.CaseFacts], c.RecordInterview],
                           metadata: Metadata, principal: Principal) -> Outcome[Interview]:
    state, case_facts = await _case_facts(session, case_id, principal)
    command = make(case_facts)
    outcome = await execute(session, interview, command.interview_id, command, metadata, subject=state.subject_id)
    await store.save_interview(session.connection, outcome.state, principal.subject)
    return outcome
