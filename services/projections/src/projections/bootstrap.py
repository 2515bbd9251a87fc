"""The only module that wires the projections service together."""

from pathlib import Path

import asyncpg
from fastapi import FastAPI

from contracts import Event, EventEnvelope
from contracts.roles import ESTABLISHMENT
from contracts.rooms import load_rooms
from kernel.clock import Clock, system_clock
from kernel.consumer import Subscription
from kernel.service import ServiceDefinition, create_service_app
from projections import catalogue, partner_directory
from projections.access_journal import ingest as access_journal
from projections.access_journal.http import router as access_journal_router
from projections.audit_log import ingest as audit_log
from projections.audit_log.http import router as audit_log_router
from projections.checkpoints import ingest as checkpoints
from projections.checkpoints.http import router as checkpoints_router
from projections.coverage import ingest as coverage
from projections.coverage.http import router as coverage_router
from projections.http import router
from projections.indicators import ingest as indicators
from projections.indicators.http import router as indicators_router
from projections.movements.http import router as movements_router
from projections.person_file import ingest as person_file
from projections.person_file.http import router as person_file_router
from projections.person_file.refresher import refresher as person_file_refresher
from projections.queues import ingest as queues
from projections.queues.http import router as queues_router
from projections.schedule import ingest as schedule
from projections.schedule.http import router as schedule_router
from projections.settings import ProjectionsSettings


async def apply_partner_views(connection: asyncpg.Connection, envelope: EventEnvelope, event: Event) -> None:
    """The directory and the catalogue, both from `partners.events`: one consumer feeds them, so each
    event costs one fetch, one transaction and one checkpoint, and both views always stand at the same
    offset. Each `apply` stays idempotent per row: a rebuild replays them together."""
    await partner_directory.apply(connection, envelope, event)
    await catalogue.apply(connection, envelope, event)


# Views that people read rather than the next command: a tenth of a second later, one transaction for every
# event of that tenth instead of one for each, on topics that each command and each file read adds to. The
# person file and the directory stay immediate: a command's effect is looked for there at once.
AT_READING_PACE = {"fetch_min_bytes": 64 * 1024, "fetch_max_wait_ms": 100}
# The same for a log that no one reads within the second: half a second.
FULL_FETCHES = {"fetch_min_bytes": 64 * 1024, "fetch_max_wait_ms": 500}


def subscriptions(settings: ProjectionsSettings, store: object = None) -> list[Subscription]:
    """A view whose `apply` learns new events is rebuilt: `passerelle-dev rebuild projections.partner-views`
    (or `projections.catalogue-places`) empties its tables and replays the topic from offset 0 through the
    new code (ADR 14)."""
    return [
        Subscription(
            name=settings.topic("projections.partner-views"),
            topics=[settings.topic("partners.events")],
            handler=apply_partner_views,
            event_types=partner_directory.EVENT_TYPES | catalogue.EVENT_TYPES,
            tables=partner_directory.TABLES + catalogue.TABLES,
            keeps_events_once=True,  # each row keeps its stream's version: an event at or below it is a no-op
            # Every row is one stream's (a partner's, an action's with its sessions), names are joined when
            # read: order-free across partitions, so a fetch's partitions are written side by side (ADR 40).
            partitions_at_once=3,
        ),
        # The places positionings hold, for the catalogue's seats left: IPRO's topic, rebuilt on its own.
        Subscription(
            name=settings.topic("projections.catalogue-places"),
            topics=[settings.topic("ipro.events")],
            handler=catalogue.apply_place,
            event_types=catalogue.PLACE_EVENT_TYPES,
            tables=catalogue.PLACE_TABLES,
            **AT_READING_PACE,
        ),
        # The person file: every shareable topic, in one consumer, so that a person's events from four
        # services land in one transaction per fetch (ADR 18).
        Subscription(
            name=settings.topic("projections.person-file"),
            topics=[settings.topic(topic) for topic in person_file.TOPICS],
            handler=person_file.apply,
            batch_handler=person_file.apply_batch,
            event_types=person_file.EVENT_TYPES,
            tables=person_file.TABLES,
            partitions_at_once=2,  # a partition's records read while another's are written (ADR 40)
            keeps_events_once=True,  # person_file_events' event_id (ADR 41)
        ),
        # The schedule tells its conflicts as events of its own in the consumer's transaction, yet stays a view
        # (not `appends_events`): a rebuild tells only what was never told (ADR 29).
        Subscription(
            name=settings.topic("projections.schedule"),
            topics=[settings.topic(topic) for topic in schedule.TOPICS],
            handler=schedule.applier(getattr(store, "clock", system_clock), load_rooms(settings.rooms_file)),
            event_types=schedule.EVENT_TYPES,
            tables=schedule.TABLES,
            **AT_READING_PACE,
        ),
        # The InSERRE indicators' facts per person and day; a month is computed from them when asked.
        Subscription(
            name=settings.topic("projections.indicators"),
            topics=[settings.topic(topic) for topic in indicators.TOPICS],
            handler=indicators.apply,
            event_types=indicators.EVENT_TYPES,
            tables=indicators.TABLES,
            **AT_READING_PACE,
        ),
        # The work queues' facts per case, pathway, work file, leave and partner session; a queue is computed from
        # them and the day when asked.
        Subscription(
            name=settings.topic("projections.queues"),
            topics=[settings.topic(topic) for topic in queues.TOPICS],
            handler=queues.apply,
            event_types=queues.EVENT_TYPES,
            tables=queues.TABLES,
            **AT_READING_PACE,
        ),
        # The programming coverage: each person's current needs and the offer with its dates and seats.
        Subscription(
            name=settings.topic("projections.coverage"),
            topics=[settings.topic(topic) for topic in coverage.TOPICS],
            handler=coverage.apply,
            event_types=coverage.EVENT_TYPES,
            tables=coverage.TABLES,
            **AT_READING_PACE,
        ),
        # The log as published, for auditors over HTTP: every topic projections may read, every type (ADR 30).
        Subscription(
            name=settings.topic("projections.audit-log"),
            topics=[settings.topic(topic) for topic in audit_log.TOPICS],
            handler=audit_log.apply,
            record_batch_handler=audit_log.apply_records,
            tables=audit_log.TABLES,
            keeps_events_once=True,  # audit_log's event_id (ADR 41)
            # Every event of eight topics, for auditors, who need not see one within the second.
            **FULL_FETCHES,
        ),
    ]


DEFINITION = ServiceDefinition(
    name="projections",
    roles=ESTABLISHMENT,
    # It records who consulted a person's file, as restricted events of its own.
    routers=[
        router,
        person_file_router,
        schedule_router,
        movements_router,
        queues_router,
        access_journal_router,
        indicators_router,
        coverage_router,
        audit_log_router,
        checkpoints_router,
    ],
    migrations=Path(__file__).parent / "migrations",
    # Its events are a file's consultations and the schedule's conflicts: no command's answer waits for them
    # to be published, and a read's would pay for the relay publishing each one on its own (issue 14).
    relay_pace_seconds=0.1,
    subscriptions=subscriptions,
    # The consultation journal of every service, from `access.journal`: entries are not events of the log,
    # so it is read by a loop of its own (projections.access_journal).
    background=lambda settings, store: {
        "access-journal": access_journal.consumer(settings, store.pool),
        "access-journal-retention": access_journal.pruner(settings, store.pool),
        # The services' signed checkpoints, bare JSON records too: checked against the audit log when read. Not
        # "checkpoints": that name is the service's own checkpointer's (kernel.service), which would replace it.
        "services-checkpoints": checkpoints.consumer(settings, store.pool),
        # The person files kept for reads, folded again as their events arrive (ADR 18 addendum).
        "person-file-refresher": person_file_refresher(
            store.pool, store.clock, settle=settings.person_file_settle_seconds
        ),
    },
)


def create_app(settings: ProjectionsSettings | None = None, *, clock: Clock = system_clock) -> FastAPI:
    return create_service_app(DEFINITION, settings or ProjectionsSettings(), clock=clock)
