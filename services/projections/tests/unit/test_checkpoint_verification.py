"""The view checked against signed checkpoints (projections.checkpoints.verification, ADR 30 addendum): pure,
over a small log in the relay's order and checkpoints signed as the service's checkpointer signs them."""

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kernel.checkpoints import Checkpoint, Heads, SigningKey
from projections.checkpoints.verification import check_service

KEY = SigningKey(Ed25519PrivateKey.generate())
TRUSTED = {KEY.key_id: KEY.public_key()}


def event(stream_id: str, version: int, transaction_id: int, position: int) -> dict:
    return {
        "stream_id": stream_id,
        "stream_version": version,
        "previous_hash": None if version == 1 else f"{stream_id}-{version - 1}",
        "hash": f"{stream_id}-{version}",
        "transaction_id": transaction_id,
        "position": position,
    }


# Transaction 11 took position 3 before transaction 10 took position 4: the relay's order is (11, 3) after (10, 4).
LOG = [
    event("case-1", 1, 10, 1),
    event("case-2", 1, 10, 2),
    event("case-1", 2, 10, 4),
    event("case-2", 2, 11, 3),
    event("case-1", 3, 12, 5),
]


def signed(sequence: int, upto: int, service: str = "assessment", key: SigningKey = KEY) -> Checkpoint:
    """The checkpoint of the first `upto` events of LOG, as the checkpointer signs it."""
    heads = Heads()
    for e in LOG[:upto]:
        heads.advance(e["stream_id"], e["stream_version"], e["hash"])
    last = LOG[upto - 1]
    return key.sign(
        Checkpoint(
            service=service,
            sequence=sequence,
            transaction_id=str(last["transaction_id"]),
            position=last["position"],
            streams=len(heads),
            events=heads.events,
            root=heads.root(),
            signed_at="2026-11-27T08:30:00.000000Z",
            key_id="",
        )
    )


def records(*checkpoints: Checkpoint | bytes) -> list[dict]:
    return [
        {"partition": 0, "offset": n, "value": c if isinstance(c, bytes) else c.to_json()}
        for n, c in enumerate(checkpoints)
    ]


def verdicts(check) -> list[tuple]:
    return [(c.checkpoint and c.checkpoint.sequence, c.signature is None, c.heads) for c in check.checkpoints]


def test_the_view_gives_each_signed_root_at_its_cut_in_the_relay_s_order():
    check = check_service("assessment", records(signed(1, 3), signed(2, 5)), TRUSTED, LOG, unplaced=0)

    assert check.heads_checked and verdicts(check) == [(1, True, "conforme"), (2, True, "conforme")]
    assert (check.checkpoints[0].rebuilt_streams, check.checkpoints[0].rebuilt_events) == (2, 3)


def test_a_checkpoint_changed_after_signing_or_signed_by_an_unknown_key_proves_nothing():
    forged = json.loads(signed(2, 5).to_json()) | {"root": "0" * 64}
    stranger = signed(3, 5, key=SigningKey(Ed25519PrivateKey.generate()))

    check = check_service(
        "assessment", records(json.dumps(forged).encode(), stranger, b"{not json"), TRUSTED, LOG, 0
    )

    assert verdicts(check) == [
        (2, False, "non vérifiées"),
        (3, False, "non vérifiées"),
        (None, False, "non vérifiées"),
    ]
    assert "signature invalide" in check.checkpoints[0].signature
    assert "inconnue" in check.checkpoints[1].signature and "illisible" in check.checkpoints[2].signature


def test_a_checkpoint_of_another_service_on_this_one_s_topic_is_refused():
    check = check_service("assessment", records(signed(1, 3, service="ipro")), TRUSTED, LOG, 0)

    assert "publié sur le sujet de assessment" in check.checkpoints[0].signature


def test_a_head_rewritten_in_the_view_differs_and_an_event_under_a_head_names_its_stream():
    head_rewritten = [*LOG[:2], {**LOG[2], "hash": "rewritten"}, *LOG[3:]]

    check = check_service("assessment", records(signed(1, 3), signed(2, 5)), TRUSTED, head_rewritten, 0)

    # At the first cut case-1 v2 is a head: the root differs. By the second, v3 no longer links to it.
    assert verdicts(check) == [(1, True, "différent"), (2, True, "différent")]
    assert check.checkpoints[0].broken_streams == () and check.checkpoints[1].broken_streams == ("case-1",)


def test_events_missing_from_the_view_are_incomplete_not_different():
    check = check_service("assessment", records(signed(2, 5)), TRUSTED, LOG[:4], 0)

    assert verdicts(check) == [(2, True, "incomplet")]
    assert (check.checkpoints[0].rebuilt_streams, check.checkpoints[0].rebuilt_events) == (2, 4)


def test_only_signatures_where_the_view_cannot_hold_every_head():
    restricted = check_service("programmes", records(signed(1, 3, service="programmes")), TRUSTED, LOG, 0)
    unplaced = check_service("assessment", records(signed(1, 3)), TRUSTED, LOG, unplaced=2)

    for check in (restricted, unplaced):
        assert not check.heads_checked and verdicts(check) == [(1, True, "non vérifiées")]
    assert "programmes.restricted" in restricted.why_not and "2 événement(s)" in unplaced.why_not


def test_the_checkpoint_reader_does_not_take_the_name_of_the_kernel_s_own_checkpointer():
    """A service's loop named like a kernel loop would replace it (the service then refuses to start)."""
    from types import SimpleNamespace

    from kernel.service import KERNEL_LOOPS
    from projections.bootstrap import DEFINITION
    from projections.settings import ProjectionsSettings

    loops = DEFINITION.background(ProjectionsSettings(), SimpleNamespace(pool=None, clock=None))

    assert "services-checkpoints" in loops and not loops.keys() & KERNEL_LOOPS
