"""The replica of the assessment events: events of different streams (case, assessment, plan) travel on
different partitions and may arrive in any order; the facts eligibility reads are the same either way."""

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
        sentence=Sentence(
            short_sentence=True,
            total_length_months=8,
            expected_end_date=date(2027, 6, 1),
            offence_categories=["violence"],
        ),
    ),
    ReferentAssigned(case_id="case-1", referent="cpip-1"),
]
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


def envelope(event, stream_id: str, version: int) -> EventEnvelope:
    now = datetime.now(UTC)
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=event.event_type,
        schema_version=1,
        stream_type=stream_id.split("-")[0],
        stream_id=stream_id,
        stream_version=version,
        position=1,
        occurred_at=now,
        recorded_at=now,
        actor=Actor(subject="dpip-1", role="dpip"),
        correlation_id="c",
        payload=event.model_dump(mode="json"),
        previous_hash=None,
        hash="h",
    )


@pytest.mark.parametrize("order", ["case first", "assessment and plan first"])
async def test_eligibility_facts_do_not_depend_on_the_order_streams_arrive_in(
    api, programmes_dsn, clock, order
):
    """Applied one by one, in a chosen order (the running consumer would pick its own)."""
    case = [envelope(e, "case-1", n) for n, e in enumerate(OPENED, start=1)]
    others = [envelope(VALIDATED, "assessment-1", 5), envelope(ADOPTED, "plan-1", 1)]
    pool = await asyncpg.create_pool(programmes_dsn, min_size=1, max_size=1)  # migrated by the running app
    try:
        apply = replica.applier(EventStore(pool, clock))
        async with pool.acquire() as connection:
            for message in case + others if order == "case first" else others + case:
                async with connection.transaction():
                    await apply(
                        connection,
                        message,
                        parse_payload(message.event_type, message.schema_version, message.payload),
                    )
            facts, referent = await store.person_facts(connection, "case-1", "plan-1")
    finally:
        await pool.close()
    assert (facts.overall_risk_level, facts.short_sentence, facts.plan_objectives, referent) == (
        RiskLevel.HIGH,
        True,
        ["obj-1"],
        "cpip-1",
    )


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
