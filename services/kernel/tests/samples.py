"""What the kernel's own tests share: sample events (the kernel knows no business word), the test broker's
topic policy."""

from typing import ClassVar

from contracts import Actor, Event
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


def metadata(**overrides) -> Metadata:
    values = dict(actor=Actor(subject="cpip-42", role="cpip"), correlation_id="corr-1")
    return Metadata(**{**values, **overrides})
