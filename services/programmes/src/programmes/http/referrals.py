"""Referrals (*orientation → inscription*): a CPIP refers a person of their caseload from their plan; the
eligibility check answers at once (refused with the failed rules, which a DPIP may override); consent; enrolment
or the waiting list; drop-out, exclusion, withdrawal; the completion certificate."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Request
from pydantic import BaseModel, StringConstraints

from kernel.api import Limit, Offset, Page, RequestBody
from kernel.auth import Principal
from kernel.commands import Commands
from kernel.http import service_router
from programmes import handlers, queries, store
from programmes.domain import commands as c
from programmes.domain import errors
from programmes.domain.referral import Referral, ReferralStatus, referral
from programmes.http.common import (
    Director, Id, IdFilter, Officer, ParticipationReader, Reason, ensure_follows, ensure_sees_group,
    ensure_sees_referral,
    is_director, sees_offence_content, today,
)

router = service_router("/referrals", tags=["referrals"])

IdValue = Annotated[str, StringConstraints(max_length=80, pattern=r"^[A-Za-z0-9-]+$")]


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
    override_reason: str | None
    consent: bool | None
    consent_recorded_on: date | None
    group_id: str | None
    end_reason: str | None
    attendance_rate: float | None
    certificate_id: str | None
    version: int


def view(state: Referral, version: int, principal: Principal) -> ReferralView:
    values = state.model_dump(exclude={"failed_rules", "override_reason"})
    if sees_offence_content(principal):  # failed rules name offences and risk: SPIP only
        values |= {"failed_rules": state.failed_rules, "override_reason": state.override_reason}
    else:
        values |= {"failed_rules": None, "override_reason": None}
    return ReferralView(**values, version=version)


@router.post("", status_code=201, response_model=ReferralView,
             summary="Refer a person from their plan; eligibility is checked at once")
async def refer(body: ReferRequest, principal: Officer, commands: Commands, request: Request):
    referral_id, on = str(uuid.uuid4()), today(request)

    def make(programme: c.ProgrammeFacts, person: c.PersonFacts) -> c.RequestReferral:
        if programme.definition.sensitive and not is_director(principal):
            raise errors.ProgrammeNotFound(f"no programme {body.programme_id}")
        return c.RequestReferral(referral_id=referral_id, programme=programme, person=person, plan_id=body.plan_id,
                                 objective_id=body.objective_id)

    async def action(session, metadata):
        outcome = await handlers.refer(session, make, body.programme_id, body.case_id, body.plan_id, metadata, on,
                                       check=lambda referent: ensure_follows(principal, referent))
        return view(outcome.state, handlers.version(outcome), principal)

    return await commands.run(principal, action, location=lambda v: f"/referrals/{v['referral_id']}")


@router.get("", response_model=Page[ReferralView], summary="Referrals (a CPIP's: their caseload's)")
async def list_referrals(principal: ParticipationReader, request: Request, case_id: IdFilter = None,
                         subject_id: IdFilter = None, programme_id: IdFilter = None, group_id: IdFilter = None,
                         status: ReferralStatus | None = None, limit: Limit = 50, offset: Offset = 0):
    referent = principal.subject if "cpip" in principal.roles and not is_director(principal) else None
    store_ = request.app.state.event_store
    async with store_.pool.acquire() as connection:
        total, rows = await queries.referrals(
            connection, case_id=case_id, subject_id=subject_id, programme_id=programme_id, group_id=group_id,
            status=status and status.value, referent=referent, include_sensitive=is_director(principal),
            limit=limit, offset=offset,
        )
    items = []
    for row in rows:
        state, stream = await handlers.current(store_, referral, row["referral_id"])
        items.append(view(state, stream[-1].stream_version, principal))
    return Page(total=total, items=items)


@router.get("/{referral_id}", response_model=ReferralView, summary="A referral")
async def get_referral(referral_id: Id, principal: ParticipationReader, request: Request):
    store_ = request.app.state.event_store
    async with store_.pool.acquire() as connection:
        row = await store.referral_row(connection, referral_id)
    ensure_sees_referral(principal, row["sensitive"], row["referent"])
    state, stream = await handlers.current(store_, referral, referral_id)
    return view(state, stream[-1].stream_version, principal)


@router.get("/{referral_id}/certificate", response_model=queries.Certificate,
            summary="The completion certificate (attestation de suivi)")
async def get_certificate(referral_id: Id, principal: ParticipationReader, request: Request):
    store_ = request.app.state.event_store
    async with store_.pool.acquire() as connection:
        row = await store.referral_row(connection, referral_id)
    ensure_sees_referral(principal, row["sensitive"], row["referent"])
    certificate = await queries.certificate(store_, referral_id)
    if certificate is None:
        raise errors.CertificateNotFound("no certificate: the person has not completed the programme")
    return certificate


@router.post("/{referral_id}/override", response_model=ReferralView,
             summary="Find the person eligible despite the failed rules (DPIP)")
async def override(referral_id: Id, body: ReasonRequest, principal: Director, commands: Commands):
    return await _command(referral_id, c.OverrideEligibility(reason=body.reason), principal, commands)


@router.post("/{referral_id}/consent", response_model=ReferralView, summary="Record the person's consent (or refusal)")
async def consent(referral_id: Id, body: ConsentRequest, principal: Officer, commands: Commands, request: Request):
    return await _command(referral_id, c.RecordConsent(given=body.given, today=today(request)), principal, commands)


@router.post("/{referral_id}/enrol", response_model=ReferralView, summary="Enrol the person in a group")
async def enrol(referral_id: Id, body: PlacementRequest, principal: Officer, commands: Commands):
    return await _placement(referral_id, body.group_id, principal, commands, waiting=False)


@router.post("/{referral_id}/waitlist", response_model=ReferralView,
             summary="Put the person on a full group's waiting list")
async def waitlist(referral_id: Id, body: PlacementRequest, principal: Officer, commands: Commands):
    return await _placement(referral_id, body.group_id, principal, commands, waiting=True)


@router.post("/{referral_id}/drop-out", response_model=ReferralView, summary="The person dropped out")
async def drop_out(referral_id: Id, body: ReasonRequest, principal: Officer, commands: Commands):
    return await _command(referral_id, c.DropOut(reason=body.reason), principal, commands)


@router.post("/{referral_id}/exclude", response_model=ReferralView, summary="Exclude the person from the group")
async def exclude(referral_id: Id, body: ReasonRequest, principal: Director, commands: Commands):
    return await _command(referral_id, c.Exclude(reason=body.reason), principal, commands)


@router.post("/{referral_id}/withdraw", response_model=ReferralView, summary="Withdraw the referral")
async def withdraw(referral_id: Id, body: ReasonRequest, principal: Officer, commands: Commands):
    return await _command(referral_id, c.Withdraw(reason=body.reason), principal, commands)


async def _command(referral_id: str, command: c.Command, principal: Principal, commands: Commands):
    async def action(session, metadata):
        await _ensure_may_act(session, referral_id, principal)
        state = await handlers.referral_command(session, referral_id, command, metadata)
        return await _fresh_view(session, state, principal)

    return await commands.run(principal, action, status_code=200)


async def _placement(referral_id: str, group_id: str, principal: Principal, commands: Commands, *, waiting: bool):
    async def action(session, metadata):
        await _ensure_may_act(session, referral_id, principal)
        state = await handlers.place(session, referral_id, group_id, metadata, waiting=waiting,
                                     check_group=lambda g: ensure_sees_group(principal, g.sensitive, g.facilitators))
        return await _fresh_view(session, state, principal)

    return await commands.run(principal, action, status_code=200)


async def _ensure_may_act(session, referral_id: str, principal: Principal) -> None:
    row = await store.referral_row(session.connection, referral_id)
    ensure_sees_referral(principal, row["sensitive"], row["referent"])


async def _fresh_view(session, state: Referral, principal: Principal) -> ReferralView:
    _, stream = await handlers.current(session, referral, state.referral_id)
    return view(state, stream[-1].stream_version, principal)
