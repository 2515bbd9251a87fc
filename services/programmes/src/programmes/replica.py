"""The programmes service's replica of the assessment events: who is followed, by whom, where, with which
sentence, latest validated risk level and plan objectives (eligibility and caseloads read it). Events of
different streams (case, assessment, plan) arrive in any order: each lands in a table of its own. So do a
case's offence categories, the one restricted type read here (from `assessment.restricted`, ADR 25), which may
come before or after the case: the newest by the assessment store's position wins. A case that closes ends the
person's open referrals: a reaction, appended before the replica is written (ADR 2). A person erased
(`assessment.subject.erased`) keeps their rows, their name blanked and their offence categories, which name no
one, kept: counts and eligibility statistics stay right."""

from __future__ import annotations

import asyncpg

from contracts import Actor, Event, EventEnvelope
from contracts.assessment import (
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    IdentityCorrected,
    OffencesRecorded,
    PlanAdopted,
    ReferentAssigned,
    SentenceUpdated,
    SubjectErased,
)
from kernel.eventstore import EventStore, Metadata
from kernel.sealing import ERASED_TEXT as ERASED  # what an erased value reads, everywhere
from programmes import handlers
from programmes.domain.referral import RELEASED

RELEASE_REACTION = Actor(subject="programmes-release-reaction", role="system")
# What the replica acts on; the rest of `assessment.events` and `assessment.restricted` is passed over unread.
EVENT_TYPES = frozenset(
    cls.event_type
    for cls in (
        CaseOpened,
        ReferentAssigned,
        SentenceUpdated,
        OffencesRecorded,
        CaseTransferred,
        IdentityCorrected,
        AssessmentValidated,
        PlanAdopted,
        CaseClosed,
        SubjectErased,
    )
)


def applier(store: EventStore):
    async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
        match event:
            case CaseOpened():
                await connection.execute(
                    """INSERT INTO followed_cases (case_id, subject_id, last_name, first_names, ecrou_number,
                           establishment, short_sentence)
                       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING""",
                    event.case_id,
                    event.subject_id,
                    event.identity.last_name,
                    event.identity.first_names,
                    event.identity.ecrou_number,
                    event.establishment,
                    event.sentence.short_sentence,
                )
            case ReferentAssigned():
                await connection.execute(
                    "UPDATE followed_cases SET referent = $2 WHERE case_id = $1",
                    event.case_id,
                    event.referent,
                )
            case SentenceUpdated():
                await connection.execute(
                    "UPDATE followed_cases SET short_sentence = $2 WHERE case_id = $1",
                    event.case_id,
                    event.sentence.short_sentence,
                )
            case OffencesRecorded():
                await connection.execute(
                    """INSERT INTO followed_offences (case_id, offence_categories, position) VALUES ($1, $2, $3)
                       ON CONFLICT (case_id) DO UPDATE SET offence_categories = $2, position = $3
                       WHERE followed_offences.position < $3""",
                    event.case_id,
                    [c.value for c in event.offence_categories],
                    envelope.position,
                )
            case IdentityCorrected():  # idempotent; an erased person's blanked row stays blanked
                await connection.execute(
                    """UPDATE followed_cases SET last_name = $2, first_names = $3, ecrou_number = $4
                       WHERE case_id = $1 AND last_name <> $5""",
                    event.case_id,
                    event.identity.last_name,
                    event.identity.first_names,
                    event.identity.ecrou_number,
                    ERASED,
                )
            case CaseTransferred():
                await connection.execute(
                    "UPDATE followed_cases SET establishment = $2 WHERE case_id = $1",
                    event.case_id,
                    event.establishment,
                )
            case AssessmentValidated():
                await connection.execute(
                    """INSERT INTO followed_risks (case_id, overall_risk_level, validated_on) VALUES ($1, $2, $3)
                       ON CONFLICT (case_id) DO UPDATE SET overall_risk_level = $2, validated_on = $3
                       WHERE followed_risks.validated_on <= $3""",
                    event.case_id,
                    event.overall_risk_level.value,
                    event.validated_on,
                )
            case PlanAdopted():
                await connection.execute(
                    """INSERT INTO followed_plans (plan_id, case_id, plan_version, objectives) VALUES ($1, $2, $3, $4)
                       ON CONFLICT (plan_id) DO UPDATE SET plan_version = $3, objectives = $4
                       WHERE followed_plans.plan_version < $3""",
                    event.plan_id,
                    event.case_id,
                    event.plan_version,
                    [o.objective_id for o in event.objectives],
                )
            case CaseClosed():
                metadata = Metadata(
                    actor=RELEASE_REACTION,
                    correlation_id=envelope.correlation_id,
                    causation_id=str(envelope.event_id),
                )
                await handlers.end_on_release(
                    store.session(connection), event.case_id, event.closed_on, metadata
                )
                await connection.execute(
                    "UPDATE followed_cases SET closed_on = $2 WHERE case_id = $1",
                    event.case_id,
                    event.closed_on,
                )
            case SubjectErased():  # idempotent: blanking twice blanks
                await connection.execute(
                    """UPDATE followed_cases SET last_name = $2, first_names = $2, ecrou_number = $2
                       WHERE subject_id = $1""",
                    event.subject_id,
                    ERASED,
                )
                # The reasons written about the person (an override, an end), as their sealed ones now read;
                # the release's code says nothing of them.
                await connection.execute(
                    """UPDATE referrals SET override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE $2 END,
                           end_reason = CASE WHEN end_reason IS NULL OR end_reason = $3 THEN end_reason ELSE $2 END
                       WHERE subject_id = $1""",
                    event.subject_id,
                    ERASED,
                    RELEASED,
                )

    return apply
