"""What the person-file view keeps of the four services' shareable topics: every event of a stream that is a
person's own or gives context to one (the person's case and referrals, the groups and programmes they are
in, the actions and partners they are positioned with), stripped of its personal-data fields, and the edges
saying whose file each stream belongs to. Identity goes to its own table, and follows its corrections. The
personal texts the file shows are kept with their events (`SHOWN`): why an identity was corrected, the plan's
objectives, an IPRO goal, a leave's purpose, a reason, an outcome's details, an attendance mark's reason; the
erasure blanks them with the identity (in a group's attendance, that person's marks alone).

Idempotent per event (its id is unique), and order-free: owners and links are edges, so an assessment read
before its case, or a positioning before its action, still lands in the right file."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import asyncpg
from pydantic import BaseModel

from contracts import Event, EventEnvelope, known_events
from contracts.assessment import (
    AssessmentSubmitted,
    CaseOpened,
    ContributionRequested,
    IdentityCorrected,
    ObjectiveStatusChanged,
    OffencesRecorded,
    PlanAdopted,
    SubjectErased,
)
from contracts.events import PERSONAL_DATA
from contracts.ipro import (
    ClassementRefused,
    CpuOpinionRecorded,
    DeclassificationReasonRecorded,
    ExitOutcomeRecorded,
    FollowUpInterviewHeld,
    GoalSet,
    GoalStatusChanged,
    LeaveDecided,
    LeaveRequested,
    PositioningCancelled,
    PositioningOutcomeRecorded,
    PositioningWithdrawn,
    ProfileRecorded,
    ReadinessChanged,
    SynthesisWritten,
    TrainingDroppedOut,
)
from contracts.programmes import (
    AttendanceRecorded,
    EligibilityOverridden,
    ReferralDroppedOut,
    ReferralExcluded,
    ReferralWithdrawn,
)
from kernel import database
from kernel.sealing import ERASED_TEXT as ERASED  # what an erased value reads, everywhere
from kernel.sealing import erased_payload, plan_of

TOPICS = (
    "assessment.events",
    "assessment.restricted",
    "programmes.events",
    "ipro.events",
    "ipro.restricted",
    "partners.events",
)
TABLES = (
    "person_file_events",
    "person_file_owners",
    "person_file_links",
    "person_identities",
    "person_file_snapshots",
    "person_file_changed_streams",
    "person_file_stale",
)

# The advisory lock the view's writers take in turns (`apply_batch`).
WRITER_LOCK = "projections.person-file writer"

# Streams no person's file needs: calls for interest and proposals are between the SPIP and partners.
_NOT_ABOUT_PEOPLE = frozenset({"partners/call", "partners/proposal"})

# A payload naming one of these belongs to that stream's owner: "<field>": "<service>/<stream type>".
_OWNED_THROUGH = {"case_id": "assessment/case", "pathway_id": "ipro/pathway"}
# A payload naming one of these gives it as context to whoever owns the stream naming it.
_CONTEXT = {
    "programme_id": "programmes/programme",
    "group_id": "programmes/group",
    "action_id": "partners/action",
    "partner_id": "partners/partner",
}


# The few restricted types the file needs (ADR 25), read from their writers' restricted topics, whose other
# types are passed over unread: who was asked to contribute (a psychologist's or social worker's access),
# and the steps and content the file shows only to the readings entitled to them (its SPIP part).
KEPT_RESTRICTED = frozenset(
    {ContributionRequested.event_type, AssessmentSubmitted.event_type, OffencesRecorded.event_type}
) | frozenset(
    cls.event_type
    for cls in (  # IPRO's need-to-know content: the file's IPRO part, shown to the readings it was before
        SynthesisWritten,
        ProfileRecorded,
        FollowUpInterviewHeld,
        LeaveDecided,
        CpuOpinionRecorded,
        ClassementRefused,
        DeclassificationReasonRecorded,
    )
)

# The personal fields the file shows (its lines' details, a goal and its steps), kept in clear with their
# event like the identity in its table, and blanked by the erasure (`_erase_shown`). The others (a synthesis,
# interview notes, the profile) the file does not show: they never enter it.
SHOWN: dict[str, tuple[type[Event], frozenset[str]]] = {
    cls.event_type: (cls, frozenset(fields))
    for cls, fields in (
        (IdentityCorrected, {"reason"}),
        (PlanAdopted, {"objectives"}),
        (ObjectiveStatusChanged, {"reason"}),
        (EligibilityOverridden, {"reason"}),
        (ReferralDroppedOut, {"reason"}),
        (ReferralExcluded, {"reason"}),
        (ReferralWithdrawn, {"reason"}),
        (AttendanceRecorded, {"marks"}),  # each mark's reason, sealed with its participant's key
        (ReadinessChanged, {"reason"}),
        (GoalSet, {"description", "steps"}),
        (GoalStatusChanged, {"reason"}),
        (LeaveRequested, {"purpose"}),
        (LeaveDecided, {"reason"}),
        (ExitOutcomeRecorded, {"outcome"}),
        (CpuOpinionRecorded, {"opinion"}),
        (ClassementRefused, {"reasons"}),
        (DeclassificationReasonRecorded, {"reason"}),
        (TrainingDroppedOut, {"reason"}),
        (PositioningOutcomeRecorded, {"details"}),
        (PositioningWithdrawn, {"reason"}),
        (PositioningCancelled, {"reason"}),
    )
}

EVENT_TYPES = KEPT_RESTRICTED | frozenset(
    cls.event_type
    for cls in known_events()
    if cls.service() in {"assessment", "programmes", "ipro", "partners"}
    and not cls.restricted
    and not cls.event_type.startswith(("partners.call.", "partners.proposal."))
)


# The streams of a person's file (`$1`): those they own, and those linked to them, at any depth.
STREAMS = """WITH RECURSIVE streams(stream) AS (
                  SELECT stream FROM person_file_owners WHERE subject_id = $1
                  UNION
                  SELECT l.stream FROM streams s
                  CROSS JOIN LATERAL (SELECT stream FROM person_file_links WHERE via = s.stream OFFSET 0) l)"""


def stream_key(envelope: EventEnvelope) -> str:
    return f"{envelope.service}/{envelope.stream_type}:{envelope.stream_id}"


def is_kept(envelope: EventEnvelope) -> bool:
    return f"{envelope.service}/{envelope.stream_type}" not in _NOT_ABOUT_PEOPLE


async def apply(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    """Keep one event: `apply_batch` of one."""
    await apply_batch(connection, [(envelope, event)])


async def apply_batch(connection: asyncpg.Connection, deliveries: list[tuple[EventEnvelope, Event]]) -> None:
    """Keep a fetch's events, in the consumer's transaction beside its checkpoint: one statement for the
    owners and links they state, one for the events and their streams marked changed, whatever their number;
    then the identity's few events, in order, once every event of the fetch is in (an erasure later in the
    fetch blanks an identity opened earlier in it, as it would one of an earlier fetch)."""
    kept = []
    owners: set[tuple[str, str]] = set()
    links: set[tuple[str, str]] = set()
    for envelope, event in deliveries:
        if is_kept(envelope):
            payload, stream = shareable_payload(event), stream_key(envelope)
            kept.append((envelope, event, stream, payload))
            # An event seen before states the same edges again: kept once (`ON CONFLICT DO NOTHING`).
            subjects, linked = edges(stream, envelope, payload)
            owners.update((subject, stream) for subject in subjects)
            links.update(linked)
    if not kept:
        return
    rows = _rows(
        (
            str(envelope.event_id),
            stream,
            envelope.service,
            envelope.position,
            _instant(envelope.occurred_at),
            envelope.event_type,
            envelope.actor.role,
            envelope.actor.subject,
            payload,
        )
        for envelope, _, stream, payload in kept
    )
    owners_rows, links_rows = _rows(sorted(owners)), _rows(sorted(links))
    # The edges need no turn: order-free, and a partition's are its streams' own, so two partitions applied at
    # once rarely name the same one (the second would wait for the first's commit).
    await connection.execute(_EDGES, owners_rows, links_rows)
    # The consumer may apply several partitions at once (`Subscription.partitions_at_once`), their records
    # read and these rows made meanwhile; their events take turns, each from here to its commit, as one at a
    # time did: `seq` follows the commits (a poller's cursor never passes a late-committed event) and the
    # identity's events (an opening, an erasure) meet in the order they were applied. The turn is one
    # statement, then its commit.
    await database.lock(connection, WRITER_LOCK)
    inserted = {row[0] for row in await connection.fetch(_KEEP, rows)}
    for envelope, event, _, _ in kept:
        if isinstance(event, SubjectErased):  # a copy seen before blanks again: harmless
            await _erase_identity(connection, event.subject_id)
        elif isinstance(event, CaseOpened) and str(envelope.event_id) in inserted:
            await _keep_identity(connection, event)
        elif isinstance(event, IdentityCorrected) and envelope.subject and str(envelope.event_id) in inserted:
            await _correct_identity(connection, envelope.subject, event)


# A fetch's events (`$1`), those not kept before inserted, their streams marked changed: the kept files these
# streams are in are stale, and the refresher folds them again (`refresher`). The ids of the events inserted
# come back.
_KEEP = """
    WITH inserted AS (
        INSERT INTO person_file_events (event_id, stream, service, position, occurred_at, event_type, actor_role,
                                        actor_id, payload)
        SELECT (e->>0)::uuid, e->>1, e->>2, (e->>3)::bigint, (e->>4)::timestamptz, e->>5, e->>6, e->>7, e->8
        FROM jsonb_array_elements($1::text::jsonb) AS e
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id, stream, seq),
    changed AS (
        INSERT INTO person_file_changed_streams (stream, seq)
        SELECT stream, max(seq) FROM inserted GROUP BY stream ORDER BY stream
        ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq)
    SELECT event_id::text FROM inserted"""

# The owners (`$1`) and the links (`$2`) a fetch's events state, sorted (two writers wait, never deadlock).
_EDGES = """
    WITH links AS (
        INSERT INTO person_file_links (via, stream)
        SELECT e->>0, e->>1 FROM jsonb_array_elements($2::text::jsonb) AS e
        ON CONFLICT DO NOTHING)
    INSERT INTO person_file_owners (subject_id, stream)
    SELECT e->>0, e->>1 FROM jsonb_array_elements($1::text::jsonb) AS e
    ON CONFLICT DO NOTHING"""


def _rows(rows: Iterable[tuple]) -> str:
    """A fetch's rows as one JSON array of arrays, which the statement takes apart with
    `jsonb_array_elements`: one document to encode and send, where a column per array cost asyncpg checks
    on every value, and each payload its own encoding. Sent as text (`$1::text::jsonb`): the pool's
    jsonb codec would encode it again."""
    return database.json_text(list(rows))


def _instant(at: datetime) -> str:
    """An instant as `timestamptz` reads it back exactly (a naive one taken as local time, as asyncpg does)."""
    return at.astimezone(UTC).isoformat()


def _columns(rows: Iterable[tuple]) -> list[list]:
    """Rows as the columns `unnest` takes (there is at least one row)."""
    return [list(column) for column in zip(*rows, strict=True)]


def edges(
    stream: str, envelope: EventEnvelope, payload: dict[str, Any]
) -> tuple[set[str], list[tuple[str, str]]]:
    """Whose own this stream is (subject ids), and the (via, stream) links this event states."""
    owners = {s for s in (envelope.subject, payload.get("subject_id")) if s}
    if stream.startswith(("programmes/programme:", "partners/partner:")):
        owners.clear()  # context only: reference data is nobody's own (a subject there would be a bug)
    links: list[tuple[str, str]] = []
    for field, prefix in _OWNED_THROUGH_PREFIXES:
        if (value := payload.get(field)) and not stream.startswith(prefix):
            links.append((prefix + str(value), stream))
    for field, prefix in _CONTEXT_PREFIXES:
        if (value := payload.get(field)) and not stream.startswith(prefix):
            links.append((stream, prefix + str(value)))
    return owners, links


# The stream keys' prefixes of the fields above, made once: `edges` runs for every event stored.
_OWNED_THROUGH_PREFIXES = tuple((field, f"{kind}:") for field, kind in _OWNED_THROUGH.items())
_CONTEXT_PREFIXES = tuple((field, f"{kind}:") for field, kind in _CONTEXT.items())


async def _keep_identity(connection: asyncpg.Connection, event: CaseOpened) -> None:
    identity = event.identity
    if await _erased(connection, event.subject_id):  # the erasure read first, from another partition
        identity = identity.model_copy(update=ERASED_IDENTITY)
    await connection.execute(
        """INSERT INTO person_identities (subject_id, last_name, first_names, birth_date, ecrou_number,
                                          search_text)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (subject_id) DO UPDATE SET last_name = excluded.last_name,
               first_names = excluded.first_names, birth_date = excluded.birth_date,
               ecrou_number = excluded.ecrou_number, search_text = excluded.search_text""",
        event.subject_id,
        identity.last_name,
        identity.first_names,
        identity.birth_date,
        identity.ecrou_number,
        searchable(f"{identity.last_name} {identity.first_names} {identity.ecrou_number}"),
    )


async def _correct_identity(
    connection: asyncpg.Connection, subject_id: str, event: IdentityCorrected
) -> None:
    """The corrected identity, unless the person was erased meanwhile (their row stays blanked)."""
    identity = event.identity
    await connection.execute(
        """UPDATE person_identities SET last_name = $2, first_names = $3, birth_date = $4, ecrou_number = $5,
               search_text = $6
           WHERE subject_id = $1 AND last_name <> $7""",
        subject_id,
        identity.last_name,
        identity.first_names,
        identity.birth_date,
        identity.ecrou_number,
        searchable(f"{identity.last_name} {identity.first_names} {identity.ecrou_number}"),
        ERASED,
    )


# What a person erased (`assessment.subject.erased`) is known by: their row stays, so the file still counts.
ERASED_IDENTITY = {"last_name": ERASED, "first_names": ERASED, "ecrou_number": ERASED, "birth_date": date.min}


async def _erased(connection: asyncpg.Connection, subject_id: str) -> bool:
    return await connection.fetchval(
        "SELECT EXISTS (SELECT 1 FROM person_file_events WHERE stream = $1 AND event_type = $2)",
        f"assessment/subject:{subject_id}",
        SubjectErased.event_type,
    )


async def _erase_identity(connection: asyncpg.Connection, subject_id: str) -> None:
    """The identity blanked, its row kept (idempotent); the kept file folded before goes with it."""
    await connection.execute(
        """UPDATE person_identities SET last_name = $2, first_names = $2, ecrou_number = $2, birth_date = $3,
               search_text = ''
           WHERE subject_id = $1""",
        subject_id,
        ERASED,
        date.min,
    )
    await _erase_shown(connection, subject_id)
    await connection.execute("DELETE FROM person_file_snapshots WHERE subject_id = $1", subject_id)


async def _erase_shown(connection: asyncpg.Connection, subject_id: str) -> None:
    """The personal texts the file keeps of the person's streams (a plan's reach the file through the case),
    read as erased, as their sealed values now open: a few events per person, rewritten once."""
    rows = await connection.fetch(
        f"""{STREAMS}
            SELECT event_id, event_type, payload::text AS payload FROM person_file_events
            WHERE stream = ANY(ARRAY(SELECT stream FROM streams)) AND event_type = ANY($2::text[])""",
        subject_id,
        sorted(SHOWN),
    )
    erased = [
        (
            row["event_id"],
            # In a group's event, this person's marks only (and those that name no one): not the others'.
            json.dumps(
                erased_payload(json.loads(row["payload"]), _shown_plan(row["event_type"]), subject_id)
            ),
        )
        for row in rows
    ]
    if erased:
        await connection.execute(
            """UPDATE person_file_events e SET payload = u.payload::jsonb
               FROM unnest($1::uuid[], $2::text[]) AS u(event_id, payload) WHERE e.event_id = u.event_id""",
            *_columns(erased),
        )


def searchable(text: str) -> str:
    """Lower case without accents, so that "Lefèvre" is found by "lefevre"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def shareable_payload(event: Event) -> dict[str, Any]:
    """The payload without its personal-data fields, at any depth (a session slot's facilitators...), but
    for those the file shows (`SHOWN`)."""
    return event.model_dump(mode="json", exclude=_left_out(type(event)) or None)


@cache
def _left_out(model: type[Event]) -> dict[str, Any]:
    shown = SHOWN.get(model.event_type, (model, frozenset()))[1]
    return {name: fields for name, fields in _personal_fields(model).items() if name not in shown}


@cache
def _shown_plan(event_type: str) -> dict[str, Any]:
    """Where the personal values the file keeps of an event type are (`kernel.sealing`'s plan of them)."""
    model, shown = SHOWN[event_type]
    return {name: node for name, node in plan_of(model).items() if name in shown}


@cache
def _personal_fields(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic's `exclude` for a model's personal-data fields, nested models and lists of them included."""
    excluded: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get(PERSONAL_DATA):
            excluded[name] = True
            continue
        for nested in _models_in(field.annotation):
            if inner := _personal_fields(nested):
                excluded[name] = {"__all__": inner} if _is_list(field.annotation) else inner
    return excluded


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list
