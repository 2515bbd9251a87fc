import uuid
from datetime import UTC, datetime

from contracts import Actor, EventEnvelope
from kernel.hashchain import broken_links, event_hash


def chain(*numbers):
    previous, events = None, []
    for version, number in enumerate(numbers, start=1):
        content = dict(
            event_id=uuid.uuid4(),
            event_type="kerneltest.sample.recorded",
            schema_version=1,
            stream_type="sample",
            stream_id="s-1",
            stream_version=version,
            occurred_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
            recorded_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
            actor=Actor(subject="u", role="cpip").model_dump(),
            subject=None,
            correlation_id="c",
            causation_id=None,
            restricted=False,
            payload={"number": number},
        )
        content["previous_hash"] = previous
        content["hash"] = previous = event_hash(previous, content)
        events.append(EventEnvelope(**{**content, "actor": Actor(**content["actor"]), "position": version}))
    return events


def test_an_untouched_chain_has_no_broken_link():
    assert broken_links(chain(1, 2, 3)) == []


def test_a_changed_payload_breaks_its_own_link():
    events = chain(1, 2, 3)
    events[1] = events[1].model_copy(update={"payload": {"number": 20}})
    assert broken_links(events) == ["s-1@2: content does not match its hash"]


def test_a_removed_event_breaks_the_chain():
    events = chain(1, 2, 3)
    problems = broken_links([events[0], events[2]])
    assert "s-1@3: version 2 expected" in problems
    assert "s-1@3: previous hash does not match the event before it" in problems
