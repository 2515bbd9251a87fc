"""The signed checkpoints checked for auditors over HTTP (ADR 27, ADR 30 addendum), through the real broker: an
assessment log written in several transactions, signed twice by the service's checkpointer, published by its
relay (each record with its transaction id); projections keeps the log (`projections.audit-log`) and the
checkpoints (its own loop), and `GET /audit/checkpoints` checks each signature with the configured keys and
rebuilds the view's root at each cut. A forged checkpoint and a view row rewritten after a checkpoint are both
shown as such."""

import asyncio
import json
from collections import defaultdict

import pytest

from devinfra.testkit import headers_for, ok, publish_everything, serving, wait_for
from kernel import database, kafka
from kernel.checkpoints import Checkpoint, Checkpointer, SigningKey, new_key_pem, topic_of
from kernel.database import create_pool
from kernel.relay import Relay, topic_router
from projections.audit_log import ingest as audit_log
from projections.bootstrap import create_app, subscriptions
from projections.checkpoints import ingest as checkpoints
from projections.settings import ProjectionsSettings
from services.projections.tests.integration.test_replay import caught_up, consuming, end_offsets, policy
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

INSERT = """
    INSERT INTO events (position, event_id, event_type, schema_version, stream_type, stream_id, stream_version,
                        occurred_at, recorded_at, actor, subject, correlation_id, causation_id, restricted,
                        payload, previous_hash, hash, hash_version)
    OVERRIDING SYSTEM VALUE
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
"""


def assessment_log() -> list:
    """The two people's assessment events, each stream's chain linked (the builder's hashes are placeholders:
    neither the checkpointer nor the view recomputes them, both check that each event links to its head)."""
    heads: dict[str, str] = {}
    linked = []
    for envelope in two_people().envelopes:
        if envelope.service == "assessment":
            linked.append(envelope.model_copy(update={"previous_hash": heads.get(envelope.stream_id)}))
            heads[envelope.stream_id] = envelope.hash
    return linked


async def write(dsn: str, envelopes: list, per_transaction: int = 4) -> None:
    connection = await database.connect(dsn)
    try:
        for start in range(0, len(envelopes), per_transaction):
            async with connection.transaction():
                await connection.executemany(
                    INSERT,
                    [
                        (
                            e.position,
                            e.event_id,
                            e.event_type,
                            e.schema_version,
                            e.stream_type,
                            e.stream_id,
                            e.stream_version,
                            e.occurred_at,
                            e.recorded_at,
                            e.actor.model_dump(mode="json"),
                            e.subject,
                            e.correlation_id,
                            e.causation_id,
                            e.restricted,
                            e.payload,
                            e.previous_hash,
                            e.hash,
                            e.hash_version,
                        )
                        for e in envelopes[start : start + per_transaction]
                    ],
                )
    finally:
        await connection.close()


async def sign_and_publish(signer: Checkpointer, dsn: str) -> Checkpoint:
    connection = await database.connect(dsn)
    producer = kafka.idempotent_producer(signer.bootstrap_servers)
    await producer.start()
    try:
        signed = await signer.pass_once(connection)
        await producer.send_and_wait(signer.topic, signed.to_json(), key=b"assessment")
        return signed
    finally:
        await producer.stop()
        await connection.close()


async def stored_checkpoints(pool, count: int) -> None:
    async def enough() -> bool:
        return await pool.fetchval("SELECT count(*) FROM audit_checkpoints") >= count

    await wait_for(enough, timeout=30, message=f"{count} checkpoint records stored")


@pytest.fixture
async def world(infrastructure, new_database, topic_prefix, dev_keys, tmp_path):
    bootstrap = infrastructure.bootstrap_servers
    assessment_dsn, projections_dsn = await new_database("assessment"), await new_database("projections")
    private, public = new_key_pem()
    (tmp_path / "assessment.key").write_bytes(private)
    (tmp_path / "assessment.pub").write_bytes(public)
    settings = ProjectionsSettings(
        database_url=projections_dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=topic_prefix,
        auth_jwks_file=dev_keys.jwks_path,
        checkpoint_public_keys=tmp_path,
        run_relay=False,
        run_consumers=False,
        run_background=False,
    )
    signer = Checkpointer(
        "assessment",
        assessment_dsn,
        SigningKey.from_file(tmp_path / "assessment.key"),
        bootstrap,
        topic_of("assessment", settings.topic),
        topic_policy=policy(),
    )
    await kafka.ensure_topics(bootstrap, [signer.topic], policy())
    log = assessment_log()
    half = len(log) // 2
    await write(assessment_dsn, log[:half])
    first = await sign_and_publish(signer, assessment_dsn)
    await write(assessment_dsn, log[half:])
    second = await sign_and_publish(signer, assessment_dsn)
    relay = Relay(
        assessment_dsn,
        bootstrap,
        topic_router(settings, "assessment"),
        topics=[settings.topic("assessment.events"), settings.topic("assessment.restricted")],
        topic_policy=policy(),
    )
    await kafka.ensure_topics(bootstrap, relay.topics, policy())
    await publish_everything(relay)

    (subscription,) = [
        s for s in subscriptions(settings) if s.name == settings.topic("projections.audit-log")
    ]
    ends = await end_offsets(bootstrap, *(settings.topic(topic) for topic in audit_log.TOPICS))
    pool = await create_pool(projections_dsn)
    loop = asyncio.create_task(checkpoints.consumer(settings, pool)())
    try:
        async with consuming(pool, projections_dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, ends)
        await stored_checkpoints(pool, 2)
        async with serving(create_app(settings)) as client:
            yield {
                "client": client,
                "as_role": headers_for(dev_keys),
                "pool": pool,
                "signer": signer,
                "log": log,
                "first": first,
                "second": second,
                "assessment_dsn": assessment_dsn,
            }
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        await pool.close()


async def report_of(world) -> dict[str, dict]:
    response = await world["client"].get("/audit/checkpoints", headers=world["as_role"]("auditeur"))
    return {service["service"]: service for service in (await ok(response))["services"]}


async def test_the_view_gives_each_signed_root_then_a_forgery_and_a_rewritten_row_are_shown(world):
    """One world, two moments (a world takes seconds to make): the untouched log, then the same tampered."""
    report = await report_of(world)

    assessment = report["assessment"]
    assert assessment["heads_checked"] and assessment["trusted_keys"] == 1
    assert [(c["sequence"], c["signature_valid"], c["heads"]) for c in assessment["checkpoints"]] == [
        (1, True, "conforme"),
        (2, True, "conforme"),
    ]
    first = assessment["checkpoints"][0]
    assert (first["rebuilt_streams"], first["rebuilt_events"]) == (
        world["first"].streams,
        world["first"].events,
    )
    # Every row of the view was placed by the relay's transaction id, the same the events table holds.
    xids = await world["pool"].fetch("SELECT transaction_id FROM audit_log")
    assert xids and all(row["transaction_id"] is not None for row in xids)
    # Programmes' and partners' heads are partly on restricted topics projections may not read: said, not guessed.
    assert (
        not report["programmes"]["heads_checked"]
        and "programmes.restricted" in report["programmes"]["why_not"]
    )
    assert report["ipro"]["checkpoints"] == []

    # A checkpoint whose root was changed after it was signed, published on the service's topic.
    forged = json.loads(world["second"].to_json())
    forged.update(sequence=3, root="0" * 64)
    producer = kafka.idempotent_producer(world["signer"].bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(world["signer"].topic, json.dumps(forged).encode(), key=b"assessment")
    finally:
        await producer.stop()
    await stored_checkpoints(world["pool"], 3)
    # The view's head of a stream at the first cut rewritten, as someone holding projections' database would.
    cut = world["first"].position
    covered = [e for e in world["log"] if e.position <= cut]
    by_stream = defaultdict(list)
    for envelope in world["log"]:
        by_stream[envelope.stream_id].append(envelope)
    head = next(
        e for e in reversed(covered) if any(later.position > cut for later in by_stream[e.stream_id])
    )  # a head at the first cut that the stream moved past by the second: its successor no longer links
    await world["pool"].execute("UPDATE audit_log SET hash = $2 WHERE event_id = $1", head.event_id, "f" * 64)

    checked = {c["sequence"]: c for c in (await report_of(world))["assessment"]["checkpoints"]}

    assert not checked[3]["signature_valid"] and checked[3]["heads"] == "non vérifiées"
    assert "signature invalide" in checked[3]["signature_problem"]
    assert checked[1]["signature_valid"] and checked[1]["heads"] == "différent"
    assert checked[2]["heads"] == "différent" and checked[2]["broken_streams"] == [head.stream_id]
