"""Signed checkpoints (kernel.checkpoints, ADR 27): the Merkle tree over stream heads is RFC 6962's, the
root depends on the heads only, and a signature holds for its key and content only. docs/audit.md §4's
worked example is checked here."""

import hashlib
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kernel.checkpoints import (
    Checkpoint,
    Heads,
    SigningKey,
    leaf_hash,
    merkle_root,
    new_key_pem,
    public_keys,
    signature_problem,
)


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """MTH of RFC 6962 §2.1, as the RFC writes it: split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


@pytest.mark.parametrize("n", range(0, 34))
def test_the_root_is_rfc_6962s_merkle_tree_hash(n):
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(n)]
    assert merkle_root(leaves) == rfc6962_root(leaves)


def test_the_worked_example_of_docs_audit():
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    assert (
        leaf_hash("case-1", 3, a).hex() == "843bf70a3d4d4f8809f9bdb9507e6a1073b6f28781ad7a50bcfd28f495f0de8a"
    )
    heads = Heads()
    heads.advance("référral-9", 2, c)
    heads.advance("case-2", 1, b)
    heads.advance("case-1", 3, a)
    assert (len(heads), heads.events) == (3, 6)
    assert heads.root() == "52910f6cde173f20e4af339524236f6b784a86b414b04dd78c82725a853ed734"


def test_the_root_depends_on_the_heads_not_on_the_order_they_were_learnt():
    heads = [
        (f"stream-{i}", v, hashlib.sha256(f"{i}/{v}".encode()).hexdigest()) for i in range(7) for v in (1, 2)
    ]
    roots = set()
    for seed in range(5):
        shuffled = heads[:]
        random.Random(seed).shuffle(shuffled)
        known = Heads()
        for head in shuffled:
            known.advance(*head)
        roots.add(known.root())
        assert (len(known), known.events) == (7, 14)
    assert len(roots) == 1


def test_a_rewritten_head_a_shorter_stream_or_a_missing_stream_changes_the_root():
    def root_of(*heads):
        known = Heads()
        for head in heads:
            known.advance(*head)
        return known.root()

    original = root_of(("s-1", 2, "a" * 64), ("s-2", 1, "b" * 64))
    assert root_of(("s-1", 2, "f" * 64), ("s-2", 1, "b" * 64)) != original  # re-hashed
    assert root_of(("s-1", 1, "a" * 64), ("s-2", 1, "b" * 64)) != original  # tail deleted
    assert root_of(("s-1", 2, "a" * 64)) != original  # stream deleted


def test_an_earlier_version_does_not_move_a_head_and_a_cached_leaf_follows_a_later_one():
    heads = Heads()
    heads.advance("s-1", 2, "a" * 64)
    first = heads.root()
    heads.advance("s-1", 1, "b" * 64)
    assert heads.root() == first and heads.get("s-1") == (2, "a" * 64)
    heads.advance("s-1", 3, "c" * 64)
    assert heads.root() == merkle_root([leaf_hash("s-1", 3, "c" * 64)]).hex() and heads.events == 3


def a_checkpoint(**overrides) -> Checkpoint:
    values = dict(
        service="partners",
        sequence=4,
        transaction_id="18446744073709551",  # beyond a double's exact integers: a string
        position=41,
        streams=3,
        events=6,
        root="52910f6cde173f20e4af339524236f6b784a86b414b04dd78c82725a853ed734",
        signed_at="2026-11-27T08:30:00.000000Z",
        key_id="",
    )
    return Checkpoint(**{**values, **overrides})


def test_a_signed_checkpoint_verifies_with_its_key_and_round_trips_through_json():
    key = SigningKey(Ed25519PrivateKey.generate())
    signed = key.sign(a_checkpoint())
    assert signed.key_id == key.key_id and len(key.key_id) == 16
    assert signature_problem(signed, {key.key_id: key.public_key()}) is None
    assert Checkpoint.parse(signed.to_json()) == signed
    assert signed.signed_bytes().startswith(b'{"checkpoint_version":1,"events":6,')


@pytest.mark.parametrize(
    "field, value",
    [
        ("root", "0" * 64),
        ("position", 42),
        ("streams", 2),
        ("events", 5),
        ("sequence", 5),
        ("service", "ipro"),
    ],
)
def test_a_checkpoint_altered_after_signing_does_not_verify(field, value):
    key = SigningKey(Ed25519PrivateKey.generate())
    altered = Checkpoint(**{**vars(key.sign(a_checkpoint())), field: value})
    assert (
        signature_problem(altered, {key.key_id: key.public_key()})
        == f"signature invalide pour la clé {key.key_id}"
    )


def test_a_checkpoint_signed_by_another_key_is_refused_even_under_the_trusted_key_id():
    trusted, forger = SigningKey(Ed25519PrivateKey.generate()), SigningKey(Ed25519PrivateKey.generate())
    forged = forger.sign(a_checkpoint())
    assert "inconnue" in signature_problem(forged, {trusted.key_id: trusted.public_key()})
    passing_as_trusted = Checkpoint(**{**vars(forged), "key_id": trusted.key_id})
    assert "invalide" in signature_problem(passing_as_trusted, {trusted.key_id: trusted.public_key()})


def test_a_verifier_trusts_every_key_file_of_the_service_and_no_other(tmp_path):
    keys = {}
    for name in ("partners", "partners.2027", "ipro"):
        private, public = new_key_pem()
        (tmp_path / f"{name}.pub").write_bytes(public)
        (tmp_path / f"{name}.key").write_bytes(private)
        keys[name] = SigningKey.from_file(tmp_path / f"{name}.key")
    trusted = public_keys(tmp_path, "partners")
    assert set(trusted) == {keys["partners"].key_id, keys["partners.2027"].key_id}
    for name, key in keys.items():
        problem = signature_problem(key.sign(a_checkpoint()), trusted)
        assert (problem is None) == name.startswith("partners"), name


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b'{"checkpoint_version": 2}',
        b'{"checkpoint_version": 1, "service": "partners"}',
        a_checkpoint().to_json().replace(b'"position": 41', b'"position": "41"'),
    ],
)
def test_what_is_not_a_checkpoint_of_this_version_is_refused(value):
    with pytest.raises(ValueError):
        Checkpoint.parse(value)


def test_leaves_are_sorted_by_stream_id_code_points():
    heads = Heads()
    names = ["b", "a", "é", "Z", "ab"]
    for name in names:
        heads.advance(name, 1, "0" * 64)
    expected = merkle_root([leaf_hash(name, 1, "0" * 64) for name in sorted(names, key=lambda s: s.encode())])
    assert heads.root() == expected.hex()
