"""What is kept only to recognise a duplicate is pruned by age, and nothing younger."""

import pytest

from kernel import retention

pytestmark = pytest.mark.integration


async def test_processed_event_ids_and_idempotency_records_are_pruned_by_age(store):
    await store.pool.execute("""
        INSERT INTO processed_events (consumer, event_id, processed_at)
            SELECT 'c', gen_random_uuid(), now() - make_interval(days => d, hours => 12)
            FROM generate_series(0, 59) AS d;
        INSERT INTO idempotency_keys (principal, key, request_hash, status_code, resource, created_at)
            SELECT 'u', 'k' || d, 'h', 201, '/things/t', now() - make_interval(days => d, hours => 12)
            FROM generate_series(0, 9) AS d;
    """)

    assert (
        await retention.prune(store.pool, "processed_events", older_than_days=30) == 30
    )  # 30.5 to 59.5 days
    assert await retention.prune(store.pool, "idempotency_keys", older_than_days=7) == 3  # 7.5 to 9.5 days

    oldest = await store.pool.fetchrow("""
        SELECT (SELECT max(now() - processed_at) FROM processed_events) AS event,
               (SELECT max(now() - created_at) FROM idempotency_keys) AS key""")
    assert oldest["event"].days == 29 and oldest["key"].days == 6
