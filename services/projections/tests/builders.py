"""Partners events as the partners service publishes them: in envelopes numbered per stream, with builders
that take overrides instead of copy-pasted dictionaries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from contracts import Actor, Event, EventEnvelope
from contracts.ipro import PositioningProposed
from contracts.partners import (
    ActionCreated,
    ActionType,
    OrganisationType,
    PartnerAccredited,
    PartnerRegistered,
    SessionScheduled,
    SessionSlot,
)

# Far from the real today: every test says which day "today" is.
TODAY = date(2031, 3, 10)
NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
CHEF = Actor(subject="ipro-chef-1", role="ipro_chef")


class History:
    """Envelopes in the order the partners service's event store records them: versions count per stream,
    positions count globally, and each event happens a minute after the previous one."""

    def __init__(self, start: datetime = datetime(2031, 1, 5, 8, 0, tzinfo=UTC)) -> None:
        self.versions: dict[str, int] = defaultdict(int)
        self.position = 0
        self.moment = start
        self.envelopes: list[EventEnvelope] = []

    def partner(self, event: Event) -> EventEnvelope:
        return self.record("partner", event.partner_id, event)

    def action(self, event: Event) -> EventEnvelope:
        return self.record("action", event.action_id, event)

    def positioning(self, event: Event) -> EventEnvelope:
        """An event of IPRO's positioning stream (on `ipro.events`)."""
        return self.record("positioning", event.positioning_id, event)

    def record(
        self,
        stream_type: str,
        stream_id: str,
        event: Event,
        *,
        subject: str | None = None,
        actor: Actor = CHEF,
    ) -> EventEnvelope:
        self.versions[stream_id] += 1
        self.position += 1
        self.moment += timedelta(minutes=1)
        envelope = EventEnvelope(
            event_id=uuid.uuid4(),
            event_type=event.event_type,
            schema_version=event.schema_version,
            stream_type=stream_type,
            stream_id=stream_id,
            stream_version=self.versions[stream_id],
            position=self.position,
            occurred_at=self.moment,
            recorded_at=self.moment,
            actor=actor,
            subject=subject,
            correlation_id=f"corr-{self.position}",
            restricted=event.restricted,
            payload=event.model_dump(mode="json"),
            previous_hash=None if self.versions[stream_id] == 1 else "previous",
            hash=f"hash-{self.position}",
        )
        self.envelopes.append(envelope)
        return envelope


def a_partner_registered(**overrides) -> PartnerRegistered:
    values = dict(
        partner_id="partner-1",
        name="Association Ressources Emploi",
        siret="73282932000074",
        organisation_type=OrganisationType.ASSOCIATION,
    )
    return PartnerRegistered(**{**values, **overrides})


def a_partner_accredited(partner_id: str = "partner-1", until: date = TODAY + timedelta(days=200)):
    return PartnerAccredited(partner_id=partner_id, establishment="CP d'Arras", accredited_until=until)


def an_action_created(**overrides) -> ActionCreated:
    values = dict(
        action_id="action-1",
        proposal_id="proposal-1",
        call_id="call-1",
        partner_id="partner-1",
        title="Atelier CV et lettre de motivation",
        action_type=ActionType.JOB_SEARCH_WORKSHOP,
        theme="Espace emploi",
        capacity_min=4,
        capacity_max=10,
    )
    return ActionCreated(**{**values, **overrides})


def a_slot(starts_at: datetime, *, hours: int = 2, place: str = "Salle polyvalente", **overrides):
    values = dict(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place=place,
        facilitators=["Camille Formatrice"],
    )
    return SessionSlot(**{**values, **overrides})


def a_session_scheduled(action_id: str, session_id: str, starts_at: datetime, **slot) -> SessionScheduled:
    return SessionScheduled(action_id=action_id, session_id=session_id, slot=a_slot(starts_at, **slot))


def a_positioning_proposed(
    positioning_id: str, action_id: str, session_id: str, **overrides
) -> PositioningProposed:
    """IPRO positioned someone on the session (the times are the session's; the view does not read them)."""
    values = dict(
        positioning_id=positioning_id,
        pathway_id=f"pathway-{positioning_id}",
        subject_id=f"person-{positioning_id}",
        action_id=action_id,
        session_id=session_id,
        partner_id="partner-1",
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=2),
    )
    return PositioningProposed(**{**values, **overrides})
