"""What the kernel's own tests share: sample events (the kernel knows no business word), the test broker's
topic policy."""

from datetime import date
from typing import ClassVar

from contracts import Actor, Event, personal_data
from contracts.events import Value
from kernel.eventstore import Metadata
from kernel.kafka import TopicPolicy

# The test broker is one node.
ONE_NODE = TopicPolicy(partitions=3, replication_factor=1, min_insync_replicas=1)


class SampleRecorded(Event):
    event_type: ClassVar[str] = "kerneltest.sample.recorded"
    schema_version: ClassVar[int] = 1
    number: int


class SecretNoted(Event):
    event_type: ClassVar[str] = "kerneltest.secret.noted"
    schema_version: ClassVar[int] = 1
    restricted: ClassVar[bool] = True
    note: str


class Person(Value):
    name: str = personal_data(min_length=1, max_length=100)
    born_on: date = personal_data()
    nickname: str | None = personal_data(default=None)
    town: str = "Arras"


class PersonNoted(Event):
    """An event with personal fields at every depth: sealed by a store with a keyring (issue 17)."""

    event_type: ClassVar[str] = "kerneltest.person.noted"
    schema_version: ClassVar[int] = 1
    person: Person
    helpers: list[str] = personal_data(min_length=1, max_length=5)
    companions: list[Person] = []
    note: str = personal_data(default="", max_length=100)
    count: int = 0


def a_person_noted(**overrides) -> PersonNoted:
    values = dict(
        person=Person(name="Lefèvre", born_on=date(1990, 5, 17), nickname="Jo la Frite"),
        helpers=["Mme Durand"],
        companions=[Person(name="Martin", born_on=date(1985, 1, 2))],
        note="Suivi renforcé",
        count=3,
    )
    return PersonNoted(**{**values, **overrides})


def metadata(**overrides) -> Metadata:
    values = dict(actor=Actor(subject="cpip-42", role="cpip"), correlation_id="corr-1")
    return Metadata(**{**values, **overrides})
