"""The audit's checks of hash chains (`kernel.chains`), and the fast way it hashes a row of the events table
(`hashchain.table_row_hash`): each must find exactly what the plain way finds."""

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from operator import attrgetter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.chains import Finding, Seen, _as_asyncpg_decodes, _chain_findings, _holes, check_chains, joins
from kernel.hashchain import HASHED_FIELDS, POSTGRES_EPOCH, UnhashableEvent, hash_of, table_row_hash

# --- check_chains: streams that extend cleanly are not checked again ----------------------------------------


def every_stream_checked_whole(events: list[Seen], source: str):
    """`check_chains` as it was before its shortcut: every stream sorted by version and walked."""
    findings: list[Finding] = []
    streams: dict[str, list[Seen]] = defaultdict(list)
    at_position: dict[int, Seen] = {}
    for event in events:
        streams[event.stream_id].append(event)
        if (other := at_position.setdefault(event.position, event)) is not event:
            findings.append(
                Finding(
                    "position-duplicate",
                    event.stream_id,
                    event.version,
                    source,
                    f"position {event.position} déjà prise par {other.stream_id} v{other.version}",
                )
            )
    for stream_id, stream in streams.items():
        stream.sort(key=lambda e: e.version)
        findings += _chain_findings(stream_id, stream, source)
    return findings, len(streams), _holes(sorted(at_position))


CHANGES = ["none"] * 6 + ["drop", "content", "link", "version", "position", "earlier-version"]
# The table's positions are its primary key: no two events share one.
TABLE_CHANGES = [change for change in CHANGES if change != "position"]


@st.composite
def logs(draw, changes: list[str] = CHANGES) -> list[Seen]:
    """A few streams appended in some interleaving (positions rising, with holes), each event then perhaps
    tampered with, and the whole perhaps read out of order (a topic's partitions)."""
    lengths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    order = draw(st.permutations([stream for stream, n in enumerate(lengths) for _ in range(n)]))
    versions: dict[int, int] = defaultdict(int)
    hashes: dict[int, str | None] = defaultdict(lambda: None)
    events, position = [], 0
    for stream in order:
        versions[stream] += 1
        position += draw(st.integers(1, 2))
        own = f"h{stream}.{versions[stream]}"
        events.append(
            Seen(
                f"s{stream}", versions[stream], position, own, hashes[stream], own, own, False, f"p{position}"
            )
        )
        hashes[stream] = own
    tampered = []
    for event in events:
        change = draw(st.sampled_from(changes))
        if change == "drop":
            continue
        if change == "content":
            event.recomputed = "other"
        elif change == "link":
            event.previous_hash = "other"
        elif change == "version":
            event.version += 1
        elif change == "earlier-version":
            event.version = max(1, event.version - 1)
        elif change == "position":
            event.position = draw(st.sampled_from([e.position for e in events]))
        tampered.append(event)
    if draw(st.booleans()):
        tampered = draw(st.permutations(tampered))
    return tampered


@given(logs())
def test_checking_only_the_streams_that_go_astray_finds_what_checking_every_stream_finds(events):
    findings, streams, holes = every_stream_checked_whole(list(events), "db")
    report = check_chains(events, "db")
    assert (report.findings, report.streams, report.events, report.position_holes) == (
        findings,
        streams,
        len(events),
        holes,
    )


@given(logs(TABLE_CHANGES), st.lists(st.integers(0, 30), max_size=3))
def test_a_table_checked_in_ranges_of_positions_linked_up_after_finds_what_checking_it_whole_finds(
    events, cuts
):
    """As `audit.check_table` does with a process per range: the streams astray in a range, or whose parts do
    not link up, checked whole again; the other findings kept."""
    events = sorted(events, key=attrgetter("position"))  # the table, read in position order
    ranges = pairwise([0, *sorted(cuts), 1_000])
    parts = [
        check_chains([e for e in events if low < e.position <= high], "db", whole=False)
        for low, high in ranges
    ]
    again, streams = joins(parts)
    findings = [f for part in parts for f in part.findings if f.stream_id not in again]
    findings += check_chains([e for e in events if e.stream_id in again], "db").findings
    whole = check_chains(events, "db")
    assert (sorted(findings, key=repr), streams) == (sorted(whole.findings, key=repr), whole.streams)


def test_a_stream_whose_parts_do_not_link_up_is_checked_whole_and_one_that_does_is_not():
    a1, a2 = (
        Seen("a", 1, 1, "e1", None, "h1", "h1", False, "p1"),
        Seen("a", 2, 3, "e3", "h1", "h3", "h3", False, "p3"),
    )
    b1, b3 = (
        Seen("b", 1, 2, "e2", None, "h2", "h2", False, "p2"),
        Seen("b", 3, 4, "e4", "h2", "h4", "h4", False, "p4"),
    )
    parts = [check_chains([a1, b1], "db", whole=False), check_chains([a2, b3], "db", whole=False)]
    assert [part.findings for part in parts] == [[], []]
    assert joins(parts) == ({"b"}, 2)


def test_a_clean_log_read_in_position_order_has_no_finding_and_lists_its_holes():
    events = [
        Seen("a", 1, 1, "e1", None, "h1", "h1", False, "p1"),
        Seen("b", 1, 2, "e2", None, "h2", "h2", False, "p2"),
        Seen("a", 2, 5, "e3", "h1", "h3", "h3", False, "p5"),
    ]
    report = check_chains(events, "db")
    assert (report.findings, report.streams, report.events, report.position_holes) == ([], 2, 3, [(3, 4)])


# --- table_row_hash: the common row hashed faster, any other left to hash_of ---------------------------------

ROW = (*HASHED_FIELDS, "previous_hash", "hash_version")  # table_row_hash's arguments, in order


def micros(instant: datetime) -> int:
    """An instant as PostgreSQL stores it, and the audit reads it: microseconds since 2000-01-01 UTC."""
    return (instant - POSTGRES_EPOCH) // timedelta(microseconds=1)


def a_row(**overrides):
    """A row of the events table as the audit reads it: the actor and the payload as JSON text, the instants as
    PostgreSQL's integers."""
    row = {
        "event_id": uuid.UUID("0b6f3c1e-5d2a-4c1b-9e8f-2a7d4c6b1e90"),
        "event_type": "programmes.referral.requested",
        "schema_version": 1,
        "stream_type": "referral",
        "stream_id": "referral-7c1d",
        "stream_version": 2,
        "occurred_at": micros(datetime(2026, 11, 27, 8, 30, tzinfo=UTC)),
        "recorded_at": micros(datetime(2026, 11, 27, 8, 30, 0, 250000, tzinfo=UTC)),
        "actor": '{"role": "cpip", "subject": "cpip-42", "organisation_id": null}',
        "subject": "personne-1f3a",
        "correlation_id": "c-9",
        "causation_id": None,
        "restricted": False,
        "payload": '{"motif": "Orientation vers le PPR « Éviter la récidive »\\n", "seuil": 0.75, "séances": 12}',
        "previous_hash": "5d41402abc4b2a76b9719d911017c592ae2b3d51a93b6d3b3b7d7d5f2a1b9e0c",
        "hash_version": 2,
    }
    return {**row, **overrides}


def as_hash_of_reads_it(row):
    """What `hash_of` is given for the same row (the audit's way for any row `table_row_hash` leaves)."""
    content = {name: value for name, value in row.items() if name != "payload"}
    if row["actor"] is not None:
        content["actor"] = json.loads(row["actor"])
    for name in ("occurred_at", "recorded_at"):
        content[name] = _as_asyncpg_decodes(row[name])
    return content


def test_the_worked_example_of_the_audit_doc_hashes_as_it_says_when_read_from_the_table():
    # docs/audit.md's example (test_canonical_form.py checks the doc holds it).
    expected = "6f9d26c9604fc9d54b92e6b05d8cf335b320500c42aab640595db75e7651d3e8"
    assert table_row_hash(*a_row().values()) == expected
    reordered = '{"séances":12,"seuil":0.75,"motif":"Orientation vers le PPR « Éviter la récidive »\\n"}'
    assert table_row_hash(*a_row(payload=reordered).values()) == expected  # members in any order, any spacing


@pytest.mark.parametrize(
    "unusual",
    [
        {"hash_version": 1},
        {"hash_version": None},
        {"occurred_at": 0x7FFFFFFFFFFFFFFF},  # PostgreSQL's infinity
        {"recorded_at": micros(datetime(999, 11, 27, 8, 30, tzinfo=UTC))},
        {"occurred_at": None},
        {"actor": '{"role": "cpip", "subject": "cpip-42", "on_behalf_of": "dpip-1"}'},
        {"actor": '{"role": "cpip"}'},
        {"actor": '{"role": 1.5, "subject": "cpip-42"}'},
        {"restricted": None},
        {"stream_id": None},
        {"stream_version": None},
        {"event_id": None},
        {"payload": None},
        {"payload": '{"n": 12345678901234567890}'},
    ],
)
def test_a_row_unlike_what_the_event_store_writes_is_left_to_hash_of(unusual):
    assert table_row_hash(*a_row(**unusual).values()) is None


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=12,
)
nullable_text = st.none() | texts
actors = st.dictionaries(
    st.sampled_from(["subject", "role", "organisation_id", "on_behalf_of"]),
    st.none() | texts | st.integers(0, 3) | st.floats(allow_nan=False, allow_infinity=False),
)
instants = (
    st.none()
    | st.sampled_from([0x7FFFFFFFFFFFFFFF, -0x8000000000000000])
    | st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3))]),
    ).map(micros)
)


@given(
    st.fixed_dictionaries(
        {
            "event_id": st.none() | st.uuids(),
            "event_type": nullable_text,
            "schema_version": st.none() | st.integers(1, 2**31 - 1),
            "stream_type": nullable_text,
            "stream_id": nullable_text,
            "stream_version": st.none() | st.integers(1, 2**31 - 1),
            "occurred_at": instants,
            "recorded_at": instants,
            "actor": actors.map(json.dumps),
            "subject": nullable_text,
            "correlation_id": nullable_text,
            "causation_id": nullable_text,
            "restricted": st.none() | st.booleans(),
            "payload": st.tuples(json_values, st.booleans()).map(
                lambda v: json.dumps(v[0], ensure_ascii=v[1])
            ),
            "previous_hash": nullable_text,
            "hash_version": st.sampled_from([1, 2, 2, 2, None]),
        }
    )
)
def test_a_row_hashed_the_fast_way_hashes_as_hash_of_says(row):
    fast = table_row_hash(*(row[name] for name in ROW))
    try:
        expected = hash_of(as_hash_of_reads_it(row), payload_text=row["payload"])
    except UnhashableEvent:
        expected = None
    assert fast is None or fast == expected


@given(
    st.fixed_dictionaries(
        {
            "event_type": texts,
            "stream_id": texts,
            "subject": nullable_text,
            "causation_id": nullable_text,
            "restricted": st.booleans(),
            "actor": st.fixed_dictionaries(
                {"subject": texts, "role": texts}, optional={"organisation_id": nullable_text}
            ).map(json.dumps),
            "payload": st.dictionaries(texts, st.none() | texts | st.integers(-(2**53) + 1, 2**53 - 1)).map(
                json.dumps
            ),
        }
    )
)
def test_every_row_the_event_store_writes_takes_the_fast_way(fields):
    row = a_row(**fields)
    fast = table_row_hash(*row.values())
    assert fast is not None
    assert fast == hash_of(as_hash_of_reads_it(row), payload_text=row["payload"])
