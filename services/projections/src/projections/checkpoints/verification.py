"""The view of the log checked against each service's signed checkpoints (ADR 27, ADR 30 addendum): pure, given
the records as published, the trusted public keys and the view's events of the service in the relay's order.

* Every record's signature, by `kernel.checkpoints.signature_problem` with the keys of the configuration only
  (never a key the topic names). A checkpoint whose signature fails proves nothing: its heads are not compared.
* The heads the view gives at each well-signed checkpoint's (transaction id, position) cut, rebuilt with
  `kernel.checkpoints.Heads` (the signer's and `audit verify`'s own tree): the same root is "conforme". Fewer
  streams or events than signed is "incomplet" (the view is behind, or events were withheld or deleted); any
  other root "différent" (an event at or before the cut was changed). A checkpoint signs a root, not its heads,
  so it cannot name the stream; the view names those whose chain it shows broken at or before the cut (an
  event under a head changed: its successor's `previous_hash` no longer links), which is "différent" too.
  The view cannot recompute a hash (its payloads are masked): an event changed with its hash kept shows only
  in `passerelle audit verify`.
* Not compared, with the reason: services whose streams have events on restricted topics projections may not
  read (ADR 25), so their heads are not all in the view; and a service whose view holds events that came
  without the relay's transaction id (published before it sent one), which cannot be placed against a cut.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kernel.checkpoints import Checkpoint, Cursor, Heads, signature_problem

# Why a service's heads cannot be rebuilt from the view: its restricted topic is not projections' to read.
SIGNATURE_ONLY = {
    "programmes": (
        "Seules les signatures sont vérifiées : une partie des flux de programmes a des événements sur "
        "programmes.restricted, que projections n'a pas le droit de lire (ADR 25) ; la vue n'a donc pas "
        "toutes leurs têtes. `passerelle audit verify --service programmes` vérifie tout depuis la base."
    ),
    "partners": (
        "Seules les signatures sont vérifiées : une partie des flux de partners a des événements sur "
        "partners.restricted, que projections n'a pas le droit de lire (ADR 25) ; la vue n'a donc pas "
        "toutes leurs têtes. `passerelle audit verify --service partners` vérifie tout depuis la base."
    ),
}

Heads_ = Literal["conforme", "incomplet", "différent", "non vérifiées"]


@dataclass(frozen=True)
class CheckpointCheck:
    partition: int
    offset: int
    checkpoint: Checkpoint | None  # None: the record is not a checkpoint
    signature: str | None  # why it does not hold, or None
    heads: Heads_
    detail: str  # in French, for the report
    rebuilt_streams: int | None = None
    rebuilt_events: int | None = None
    broken_streams: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceCheck:
    service: str
    trusted_keys: int
    heads_checked: bool
    why_not: str | None  # why the heads are not compared, if they are not
    checkpoints: list[CheckpointCheck] = field(default_factory=list)


def check_service(
    service: str,
    records: Sequence[Mapping[str, Any]],
    keys: Mapping[str, Ed25519PublicKey],
    events: Sequence[Mapping[str, Any]],
    unplaced: int,
) -> ServiceCheck:
    """`records`: partition, offset and value of each record of the service's topic; `events`: the view's
    events of the service with a transaction id, in the relay's order; `unplaced`: those without one."""
    why_not = SIGNATURE_ONLY.get(service)
    if why_not is None and unplaced:
        why_not = (
            f"Seules les signatures sont vérifiées : {unplaced} événement(s) de {service} sont arrivés dans la "
            "vue sans l'identifiant de transaction du relais (publiés avant qu'il ne le transmette) ; on ne "
            "peut les placer par rapport aux points de contrôle. `passerelle audit verify` vérifie tout."
        )
    read = [_signature_checked(service, record, keys) for record in records]
    signed = [(n, check) for n, check in enumerate(read) if check.checkpoint and check.signature is None]
    if why_not is None:
        for n, check in zip(
            [n for n, _ in signed], _heads_checked([c for _, c in signed], events), strict=True
        ):
            read[n] = check
    return ServiceCheck(service, len(keys), why_not is None, why_not, read)


def _signature_checked(
    service: str, record: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]
) -> CheckpointCheck:
    where = {"partition": record["partition"], "offset": record["offset"]}
    try:
        checkpoint = Checkpoint.parse(bytes(record["value"]))
    except ValueError:
        return CheckpointCheck(
            **where,
            checkpoint=None,
            signature="enregistrement illisible : ce n'est pas un point de contrôle",
            heads="non vérifiées",
            detail="Rien à comparer.",
        )
    problem = signature_problem(checkpoint, keys)
    if problem is None and checkpoint.service != service:
        problem = f"signé pour {checkpoint.service!r} mais publié sur le sujet de {service}"
    detail = (
        "Signature non valide : ce point de contrôle ne prouve rien." if problem else "Têtes non comparées."
    )
    return CheckpointCheck(
        **where, checkpoint=checkpoint, signature=problem, heads="non vérifiées", detail=detail
    )


def _heads_checked(
    signed: Sequence[CheckpointCheck], events: Sequence[Mapping[str, Any]]
) -> list[CheckpointCheck]:
    """Walk the view once in the relay's order, comparing the heads at each cut, in the records' order."""
    heads, broken, checked = Heads(), set(), {}
    order = sorted(range(len(signed)), key=lambda n: signed[n].checkpoint.cursor)
    at = 0
    for n in order:
        check = signed[n]
        checkpoint = check.checkpoint
        while at < len(events) and Cursor(events[at]["transaction_id"], events[at]["position"]) <= (
            checkpoint.cursor
        ):
            event = events[at]
            known_version, known_hash = heads.get(event["stream_id"]) or (0, None)
            if event["stream_version"] != known_version + 1 or event["previous_hash"] != known_hash:
                broken.add(event["stream_id"])
            heads.advance(event["stream_id"], event["stream_version"], event["hash"])
            at += 1
        checked[n] = _compared(check, heads, sorted(broken))
    return [checked[n] for n in range(len(signed))]


def _compared(check: CheckpointCheck, heads: Heads, broken: list[str]) -> CheckpointCheck:
    checkpoint = check.checkpoint
    counts = {"rebuilt_streams": len(heads), "rebuilt_events": heads.events, "broken_streams": tuple(broken)}
    root_agrees = heads.root() == checkpoint.root
    if root_agrees and broken:
        return CheckpointCheck(
            **_where(check),
            heads="différent",
            detail=(
                "La vue redonne la racine signée, mais la chaîne d'événements y est rompue avant ce point "
                f"(un événement changé depuis, sous la tête de son flux) : {', '.join(broken)}."
            ),
            **counts,
        )
    if root_agrees:
        return CheckpointCheck(
            **_where(check),
            heads="conforme",
            detail=f"La vue redonne la racine signée ({checkpoint.streams} flux, {checkpoint.events} événements).",
            **counts,
        )
    named = f" Chaîne rompue dans la vue : {', '.join(broken)}." if broken else ""
    if len(heads) < checkpoint.streams or heads.events < checkpoint.events:
        return CheckpointCheck(
            **_where(check),
            heads="incomplet",
            detail=(
                f"La vue a {len(heads)} flux et {heads.events} événements à ce point, "
                f"{checkpoint.streams} et {checkpoint.events} signés : elle est en retard, ou des événements "
                f"signés manquent.{named}"
            ),
            **counts,
        )
    return CheckpointCheck(
        **_where(check),
        heads="différent",
        detail=(
            "La vue ne redonne pas la racine signée : un événement couvert par ce point de contrôle a été "
            f"modifié depuis.{named or ' La racine ne dit pas lequel ; `passerelle audit verify` le nomme.'}"
        ),
        **counts,
    )


def _where(check: CheckpointCheck) -> dict[str, Any]:
    return {
        "partition": check.partition,
        "offset": check.offset,
        "checkpoint": check.checkpoint,
        "signature": check.signature,
    }
