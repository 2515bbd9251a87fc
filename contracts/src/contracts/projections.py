"""Events of the projections service: it reads the others' topics, records who consulted a person's file
(restricted: the consultation history is for the SPIP director and auditors), and tells when the schedule's
cross-service conflicts appear and end (shareable, ADR 29: subject ids, rooms and item ids, never a name)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from contracts.events import Event, text


class ConflictKind(StrEnum):
    PERSON_DOUBLE_BOOKED = "person_double_booked"
    ROOM_DOUBLE_BOOKED = "room_double_booked"
    FACILITATOR_DOUBLE_BOOKED = "facilitator_double_booked"
    DURING_WORK_HOURS = "during_work_hours"


class ConflictSeverity(StrEnum):
    CONFLICT = "conflict"
    WARNING = "warning"  # a session during work hours (Code pénitentiaire D.412-32)


class AbsenceReason(StrEnum):
    """Why a person may legitimately leave their work post for a session held in their work hours, as the
    events tell it (ADR 29): the session's action is part of their IPRO pathway (IPRO positioned them on it),
    and, among those, a leave with a professional aim (PMSMP, escorted leave, temp mission: the AMI's "PS
    encadrées à visées professionnelles"). None told: an SPIP programme or interview (voluntary, convened)."""

    PROFESSIONAL_LEAVE = "professional_leave"
    IPRO_PATHWAY = "ipro_pathway"


ABSENCE_REASON_LABELS = {
    AbsenceReason.PROFESSIONAL_LEAVE: "Permission de sortir à visée professionnelle",
    AbsenceReason.IPRO_PATHWAY: "Action de son parcours d'insertion professionnelle",
}


class FileFormat(StrEnum):
    JSON = "json"
    HTML = "html"


class FileConsulted(Event):
    """Someone read a person's file: who and in what role are the envelope's actor."""

    event_type = "projections.file.consulted"
    restricted = True

    subject_id: str
    reading: str = Field(
        min_length=1, max_length=40, description="the part of the file the reader's role sees"
    )
    format: FileFormat
    as_of: AwareDatetime | None = Field(default=None, description="the instant the file was asked as of")
    purpose: str = text(max_length=200)


class ScheduleConflictDetected(Event):
    """Two items of the schedule overlap where they may not: a person in two places, a room or a facilitator
    booked twice, a session during the person's work hours. Times are event times (ADR 29): when the later of
    the two items was set, not when the view noticed. A facilitator is not named, not even by digest: the
    services that own the two sessions know who runs them."""

    event_type = "projections.schedule_conflict.detected"

    conflict_id: str = Field(
        min_length=1,
        max_length=64,
        description="stable: the same two items of the same person, room or facilitator",
    )
    kind: ConflictKind
    severity: ConflictSeverity
    subject_id: str | None = Field(default=None, description="the person, for a person's conflict or warning")
    room: str | None = Field(
        default=None, description="the room, for a room's conflict (case and spaces aside)"
    )
    establishment: str | None = Field(default=None, description="the person's, or the sessions'")
    first_item: str = Field(
        min_length=1, max_length=300, description="a schedule item id, as /schedule gives it"
    )
    second_item: str = Field(min_length=1, max_length=300)
    starts_at: AwareDatetime = Field(description="the span the two items share")
    ends_at: AwareDatetime
    detected_at: AwareDatetime = Field(description="when, in event time, the two items began to overlap")
    absence_reason: AbsenceReason | None = Field(
        default=None,
        description="a work-hours warning's legitimate-absence reason, where the session's events give one",
    )


class ScheduleConflictResolved(Event):
    """A conflict told as detected has ended: one of its items moved, was cancelled, or its person left."""

    event_type = "projections.schedule_conflict.resolved"

    conflict_id: str = Field(min_length=1, max_length=64)
    kind: ConflictKind
    subject_id: str | None = None
    establishment: str | None = None
    resolved_at: AwareDatetime = Field(description="the event time of what ended it")
    resolved_by: str = Field(min_length=1, max_length=100, description="the event type that ended it")
    never_existed: bool = Field(
        default=False,
        description="two services' events were read out of order: in event time the two items never overlapped",
    )
