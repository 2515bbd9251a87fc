"""deploy/kafka/acls.sh on a broker that authenticates (SASL/SCRAM) and authorizes (KRaft StandardAuthorizer) as
production does: each service reads what its subscriptions name and writes its own topics, the partners
principal reads nothing of assessment's, the audit principal reads every log, restricted topics and signed
checkpoints included."""

from __future__ import annotations

import asyncio
import importlib
import secrets
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import TopicAuthorizationFailedError

from devinfra import audit_archive
from devinfra.infra import SERVICES, free_port
from devinfra.kafka import BrokerSasl, LocalKafka
from kernel import checkpoints, journal, kafka
from kernel.eventstore import EventStore
from kernel.relay import service_relay
from kernel.settings import ServiceSettings

pytestmark = pytest.mark.integration

# The ACLs must follow the prefix a deployment gives its topics.
PREFIX = "acl-test-"
PRINCIPALS = (*SERVICES, "audit")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    users = {name: secrets.token_urlsafe(12) for name in ("admin", *PRINCIPALS)}
    node = LocalKafka(tmp_path_factory.mktemp("kafka-acls"), free_port(), free_port(), sasl=BrokerSasl(users))
    try:
        node.start(timeout=120)
        node.apply_acls(topic_prefix=PREFIX)
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
async def topics_made_by_their_writers(broker: LocalKafka) -> None:
    """Each service makes its topics with its own credentials, as its relay and its journal do."""
    for service in SERVICES:
        settings = settings_of(service, broker)
        relay = service_relay(settings, service)
        await kafka.ensure_topics(
            relay.bootstrap_servers, relay.topics, relay.topic_policy, security=relay.security
        )
        await kafka.ensure_topics(
            relay.bootstrap_servers,
            [settings.topic(journal.TOPIC)],
            journal.topic_policy(settings),
            security=relay.security,
        )
        await kafka.ensure_topics(  # as its checkpointer does
            relay.bootstrap_servers,
            [checkpoints.topic_of(service, settings.topic)],
            relay.topic_policy,
            security=relay.security,
        )


async def test_each_service_may_start_every_subscription_it_declares(broker, topics_made_by_their_writers):
    """What a consumer runner does first: check its topics, make its redrive and dead-letter topics."""
    for service in SERVICES:
        settings = settings_of(service, broker)
        definition = importlib.import_module(f"{service}.bootstrap").DEFINITION
        for subscription in definition.subscriptions(settings, EventStore(pool=None)):
            topics = [
                *subscription.topics,
                subscription.redrive_topic,
                *(f"{topic}.dlq" for topic in subscription.topics),
            ]
            partitions = await kafka.ensure_topics(
                settings.kafka_bootstrap_servers,
                topics,
                settings.topic_policy(),
                security=settings.kafka_security(),
            )
            assert {partition.topic for partition in partitions} == set(topics), subscription.name


async def test_a_service_writes_its_own_topics_and_not_another_services(broker, topics_made_by_their_writers):
    assessment = settings_of("assessment", broker)
    producer = kafka.idempotent_producer(assessment.kafka_bootstrap_servers, assessment.kafka_security())
    await producer.start()
    try:
        for topic in ("assessment.events", "assessment.restricted"):
            sent = await producer.send_and_wait(
                assessment.topic(topic), b'{"written": "by assessment"}', b"k"
            )
            assert sent.offset >= 0
        for topic in ("ipro.events", "programmes.events", "partners.events"):
            with pytest.raises(TopicAuthorizationFailedError):
                await producer.send_and_wait(assessment.topic(topic), b"{}", b"k")
    finally:
        await producer.stop()


async def test_the_partners_principal_reads_neither_assessment_topic(broker, topics_made_by_their_writers):
    await write_one("assessment", broker, "assessment.events", "assessment.restricted")
    for topic in ("assessment.events", "assessment.restricted"):
        with pytest.raises(TopicAuthorizationFailedError):
            await first_record("partners", broker, topic)


async def test_the_partners_principal_reads_the_topic_it_subscribes_to(broker, topics_made_by_their_writers):
    await write_one("ipro", broker, "ipro.events")

    assert await first_record("partners", broker, "ipro.events") == b'{"written": "by ipro"}'


async def test_the_audit_principal_reads_every_log_restricted_topics_included(
    broker, topics_made_by_their_writers
):
    await write_one("assessment", broker, "assessment.events", "assessment.restricted")

    for topic in ("assessment.events", "assessment.restricted"):
        assert await first_record("audit", broker, topic) == b'{"written": "by assessment"}'


async def test_the_audit_principal_archives_the_restricted_topics_without_a_group_and_a_service_cannot(
    broker, topics_made_by_their_writers, infrastructure, unique_name
):
    """`passerelle audit archive` (ADR 28) needs nothing more than the audit principal's grants."""
    await write_one("assessment", broker, "assessment.restricted")
    dsn = await audit_archive.provision(infrastructure.postgres, unique_name("acl_archive").replace("-", "_"))
    topics = {f"{PREFIX}assessment.restricted": "assessment"}

    done = await audit_archive.archive(
        dsn, topics, broker.bootstrap_servers, security=settings_of("audit", broker).kafka_security()
    )

    assert done.records >= 1  # not an envelope: kept as a conflict row ("illisible")
    assert done.conflicts == done.records
    with pytest.raises(TopicAuthorizationFailedError):
        await audit_archive.archive(
            dsn, topics, broker.bootstrap_servers, security=settings_of("partners", broker).kafka_security()
        )


async def test_the_grants_hold_only_under_the_deployments_prefix(broker, topics_made_by_their_writers):
    admin = broker.admin_security()
    await kafka.ensure_topics(
        broker.bootstrap_servers, ["ipro.events"], kafka.TopicPolicy(3, 1, 1), security=admin
    )
    producer = kafka.idempotent_producer(broker.bootstrap_servers, admin)
    await producer.start()
    try:
        await producer.send_and_wait("ipro.events", b"{}", b"k")
    finally:
        await producer.stop()

    with pytest.raises(TopicAuthorizationFailedError):
        await first_record("partners", broker, "ipro.events", prefixed=False)


async def test_every_service_writes_the_journal_and_only_projections_and_audit_read_it(
    broker, topics_made_by_their_writers
):
    for service in SERVICES:
        await write_one(service, broker, journal.TOPIC)

    for reader in ("projections", "audit"):
        assert await first_record(reader, broker, journal.TOPIC) == b'{"written": "by assessment"}'
    with pytest.raises(TopicAuthorizationFailedError):
        await first_record("partners", broker, journal.TOPIC)


async def test_a_service_alone_writes_its_checkpoints_and_reads_them_back_and_audit_and_projections_read_them(
    broker, topics_made_by_their_writers
):
    await write_one("assessment", broker, "assessment.checkpoints")

    for reader in ("assessment", "audit", "projections"):
        assert await first_record(reader, broker, "assessment.checkpoints") == b'{"written": "by assessment"}'
    with pytest.raises(TopicAuthorizationFailedError):
        await first_record("programmes", broker, "assessment.checkpoints")
    with pytest.raises(TopicAuthorizationFailedError):
        await write_one("ipro", broker, "assessment.checkpoints")
    with pytest.raises(TopicAuthorizationFailedError):
        await write_one("projections", broker, "assessment.checkpoints")


def settings_of(principal: str, broker: LocalKafka) -> ServiceSettings:
    """The service's own settings class, as its deployment would fill it: prefix, credentials, one node."""
    settings_class: type[ServiceSettings] = ServiceSettings
    if principal in SERVICES:
        module = importlib.import_module(f"{principal}.settings")
        settings_class = next(
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, ServiceSettings) and value is not ServiceSettings
        )
    assert broker.sasl is not None
    return settings_class(
        database_url="postgresql://unused",
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_topic_prefix=PREFIX,
        kafka_replication_factor=1,
        kafka_min_insync_replicas=1,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_username=principal,
        kafka_sasl_password=broker.sasl.users[principal],
    )


async def write_one(service: str, broker: LocalKafka, *topics: str) -> None:
    settings = settings_of(service, broker)
    producer = kafka.idempotent_producer(settings.kafka_bootstrap_servers, settings.kafka_security())
    await producer.start()
    try:
        for topic in topics:
            await producer.send_and_wait(
                settings.topic(topic), f'{{"written": "by {service}"}}'.encode(), b"k"
            )
    finally:
        await producer.stop()


async def first_record(principal: str, broker: LocalKafka, topic: str, prefixed: bool = True) -> bytes:
    """The first record of `topic` read as `principal`, without a consumer group, as the services read."""
    settings = settings_of(principal, broker)
    consumer = AIOKafkaConsumer(
        settings.topic(topic) if prefixed else topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **settings.kafka_security().client_options(),
    )
    await consumer.start()
    try:
        return (await asyncio.wait_for(consumer.getone(), 30)).value
    finally:
        await consumer.stop()
