"""Referrals (*orientation → inscription*): a CPIP refers a person of their caseload from their plan; the
eligibility check answers at once (refused with the failed rules, which a DPIP may override); consent; enrolment
or the waiting list; drop-out, exclusion, withdrawal; the completion certificate."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from contracts import personal_data
from contracts.programmes import CompletionCertificateIssued
from kernel.aggregates import Aggregate
from kernel.api import After, Db, Id, IdFilter, Limit, Page, Reason, RequestBody, Store, Today
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal
from programmes import access, handlers, queries
from programmes.domain import commands as c
from programmes.domain import errors
from programmes.domain.referral import Referral, ReferralStatus
from programmes.http.common import Director, IdValue, Officer, ParticipationReader

router = service_router("/referrals", tags=["referrals"])


class ReferRequest(RequestBody):
    case_id: IdValue
    programme_id: IdValue
    plan_id: IdValue
    objective_id: Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ReasonRequest(RequestBody):
    reason: Reason


class ConsentRequest(RequestBody):
    given: bool


class PlacementRequest(RequestBody):
    group_id: IdValue


class ReferralView(BaseModel):
    referral_id: str
    programme_id: str
    case_id: str
    subject_id: str
    plan_id: str
    objective_id: str
    establishment: str
    status: ReferralStatus
    failed_rules: list[str] | None
    # Free texts a DPIP or a CPIP wrote about the person: personal, masked for auditors (ADR 31).
    override_reason: str | None = personal_data()
    consent: bool | None
    consent_recorded_on: date | None
    group_id: str | None
    end_reason: str | None = personal_data()
    attendance_rate: float | None
    certificate_id: str | None
    version: int


class Certificate(BaseModel):
    certificate_id: str
    referral_id: str
    subject_id: str
    programme_code: str
    programme_name: str
    group_id: str
    establishment: str
    start_date: date
    end_date: date
    sessions_attended: int
    issued_on: date


def _view(values: Mapping[str, Any], version: int, principal: Principal) -> ReferralView:
    fields = {name: values[name] for name in ReferralView.model_fields if name != "version"}
    if not access.may_read_offence_content(principal):  # failed rules name offences and risk: SPIP only
        fields |= {"failed_rules": None, "override_reason": None}
    return ReferralView(**fields, version=version)


def view(referral: Aggregate[Referral], principal: Principal) -> ReferralView:
    return _view(referral.state.model_dump(), referral.version, principal)


def row_view(row: Mapping[str, Any], principal: Principal) -> ReferralView:
    return _view(row, row["version"], principal)


@router.post(
    "",
    status_code=201,
    response_model=ReferralView,
    summary="Refer a person from their plan; eligibility is checked at once",
)
async def refer(body: ReferRequest, principal: Officer, commands: Commands):
    command = c.RequestReferral(referral_id=str(uuid.uuid4()), **body.model_dump())

    async def action(session, metadata):
        return view(await handlers.refer(session, command, metadata, principal), principal)

    return await commands.run(principal, action, location="/referrals/{referral_id}")


@router.get("", response_model=Page[ReferralView], summary="Referrals (a CPIP's: their caseload's)")
async def list_referrals(
    principal: ParticipationReader,
    db: Db,
    journal: Journal,
    case_id: IdFilter = None,
    subject_id: IdFilter = None,
    programme_id: IdFilter = None,
    group_id: IdFilter = None,
    status: ReferralStatus | None = None,
    limit: Limit = 50,
    after: After = None,
):
    async with db.acquire() as connection:
        listed = await queries.referrals(
            connection,
            principal,
            case_id=case_id,
            subject_id=subject_id,
            programme_id=programme_id,
            group_id=group_id,
            status=status and status.value,
            limit=limit,
            after=after,
        )
    rows = listed.rows
    journal.consulted(
        subject_ids=(r["subject_id"] for r in rows), object_ids=(r["referral_id"] for r in rows)
    )
    return Page.of(listed, [row_view(row, principal) for row in rows])


@router.get("/{referral_id}", response_model=ReferralView, summary="A referral")
async def get_referral(referral_id: Id, principal: ParticipationReader, store: Store, journal: Journal):
    async with store.transaction() as session:
        referral = await handlers.read_referral(session, referral_id, principal)
    journal.consulted(subject_id=referral.state.subject_id, object_id=referral.state.case_id)
    return view(referral, principal)


@router.get(
    "/{referral_id}/certificate",
    response_model=Certificate,
    summary="The completion certificate (attestation de suivi)",
)
async def get_certificate(referral_id: Id, principal: ParticipationReader, store: Store, journal: Journal):
    async with store.transaction() as session:
        referral = await handlers.read_referral(session, referral_id, principal)
    journal.consulted(subject_id=referral.state.subject_id, object_id=referral.state.case_id)
    issued = [e for e in referral.stream if e.event_type == CompletionCertificateIssued.event_type]
    if not issued:
        raise errors.CertificateNotFound("no certificate: the person has not completed the programme")
    return Certificate(**issued[-1].payload)


@router.post(
    "/{referral_id}/override",
    response_model=ReferralView,
    summary="Find the person eligible despite the failed rules (DPIP)",
)
async def override(referral_id: Id, body: ReasonRequest, principal: Director, commands: Commands):
    return await _command(referral_id, c.OverrideEligibility(reason=body.reason), principal, commands)


@router.post(
    "/{referral_id}/consent", response_model=ReferralView, summary="Record the person's consent (or refusal)"
)
async def consent(
    referral_id: Id, body: ConsentRequest, principal: Officer, commands: Commands, today: Today
):
    return await _command(referral_id, c.RecordConsent(given=body.given, today=today), principal, commands)


@router.post("/{referral_id}/enrol", response_model=ReferralView, summary="Enrol the person in a group")
async def enrol(referral_id: Id, body: PlacementRequest, principal: Officer, commands: Commands):
    command = c.Enrol(group_id=body.group_id)

    async def action(session, metadata):
        return view(await handlers.enrol(session, referral_id, command, metadata, principal), principal)

    return await commands.run(principal, action, status_code=200, resource="/referrals/{referral_id}")


@router.post(
    "/{referral_id}/waitlist",
    response_model=ReferralView,
    summary="Put the person on a full group's waiting list",
)
async def waitlist(referral_id: Id, body: PlacementRequest, principal: Officer, commands: Commands):
    command = c.Waitlist(group_id=body.group_id)

    async def action(session, metadata):
        return view(await handlers.waitlist(session, referral_id, command, metadata, principal), principal)

    return await commands.run(principal, action, status_code=200, resource="/referrals/{referral_id}")


@router.post("/{referral_id}/drop-out", response_model=ReferralView, summary="The person dropped out")
async def drop_out(referral_id: Id, body: ReasonRequest, principal: Officer, commands: Commands):
    return await _command(referral_id, c.DropOut(reason=body.reason), principal, commands)


@router.post(
    "/{referral_id}/exclude", response_model=ReferralView, summary="Exclude the person from the group"
)
async def exclude(referral_id: Id, body: ReasonRequest, principal: Director, commands: Commands):
    return await _command(referral_id, c.Exclude(reason=body.reason), principal, commands)


@router.post("/{referral_id}/withdraw", response_model=ReferralView, summary="Withdraw the referral")
async def withdraw(referral_id: Id, body: ReasonRequest, principal: Officer, commands: Commands):
    return await _command(referral_id, c.Withdraw(reason=body.reason), principal, commands)


async def _command(referral_id: str, command: c.Command, principal: Principal, commands: Commands):
    async def action(session, metadata):
        return view(
            await handlers.referral_command(session, referral_id, command, metadata, principal), principal
        )

    return await commands.run(principal, action, status_code=200, resource="/referrals/{referral_id}")
