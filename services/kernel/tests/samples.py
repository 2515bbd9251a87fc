"""Events used only by the kernel's own tests: the kernel knows no business word."""

from typing import ClassVar

from contracts import Actor, Event
from kernel.eventstore import Metadata


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
