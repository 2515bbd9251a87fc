"""`GET /audit/checkpoints`: each service's signed checkpoints as projections read them from their topics, each
signature checked with the trusted keys of the configuration and, where the view holds every head, the view's
Merkle root of stream heads rebuilt at the checkpoint's cut (`checkpoints.verification`). Auditors only, and
journaled like the other `/audit/*` reads (ARCHITECTURE.md §6: "integrity reports")."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, Field

from kernel.access import Principal
from kernel.api import Db, Settings
from kernel.auth import allow
from kernel.checkpoints import public_keys
from kernel.http import service_router
from kernel.journal import Journal
from projections.checkpoints import store
from projections.checkpoints.ingest import SERVICES
from projections.checkpoints.verification import CheckpointCheck, ServiceCheck, check_service

router = service_router("/audit", tags=["audit"])

IntegrityReader = Annotated[Principal, Depends(allow("auditeur"))]


class CheckedCheckpoint(BaseModel):
    partition: int
    offset: int
    sequence: int | None = Field(description="None: the record is not a checkpoint")
    signed_at: str | None
    transaction_id: str | None
    position: int | None
    streams: int | None = Field(description="as signed")
    events: int | None = Field(description="as signed")
    key_id: str | None
    signature_valid: bool
    signature_problem: str | None = Field(description="why the signature does not hold, in French")
    heads: str = Field(description="conforme, incomplet, différent or non vérifiées")
    explanation: str = Field(description="in French")
    rebuilt_streams: int | None = Field(description="the view's heads at the checkpoint's cut")
    rebuilt_events: int | None
    broken_streams: list[str] = Field(description="streams whose chain the view shows broken before the cut")


class ServiceCheckpoints(BaseModel):
    service: str
    trusted_keys: int = Field(description="public keys of the configuration trusted for this service")
    heads_checked: bool
    why_not: str | None = Field(description="why only the signatures are checked, in French")
    checkpoints: list[CheckedCheckpoint]


class CheckpointsReport(BaseModel):
    services: list[ServiceCheckpoints]


@router.get(
    "/checkpoints",
    response_model=CheckpointsReport,
    summary="Each service's signed checkpoints checked: signatures, and the view's heads at each cut",
)
async def checkpoints(
    _principal: IntegrityReader, db: Db, settings: Settings, _journal: Journal
) -> CheckpointsReport:
    folder = getattr(settings, "checkpoint_public_keys", None)
    checked = []
    async with db.acquire() as connection:
        for service in SERVICES:
            keys = public_keys(folder, service) if folder is not None else {}
            records = await store.records_of(connection, service)
            events = await store.events_in_log_order(connection, service) if records else []
            unplaced = await store.unplaced(connection, service) if records else 0
            checked.append(check_service(service, records, keys, events, unplaced))
    return CheckpointsReport(services=[_service(s) for s in checked])


def _service(check: ServiceCheck) -> ServiceCheckpoints:
    return ServiceCheckpoints(
        service=check.service,
        trusted_keys=check.trusted_keys,
        heads_checked=check.heads_checked,
        why_not=check.why_not,
        checkpoints=[_checkpoint(c) for c in check.checkpoints],
    )


def _checkpoint(check: CheckpointCheck) -> CheckedCheckpoint:
    signed = check.checkpoint
    return CheckedCheckpoint(
        partition=check.partition,
        offset=check.offset,
        sequence=signed and signed.sequence,
        signed_at=signed and signed.signed_at,
        transaction_id=signed and signed.transaction_id,
        position=signed and signed.position,
        streams=signed and signed.streams,
        events=signed and signed.events,
        key_id=signed and signed.key_id,
        signature_valid=check.signature is None,
        signature_problem=check.signature,
        heads=check.heads,
        explanation=check.detail,
        rebuilt_streams=check.rebuilt_streams,
        rebuilt_events=check.rebuilt_events,
        broken_streams=list(check.broken_streams),
    )
