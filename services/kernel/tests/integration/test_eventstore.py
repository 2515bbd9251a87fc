import asyncio

import asyncpg
import pytest

from devinfra.testkit import query_value, wait_for
from kernel.aggregates import execute, named
from kernel.decider import Decider
from kernel.errors import ConcurrencyConflict, InvalidValue

from ..samples import SampleRecorded, SecretNoted, metadata

pytestmark = pytest.mark.integration


async def append(store, stream_id, expected, *numbers, **kwargs):
    async with store.transaction() as session:
        return await session.append(
            "sample", stream_id, expected, [SampleRecorded(number=n) for n in numbers], metadata(), **kwargs
        )


async def test_appended_events_are_read_back_in_order_with_their_envelope(store):
    await append(store, "s-1", 0, 1, 2)
    await append(store, "s-1", 2, 3)

    stream = await store.read_stream("s-1")

    assert [e.payload["number"] for e in stream] == [1, 2, 3]
    assert [e.stream_version for e in stream] == [1, 2, 3]
    assert stream[0].position < stream[1].position < stream[2].position
    assert stream[0].actor.subject == "cpip-42" and stream[0].correlation_id == "corr-1"
    assert stream[0].event_type == "kerneltest.sample.recorded" and stream[0].schema_version == 1


async def test_a_stale_expected_version_is_a_conflict_and_appends_nothing(store):
    await append(store, "s-1", 0, 1)

    with pytest.raises(ConcurrencyConflict):
        await append(store, "s-1", 0, 99)

    assert [e.payload["number"] for e in await store.read_stream("s-1")] == [1]


async def test_a_number_no_canonical_form_holds_is_bad_input_and_appends_nothing(store):
    """An integer beyond 2^53 cannot be hashed in RFC 8785's form (hash version 2): a named 422, not a 500."""
    await append(store, "s-1", 0, 1)

    with pytest.raises(InvalidValue, match="kerneltest.sample.recorded"):
        await append(store, "s-1", 1, 2**53)

    assert [e.payload["number"] for e in await store.read_stream("s-1")] == [1]


async def test_of_two_concurrent_writers_at_the_same_version_exactly_one_wins(store):
    await append(store, "s-1", 0, 1)

    results = await asyncio.gather(
        *(append(store, "s-1", 1, 10 + i) for i in range(5)), return_exceptions=True
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ConcurrencyConflict) for r in results if isinstance(r, Exception))
    assert len(await store.read_stream("s-1")) == 2


async def test_of_two_concurrent_creators_of_a_stream_exactly_one_wins(store):
    results = await asyncio.gather(*(append(store, "s-new", 0, i) for i in range(5)), return_exceptions=True)

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ConcurrencyConflict) for r in results if isinstance(r, Exception))
    assert len(await store.read_stream("s-new")) == 1
    assert await store.verify("s-new") == {}


async def test_events_are_restricted_by_contract_or_by_the_caller(store):
    async with store.transaction() as session:
        secret = await session.append("sample", "s-2", 0, [SecretNoted(note="x")], metadata())
        flagged = await session.append(
            "sample", "s-3", 0, [SampleRecorded(number=1)], metadata(), restricted=True
        )
    plain = await append(store, "s-4", 0, 1)

    assert secret[0].restricted and flagged[0].restricted and not plain[0].restricted


async def test_hash_chains_verify_and_reveal_tampering(store, dsn):
    await append(store, "s-1", 0, 1, 2, 3)
    await append(store, "s-2", 0, 1)
    assert await store.verify() == {}

    connection = await asyncpg.connect(dsn)
    try:
        # An attacker with table-owner rights bypasses the append-only guard: the chain still tells.
        await connection.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        await connection.execute(
            "UPDATE events SET payload = '{\"number\": 20}' WHERE stream_id = 's-1' AND stream_version = 2"
        )
    finally:
        await connection.close()

    problems = await store.verify()
    assert list(problems) == ["s-1"]
    assert any("content does not match its hash" in p for p in problems["s-1"])


async def test_history_cannot_be_rewritten(store, dsn):
    await append(store, "s-1", 0, 1)
    connection = await asyncpg.connect(dsn)
    try:
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await connection.execute("DELETE FROM events")
    finally:
        await connection.close()


async def test_events_appended_together_take_positions_in_the_order_of_their_versions(store):
    """Kernel review L2: the multi-row insert relied on the order `unnest` happens to produce."""
    appended = await append(store, "s-1", 0, *range(1, 41))

    stream = await store.read_stream("s-1")
    assert [e.position for e in stream] == sorted(e.position for e in stream)
    assert [e.stream_version for e in appended] == list(range(1, 41))


async def test_a_lock_taken_before_deciding_makes_a_second_command_on_the_same_fact_wait(store, dsn):
    """Kernel review M5: two commands deciding on a shared fact (a referral reads the person's case while the
    release ends their referrals) must not both read it unchanged. The lock comes before the first append,
    takes no transaction id, and serialises them until the first commits."""
    observer = await asyncpg.connect(dsn)
    try:
        async with store.transaction() as first:
            await first.lock("case:c-1", "case:c-2")
            second = asyncio.create_task(_locked_then_appended(store, "case:c-2"))
            await wait_for(
                lambda: _waiting_for_an_advisory_lock(observer), timeout=10, message="the second waiting"
            )
            assert not second.done()
            await first.append(
                "sample", "s-1", 0, [SampleRecorded(number=1)], metadata()
            )  # allowed after a lock
        assert await second == [1]  # it went on once the first committed, and saw what it wrote
    finally:
        await observer.close()


async def _locked_then_appended(store, key: str) -> list[int]:
    async with store.transaction() as session:
        await session.lock(key)
        seen = [e.payload["number"] for e in await session.read_stream("s-1")]
        await session.append("sample", "s-2", 0, [SampleRecorded(number=2)], metadata())
        return seen


async def _waiting_for_an_advisory_lock(connection) -> bool:
    return await connection.fetchval(
        "SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    )


async def test_appends_made_at_the_same_time_are_written_together_and_each_learns_its_own_positions(
    store, dsn
):
    """Group commit (issue 19 §2): appends waiting at once share one statement, one transaction."""
    appended = await asyncio.gather(
        *(store.append("sample", f"g-{i}", 0, [SampleRecorded(number=i)], metadata()) for i in range(40))
    )

    for i, (envelope,) in enumerate(appended):
        (stored,) = await store.read_stream(f"g-{i}")
        assert (envelope.position, envelope.payload, envelope.hash) == (
            stored.position,
            stored.payload,
            stored.hash,
        )
    # Shared, not all in one: a statement per writer's share, so that the database writes one while the
    # callers of another make their next appends.
    assert 1 < await query_value(dsn, "SELECT count(DISTINCT transaction_id) FROM events") < 40
    assert await store.verify() == {}


async def test_callers_that_give_up_waiting_do_not_take_their_group_down(store):
    """A caller cancelled while its group is written (a request timing out) hears nothing more; the others
    of its group learn their positions, and what it appended is written whole or not at all."""
    callers = [
        asyncio.create_task(store.append("sample", f"c-{i}", 0, [SampleRecorded(number=i)], metadata()))
        for i in range(20)
    ]
    await asyncio.sleep(0)  # one turn of the loop: every caller has handed its append to the group
    for caller in callers[::2]:
        caller.cancel()
    results = await asyncio.gather(*callers, return_exceptions=True)

    assert all(isinstance(r, asyncio.CancelledError) for r in results[::2])
    assert all(isinstance(r, list) and len(r) == 1 for r in results[1::2])
    assert {len(await store.read_stream(f"c-{i}")) for i in range(0, 20, 2)} <= {0, 1}
    assert await store.append("sample", "after", 0, [SampleRecorded(number=0)], metadata())
    assert await store.verify() == {}


async def test_a_group_of_more_events_than_one_statement_holds_is_written_append_by_append(store):
    """A group statement holds at most 64 rows: twenty new streams of ten events each (a writer's share, ten
    appends, is a hundred rows) are still all written."""
    appended = await asyncio.gather(
        *(
            store.append("sample", f"m-{i}", 0, [SampleRecorded(number=n) for n in range(10)], metadata())
            for i in range(20)
        )
    )

    assert [[e.stream_version for e in envelopes] for envelopes in appended] == [list(range(1, 11))] * 20
    for i in range(20):
        assert [e.payload["number"] for e in await store.read_stream(f"m-{i}")] == list(range(10))
    assert await store.verify() == {}


async def test_a_conflict_in_a_group_refuses_that_append_alone(store):
    await store.append("sample", "taken", 0, [SampleRecorded(number=0)], metadata())

    results = await asyncio.gather(
        store.append("sample", "taken", 0, [SampleRecorded(number=99)], metadata()),
        *(store.append("sample", f"g-{i}", 0, [SampleRecorded(number=i)], metadata()) for i in range(10)),
        return_exceptions=True,
    )

    assert isinstance(results[0], ConcurrencyConflict)
    assert all(isinstance(r, list) for r in results[1:])
    assert [e.payload["number"] for e in await store.read_stream("taken")] == [0]
    assert [len(await store.read_stream(f"g-{i}")) for i in range(10)] == [1] * 10


async def test_a_value_the_database_refuses_in_a_group_fails_that_append_alone(store):
    """PostgreSQL's jsonb holds no NUL character: the statement of the group fails, each is written again alone."""
    results = await asyncio.gather(
        store.append("sample", "bad", 0, [SecretNoted(note="a\x00b")], metadata()),
        *(store.append("sample", f"g-{i}", 0, [SampleRecorded(number=i)], metadata()) for i in range(10)),
        return_exceptions=True,
    )

    assert isinstance(results[0], asyncpg.PostgresError)
    assert all(isinstance(r, list) for r in results[1:])
    assert await store.read_stream("bad") == []
    assert [len(await store.read_stream(f"g-{i}")) for i in range(10)] == [1] * 10


async def test_an_append_of_its_own_after_a_bare_version_reads_the_head_and_chains_to_it(store):
    await store.append("sample", "s-1", 0, [SampleRecorded(number=1)], metadata())
    await store.append("sample", "s-1", 1, [SampleRecorded(number=2), SampleRecorded(number=3)], metadata())

    with pytest.raises(ConcurrencyConflict):
        await store.append("sample", "s-1", 1, [SampleRecorded(number=99)], metadata())
    assert [e.payload["number"] for e in await store.read_stream("s-1")] == [1, 2, 3]
    assert await store.verify("s-1") == {}


COUNTER = Decider(
    stream_type="sample",
    initial_state=0,
    decide=lambda number, total, facts: [SampleRecorded(number=number)],
    evolve=lambda total, event: total + event.number,
)


async def test_a_named_stream_is_created_without_a_read_and_a_name_already_taken_appends_nothing(store):
    """`named`: a creation on an id its request minted starts from the decider's initial state at version 0;
    were the id taken after all, the append is a conflict, as for two concurrent creators."""
    async with store.transaction() as session:
        outcome = await execute(session, COUNTER, named(COUNTER, "s-named"), 3, metadata())
    assert (outcome.state, outcome.version) == (3, 1)

    with pytest.raises(ConcurrencyConflict):
        async with store.transaction() as session:
            await execute(session, COUNTER, named(COUNTER, "s-named"), 4, metadata())

    assert [e.payload["number"] for e in await store.read_stream("s-named")] == [3]
