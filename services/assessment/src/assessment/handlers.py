"""Application handlers of the assessment service, one per kind of command: load the aggregate and what the
decision needs to know of its case (each stream folded once), check the caller may act (`access`), decide
and append (`kernel.aggregates.execute`), then write the inline read tables. Each runs inside the caller's
transaction (`Session`) and returns the `Outcome` the route renders."""

from __future__ import annotations

from datetime import timedelta

from assessment import access, queries, store
from assessment.domain import commands as c
from assessment.domain import errors
from assessment.domain.assessment import Assessment, assessment
from assessment.domain.assessment import facts as assessment_facts_of
from assessment.domain.case import Case, case
from assessment.domain.case import facts as case_facts_of
from assessment.domain.erasure import subject
from assessment.domain.espace import EspaceFile, espace
from assessment.domain.espace import stream_id as espace_stream
from assessment.domain.facts import AssessmentFacts, CaseFacts, PlanFacts, SubjectFacts
from assessment.domain.interview import Interview, ensure_room, interview
from assessment.domain.plan import Plan, plan
from assessment.settings import AssessmentSettings
from contracts.assessment import AssessmentValidated, ContributionRequested, DeadlineKind
from contracts.rooms import NO_ROOMS, RoomList
from kernel.aggregates import Aggregate, Outcome, execute, load, load_existing, named
from kernel.auth import Principal
from kernel.eventstore import Metadata, Session


async def _case(session: Session, case_id: str) -> Aggregate[Case]:
    return await load_existing(session, case, case_id, errors.CaseNotFound)


async def _followed_case(session: Session, case_id: str, principal: Principal) -> Aggregate[Case]:
    """The case, once the caller may act on it."""
    found = await _case(session, case_id)
    access.ensure_on_caseload(principal, found.state)
    return found


async def _case_facts(session: Session, found: Aggregate[Case]) -> CaseFacts:
    return case_facts_of(found.state, await store.validated_assessments(session.connection, found.stream_id))


# --- case ---


async def open_case(
    session: Session, command: c.OpenCase, metadata: Metadata, settings: AssessmentSettings
) -> Outcome[Case]:
    fresh = named(case, command.case_id)
    outcome = await execute(session, case, fresh, command, metadata, subject=command.subject_id)
    await store.add_case(session.connection, outcome.state, outcome.version)
    due_on = command.today + timedelta(days=settings.initial_assessment_days)
    await store.expect(session.connection, command.case_id, DeadlineKind.INITIAL_ASSESSMENT, due_on)
    return outcome


async def case_command(
    session: Session, case_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Case]:
    found = await _followed_case(session, case_id, principal)
    outcome = await execute(session, case, found, command, metadata, subject=found.state.subject_id)
    await store.save_case(session.connection, outcome.state, outcome.version)
    return outcome


async def correct_identity(
    session: Session, case_id: str, command: c.CorrectIdentity, metadata: Metadata, principal: Principal
) -> Outcome[Case]:
    """Rectify the person's identity on the case, and in the `cases` row; the other services' copies follow
    the event."""
    found = await _followed_case(session, case_id, principal)
    person = await load(session, subject, found.state.subject_id)
    facts = SubjectFacts(erased_on=person.state.erased_on)
    outcome = await execute(
        session, case, found, command, metadata, facts=facts, subject=found.state.subject_id
    )
    await store.correct_identity(session.connection, outcome.state, outcome.version)
    return outcome


async def litigation_hold(
    session: Session,
    case_id: str,
    command: c.PlaceLitigationHold | c.LiftLitigationHold,
    metadata: Metadata,
    principal: Principal,
) -> Outcome[Case]:
    """Place or lift the hold that keeps the person's data from erasure (`assessment.erasure`)."""
    found = await _followed_case(session, case_id, principal)
    outcome = await execute(session, case, found, command, metadata, subject=found.state.subject_id)
    await store.hold(session.connection, case_id, outcome.state.hold is not None, outcome.version)
    return outcome


# --- assessment ---


async def start_assessment(
    session: Session,
    case_id: str,
    command: c.StartAssessment,
    metadata: Metadata,
    principal: Principal,
    settings: AssessmentSettings,
) -> Outcome[Assessment]:
    new = named(assessment, command.assessment_id)
    return await _assessment_command(session, new, case_id, command, metadata, principal, settings)


async def assessment_command(
    session: Session,
    assessment_id: str,
    command: c.Command,
    metadata: Metadata,
    principal: Principal,
    settings: AssessmentSettings,
) -> Outcome[Assessment]:
    found = await load_existing(session, assessment, assessment_id, errors.AssessmentNotFound)
    return await _assessment_command(
        session, found, found.state.case_id, command, metadata, principal, settings
    )


async def _assessment_command(
    session: Session,
    found: Aggregate[Assessment],
    case_id: str,
    command: c.Command,
    metadata: Metadata,
    principal: Principal,
    settings: AssessmentSettings,
) -> Outcome[Assessment]:
    of_case = await _case(session, case_id)
    access.ensure_may_work_on(principal, of_case.state, found.state)
    outcome = await execute(
        session,
        assessment,
        found,
        command,
        metadata,
        facts=await _case_facts(session, of_case),
        subject=of_case.state.subject_id,
    )
    connection = session.connection
    save = store.save_assessment if found.exists else store.add_assessment
    await save(connection, outcome.state, outcome.version)
    for event in outcome.events:
        if event.event_type == AssessmentValidated.event_type:
            await store.assessment_validated(
                connection, case_id, outcome.state.validated_on, settings.annual_assessment_days
            )
        elif event.event_type == ContributionRequested.event_type:
            await store.add_contributor(connection, outcome.stream_id, event.payload["contributor"])
    return outcome


async def _assessment_facts(session: Session, assessment_id: str) -> AssessmentFacts:
    found = await load_existing(session, assessment, assessment_id, errors.AssessmentNotFound)
    return assessment_facts_of(found.state)


# --- plan ---


async def adopt_plan(
    session: Session, case_id: str, command: c.AdoptPlan, metadata: Metadata, principal: Principal
) -> Outcome[Plan]:
    of_case = await _followed_case(session, case_id, principal)
    facts = PlanFacts(
        case=await _case_facts(session, of_case),
        assessment=await _assessment_facts(session, command.assessment_id),
    )
    outcome = await execute(
        session,
        plan,
        named(plan, command.plan_id),
        command,
        metadata,
        facts=facts,
        subject=of_case.state.subject_id,
    )
    await _plan_versioned(session, outcome, command)
    return outcome


async def revise_plan(
    session: Session, plan_id: str, command: c.RevisePlan, metadata: Metadata, principal: Principal
) -> Outcome[Plan]:
    found, of_case = await _plan(session, plan_id, principal)
    facts = PlanFacts(
        case=await _case_facts(session, of_case),
        assessment=await _assessment_facts(session, command.assessment_id),
    )
    outcome = await execute(
        session, plan, found, command, metadata, facts=facts, subject=of_case.state.subject_id
    )
    await _plan_versioned(session, outcome, command)
    return outcome


async def plan_command(
    session: Session, plan_id: str, command: c.Command, metadata: Metadata, principal: Principal
) -> Outcome[Plan]:
    """A command on the current version: agreement, validation, objectives."""
    found, of_case = await _plan(session, plan_id, principal)
    facts = PlanFacts(case=await _case_facts(session, of_case))
    outcome = await execute(
        session, plan, found, command, metadata, facts=facts, subject=of_case.state.subject_id
    )
    await store.save_plan(session.connection, outcome.state, outcome.version)
    return outcome


async def _plan(
    session: Session, plan_id: str, principal: Principal
) -> tuple[Aggregate[Plan], Aggregate[Case]]:
    found = await load_existing(session, plan, plan_id, errors.PlanNotFound)
    return found, await _followed_case(session, found.state.case_id, principal)


async def _plan_versioned(
    session: Session, outcome: Outcome[Plan], command: c.AdoptPlan | c.RevisePlan
) -> None:
    """A new version is the review of the previous one, and sets the next review."""
    save = store.add_plan if isinstance(command, c.AdoptPlan) else store.save_plan
    await save(session.connection, outcome.state, outcome.version)
    await store.plan_versioned(session.connection, outcome.state.case_id, command.today, command.review_date)


# --- ESPACE ---


async def record_espace_note(
    session: Session, case_id: str, command: c.RecordEspaceNote, metadata: Metadata, principal: Principal
) -> Outcome[EspaceFile]:
    of_case = await _followed_case(session, case_id, principal)
    return await execute(
        session,
        espace,
        espace_stream(case_id),
        command,
        metadata,
        facts=await _case_facts(session, of_case),
        subject=of_case.state.subject_id,
    )


# --- interview ---


async def record_interview(
    session: Session, case_id: str, command: c.RecordInterview, metadata: Metadata, principal: Principal
) -> Outcome[Interview]:
    """An interview held on the day of one of the case's appointments closes that appointment: it is recorded
    on its stream."""
    of_case = await _case(session, case_id)
    works_with = await queries.works_with_person(session.connection, case_id, principal.subject)
    access.ensure_may_record_interview(principal, of_case.state, works_with)
    appointment = await store.appointment_of_day(session.connection, case_id, command.held_on)
    if appointment is not None:
        command = command.model_copy(update={"interview_id": appointment})
    outcome = await execute(
        session,
        interview,
        command.interview_id if appointment is not None else named(interview, command.interview_id),
        command,
        metadata,
        facts=await _case_facts(session, of_case),
        subject=of_case.state.subject_id,
    )
    await store.save_interview(session.connection, outcome.state, metadata.actor, outcome.created_at)
    if outcome.state.scheduled:
        await store.save_appointment(session.connection, outcome.state)
    return outcome


async def schedule_interview(
    session: Session,
    case_id: str,
    command: c.ScheduleInterview,
    metadata: Metadata,
    principal: Principal,
    rooms: RoomList = NO_ROOMS,
) -> Outcome[Interview]:
    """The referent CPIP (or a DPIP) convenes the person, in a room of the case's establishment."""
    of_case = await _followed_case(session, case_id, principal)
    ensure_room(rooms, of_case.state.establishment, command.place)
    return await _appointment(session, of_case, named(interview, command.interview_id), command, metadata)


async def appointment_command(
    session: Session,
    case_id: str,
    interview_id: str,
    command: c.RescheduleInterview | c.CancelInterview,
    metadata: Metadata,
    principal: Principal,
    rooms: RoomList = NO_ROOMS,
) -> Outcome[Interview]:
    """Move (to a room of the case's establishment) or cancel an appointment of the case."""
    of_case = await _followed_case(session, case_id, principal)
    if isinstance(command, c.RescheduleInterview):
        ensure_room(rooms, of_case.state.establishment, command.place)
    found = await load(session, interview, interview_id)
    if found.state.case_id != case_id:
        raise errors.InterviewNotFound(f"no interview {interview_id} on case {case_id}")
    return await _appointment(session, of_case, found, command, metadata)


async def _appointment(
    session: Session,
    of_case: Aggregate[Case],
    target: str | Aggregate[Interview],
    command: c.Command,
    metadata: Metadata,
) -> Outcome[Interview]:
    outcome = await execute(
        session,
        interview,
        target,
        command,
        metadata,
        facts=await _case_facts(session, of_case),
        subject=of_case.state.subject_id,
    )
    await store.save_appointment(session.connection, outcome.state)
    return outcome
