"""Retention and erasure (issue 17 #2): a DPIP places or lifts a litigation hold on a case, which keeps the
person's data from erasure, and erases a person at once after an acquittal or on a court order. Erasures when
the retention has run are the scheduler's (`assessment.erasure`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from assessment import erasure, handlers, queries
from assessment.domain import commands as c
from assessment.domain import errors
from assessment.domain.case import Case
from assessment.http.common import Director
from contracts.assessment import ErasureReason
from kernel.aggregates import Aggregate
from kernel.api import Db, Id, Reason, RequestBody, Settings, Store, Today
from kernel.gateway import Commands
from kernel.http import service_router
from kernel.journal import Journal

router = service_router(tags=["erasure"])


class HoldRequest(RequestBody):
    reason: Reason


class HoldView(BaseModel):
    case_id: str
    subject_id: str
    held: bool
    reason: str | None


class ErasureRequest(RequestBody):
    reason: Literal[ErasureReason.ACQUITTAL, ErasureReason.COURT_ORDER]


class ErasureView(BaseModel):
    subject_id: str
    reason: ErasureReason
    erased_on: date
    key_destroyed_at: datetime | None


@router.post(
    "/cases/{case_id}/hold",
    status_code=201,
    response_model=HoldView,
    summary="Place a litigation hold: the person's data is not erased while it is set (DPIPs)",
)
async def place_hold(case_id: Id, body: HoldRequest, principal: Director, commands: Commands):
    return await _hold(case_id, c.PlaceLitigationHold(reason=body.reason), principal, commands, 201)


@router.delete(
    "/cases/{case_id}/hold", response_model=HoldView, summary="Lift the litigation hold of a case (DPIPs)"
)
async def lift_hold(case_id: Id, principal: Director, commands: Commands):
    return await _hold(case_id, c.LiftLitigationHold(), principal, commands, 200)


@router.get("/cases/{case_id}/hold", response_model=HoldView, summary="Whether a litigation hold is set")
async def read_hold(case_id: Id, principal: Director, store: Store, journal: Journal) -> HoldView:
    found = await queries.read_case(store, case_id, principal)
    journal.consulted(subject_id=found.state.subject_id, object_id=case_id)
    return _hold_view(found)


async def _hold(case_id: str, command: c.Command, principal, commands: Commands, status_code: int):
    async def action(session, metadata):
        return _hold_view(await handlers.litigation_hold(session, case_id, command, metadata, principal))

    return await commands.run(principal, action, status_code=status_code, location="/cases/{case_id}/hold")


def _hold_view(found: Aggregate[Case]) -> HoldView:
    state = found.state
    return HoldView(
        case_id=state.case_id, subject_id=state.subject_id, held=state.hold is not None, reason=state.hold
    )


@router.post(
    "/subjects/{subject_id}/erasure",
    status_code=201,
    response_model=ErasureView,
    summary="Erase a person's data at once: acquittal or court order (DPIPs)",
)
async def erase(
    subject_id: Id,
    body: ErasureRequest,
    principal: Director,
    commands: Commands,
    settings: Settings,
    store: Store,
    db: Db,
    today: Today,
):
    missing = errors.SubjectNotFound("no case was ever opened for this person")
    await queries.ensure_reaches_subject(db, subject_id, principal, missing)
    command = c.EraseSubject(subject_id=subject_id, reason=body.reason, today=today)

    async def action(session, metadata):
        await erasure.erase(session, command, metadata, erasure.retention(settings))
        return ErasureView(subject_id=subject_id, reason=body.reason, erased_on=today, key_destroyed_at=None)

    answer = await commands.run(principal, action, location="/subjects/{subject_id}/erasure")
    await erasure.finish(store)  # committed: now the key (a crash here leaves it to the scheduler)
    return answer


@router.get("/subjects/{subject_id}/erasure", response_model=ErasureView, summary="A person's erasure")
async def read_erasure(subject_id: Id, principal: Director, db: Db, journal: Journal) -> ErasureView:
    journal.consulted(subject_id=subject_id)
    missing = errors.SubjectNotFound("this person's data was not erased")
    await queries.ensure_reaches_subject(db, subject_id, principal, missing)
    row = await db.fetchrow(
        "SELECT subject_id, reason, erased_on, key_destroyed_at FROM erasures WHERE subject_id = $1",
        subject_id,
    )
    if row is None:
        raise errors.SubjectNotFound("this person's data was not erased")
    return ErasureView.model_validate(dict(row))
