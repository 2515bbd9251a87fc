"""Application handlers of the partners service: one async function per command or query."""

from __future__ import annotations

import asyncpg

from contracts import EventEnvelope
from kernel.decider import Outcome, execute, payloads
from kernel.eventstore import EventStore, Metadata, Session
from partners.domain.commands import RegisterPartner
from partners.domain.errors import SiretAlreadyRegistered
from partners.domain.partner import Partner, partner


async def register_partner(session: Session, command: RegisterPartner, metadata: Metadata) -> Outcome[Partner]:
    outcome = await execute(session, partner, command.partner_id, command, metadata)
    try:
        await session.connection.execute(
            "INSERT INTO partner_sirets (siret, partner_id) VALUES ($1, $2)", command.siret, command.partner_id
        )
    except asyncpg.UniqueViolationError:
        # The whole command rolls back with this error: no event is left behind.
        raise SiretAlreadyRegistered(f"SIRET {command.siret} is already registered") from None
    return outcome


async def get_partner(reader: Session | EventStore, partner_id: str) -> tuple[Partner, list[EventEnvelope]]:
    stream = await reader.read_stream(partner_id)
    return partner.fold(payloads(stream)), stream
