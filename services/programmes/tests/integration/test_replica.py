"""The replica of the assessment events: events of different streams (case, assessment, plan) travel on
different partitions, and a case's offence categories on another topic (`assessment.restricted`): they may
arrive in any order; the facts eligibility reads are the same either way."""

import uuid
from datetime import UTC, date, datetime

import asyncpg
import pytest

from contracts import Actor, EventEnvelope, parse_payload
from contracts.assessment import (
    AssessmentKind,
    AssessmentValidated,
    CaseOpened,
    ErasureReason,
    Identity,
    IdentityCorrected,
    NeedDomain,
    Objective,
    OffenceCategory,
    OffencesRecorded,
    PlanAdopted,
    ReferentAssigned,
    RiskLevel,
    Sentence,
    SubjectErased,
)
from devinfra.testkit import query_value, wait_for
from kernel.eventstore import EventStore
from programmes import replica, store

pytestmark = pytest.mark.integration

OPENED = [
    CaseOpened(
        case_id="case-1",
        subject_id="person-1",
        establishment="InSERRE Arras",
        admission_date=date(2026, 11, 1),
        identity=Identity(
            last_name="Martin", first_names="Lucas", birth_date=date(1990, 1, 1), ecrou_number="1"
        ),
        sentence=Sentence(short_sentence=True, total_length_months=8, expected_end_date=date(2027, 6, 1)),
    ),
    ReferentAssigned(case_id="case-1", referent="cpip-1"),
]
# Recorded with the opening, right after it in the case's stream, but published on `assessment.restricted`.
OFFENCES = OffencesRecorded(case_id="case-1", offence_categories=[OffenceCategory.VIOLENCE])
VALIDATED = AssessmentValidated(
    assessment_id="assessment-1",
    case_id="case-1",
    kind=AssessmentKind.INITIAL,
    validated_on=date(2026, 11, 20),
    overall_risk_level=RiskLevel.HIGH,
    priority_axes=[NeedDomain.ATTITUDES],
    education_employment=None,
)
ADOPTED = PlanAdopted(
    plan_id="plan-1",
    case_id="case-1",
    assessment_id="assessment-1",
    plan_version=1,
    review_date=date(2027, 5, 1),
    objectives=[
        Objective(objective_id="obj-1", priority=1, work_axis=NeedDomain.ATTITUDES, description="Travail")
    ],
)


def envelope(event, stream_id: str, version: int, position: int = 1) -> EventEnvelope:
    """`position`: in the assessment service's store, which orders the events of all its streams."""
    now = datetime.now(UTC)
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=event.event_type,
        schema_version=event.schema_version,
        stream_type=stream_id.split("-")[0],
        stream_id=stream_id,
        stream_version=version,
        position=position,
        restricted=event.restricted,
        occurred_at=now,
        recorded_at=now,
        actor=Actor(subject="dpip-1", role="dpip"),
        correlation_id="c",
        payload=event.model_dump(mode="json"),
        previous_hash=None,
        hash="h",
    )


async def applied(programmes_dsn, clock, messages: list[EventEnvelope]):
    """The messages applied one by one, in the order given (the running consumer would pick its own); the
    person's facts and referent for the case's plan."""
    pool = await asyncpg.create_pool(programmes_dsn, min_size=1, max_size=1)  # migrated by the running app
    try:
        apply = replica.applier(EventStore(pool, clock))
        async with pool.acquire() as connection:
            for message in messages:
                async with connection.transaction():
                    await apply(
                        connection,
                        message,
                        parse_payload(message.event_type, message.schema_version, message.payload),
                    )
            return await store.person_facts(connection, "case-1", "plan-1")
    finally:
        await pool.close()


@pytest.mark.parametrize(
    "order", ["case first", "assessment and plan first", "offences before the case", "offences last"]
)
async def test_eligibility_facts_do_not_depend_on_the_order_streams_arrive_in(
    api, programmes_dsn, clock, order
):
    opened, assigned = (envelope(e, "case-1", n, position=n) for n, e in enumerate(OPENED, start=1))
    offences = envelope(OFFENCES, "case-1", 3, position=3)
    case = [opened, offences, assigned]
    others = [envelope(VALIDATED, "assessment-1", 5, position=8), envelope(ADOPTED, "plan-1", 1, position=9)]
    messages = {
        "case first": case + others,
        "assessment and plan first": others + case,
        "offences before the case": [offences, *others, opened, assigned],
        "offences last": [opened, assigned, *others, offences],
    }[order]
    facts, referent = await applied(programmes_dsn, clock, messages)
    assert (
        facts.overall_risk_level,
        facts.short_sentence,
        facts.offence_categories,
        facts.plan_objectives,
        referent,
    ) == (RiskLevel.HIGH, True, [OffenceCategory.VIOLENCE], ["obj-1"], "cpip-1")


async def test_the_newest_offences_are_kept_whichever_arrives_last_and_however_often(
    api, programmes_dsn, clock
):
    """An update of the offences and the opening's, delivered late or twice: the store's position decides."""
    opened, assigned = (envelope(e, "case-1", n, position=n) for n, e in enumerate(OPENED, start=1))
    first = envelope(OFFENCES, "case-1", 3, position=3)
    update = OffencesRecorded(
        case_id="case-1", offence_categories=[OffenceCategory.DRUGS, OffenceCategory.THEFT]
    )
    newer = envelope(update, "case-1", 5, position=12)
    plan = envelope(ADOPTED, "plan-1", 1, position=9)
    facts, _ = await applied(programmes_dsn, clock, [opened, assigned, plan, newer, first, newer, first])
    assert facts.offence_categories == [OffenceCategory.DRUGS, OffenceCategory.THEFT]


async def test_offences_not_replicated_yet_read_as_none(api, programmes_dsn, clock):
    """The case is known, its offences not yet (another topic): the offence rule fails, named, until then."""
    opened, assigned = (envelope(e, "case-1", n, position=n) for n, e in enumerate(OPENED, start=1))
    facts, _ = await applied(programmes_dsn, clock, [opened, assigned])
    assert facts.offence_categories == []


async def test_a_corrected_identity_reaches_the_replica_and_a_late_redelivery_leaves_an_erasure_blank(
    api, people, assessment, programmes_dsn, clock
):
    person = await people.followed("person-c")
    case_id = person["case_id"]
    corrected = Identity(
        last_name="Martins", first_names="Lucas", birth_date=date(1994, 3, 12), ecrou_number="62099"
    )
    [correction] = await assessment.publish(
        case_id,
        IdentityCorrected(case_id=case_id, identity=corrected, reason="Erreur de saisie"),
        subject="person-c",
    )

    async def known_as() -> str:
        return await query_value(
            programmes_dsn,
            "SELECT concat_ws(' ', last_name, first_names, ecrou_number) FROM followed_cases WHERE case_id = $1",
            case_id,
        )

    await wait_for(
        lambda: _is(known_as, "Martins Lucas 62099"), timeout=30, message="the correction in the replica"
    )
    await assessment.publish(
        "person-c",
        SubjectErased(subject_id="person-c", reason=ErasureReason.COURT_ORDER, erased_on=date(2026, 12, 1)),
        subject="person-c",
    )
    await wait_for(lambda: _is(known_as, "[effacé] [effacé] [effacé]"), timeout=30, message="the erasure")
    # The offences name no one: kept, so that counts and eligibility statistics stay right.
    kept = "SELECT offence_categories FROM followed_offences WHERE case_id = $1"
    assert await query_value(programmes_dsn, kept, case_id) == ["theft"]

    # The correction redelivered after the erasure (another partition): the row stays blanked.
    pool = await asyncpg.create_pool(programmes_dsn, min_size=1, max_size=1)
    try:
        apply = replica.applier(EventStore(pool, clock))
        async with pool.acquire() as connection, connection.transaction():
            await apply(connection, correction, parse_payload(correction.event_type, 1, correction.payload))
    finally:
        await pool.close()
    assert await known_as() == "[effacé] [effacé] [effacé]"


async def _is(read, expected) -> bool:
    return await read() == expected
