"""The seat filler: a seat freed without a user's command (a release ends the person's enrolments) goes to the
waiting list here, in a transaction of its own (kernel review H1). The release reaction commits whatever
happens to the seat; this pass gives it to the first person waiting who is free at the group's times
(`domain/seats.py`), and if that fails (the person was enrolled elsewhere meanwhile), the next pass tries
again."""

from __future__ import annotations

from contracts import Actor
from kernel import logs
from kernel.consumer import describe
from kernel.errors import DomainError
from kernel.eventstore import EventStore, Metadata
from kernel.scheduling import every
from programmes import handlers, queries

log = logs.get_logger(__name__)

SEAT_FILLER = Actor(subject="programmes-seat-filler", role="system")


async def fill_free_seats(store: EventStore) -> int:
    given = 0
    async with store.pool.acquire() as connection:
        waiting = await queries.groups_with_a_free_seat_and_people_waiting(connection)
    for group_id in waiting:
        try:
            async with store.transaction() as session:
                given += await handlers.fill_free_seats(session, group_id, Metadata(actor=SEAT_FILLER))
        except DomainError as error:  # a race lost (a conflict, an overlap): the next pass decides again
            log.warning("seat not given this time", group_id=group_id, error=describe(error))
    return given


def filler(store: EventStore, every_seconds: float):
    return every(every_seconds, lambda: fill_free_seats(store), "free seats given to people waiting")
