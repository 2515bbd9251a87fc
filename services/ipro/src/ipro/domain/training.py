"""A vocational training: enrolled → in progress (from its start date) → completed (certification obtained or
not) or dropped out. Its weekly hours may not overlap the person's work or other commitments. Once the person
has left (the pathway is closed), no one is enrolled and a training only ends: the release drops the person
out."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.ipro import (
    TrainingCompleted,
    TrainingDroppedOut,
    TrainingEnrolled,
    TrainingStarted,
    WeeklySlot,
)
from ipro.domain import errors, names
from ipro.domain.calendar import first_collision, slots_valid
from ipro.domain.commands import Command, CompleteTraining, DropOutOfTraining, EnrolInTraining, StartTraining
from ipro.domain.facts import Booking, Commitments, PathwayFacts
from kernel.decider import Decider


class TrainingStatus(StrEnum):
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"


class Training(BaseModel):
    model_config = ConfigDict(frozen=True)

    training_id: str | None = None
    pathway_id: str | None = None
    subject_id: str | None = None
    title: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    schedule: list[WeeklySlot] = []
    status: TrainingStatus = TrainingStatus.ENROLLED
    certification_obtained: bool | None = None

    @property
    def booking(self) -> Booking:
        """The training's weekly hours over its dates, as the person's bookings hold them."""
        return Booking(
            kind="training",
            reference=self.training_id,
            label=names.training(self.title),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            slots=self.schedule,
        )


initial_state = Training()


def decide(command: Command, state: Training, facts: PathwayFacts) -> list[Event]:
    """`facts`: the pathway the training is arranged on; with the person's bookings (`Commitments`) for an
    enrolment."""
    if isinstance(command, EnrolInTraining):
        _open(facts)
        if not isinstance(facts, Commitments):
            raise TypeError("an enrolment is decided knowing the person's bookings")
        return [_enrol(command, state, facts)]
    if state.training_id is None:
        raise errors.TrainingNotFound("no such training")
    if not isinstance(command, DropOutOfTraining):
        _open(facts)
    training = names.training(state.title)
    if state.status in (TrainingStatus.COMPLETED, TrainingStatus.DROPPED_OUT):
        ended = "completed" if state.status == TrainingStatus.COMPLETED else "dropped out of"
        raise errors.TrainingEnded(f"{facts.person} {ended} {training}: it has ended")
    match command:
        case StartTraining():
            if state.status != TrainingStatus.ENROLLED:
                raise errors.TrainingNotEnrolled(f"{training} has already started")
            if command.today < state.starts_on:
                raise errors.TrainingStartsLater(
                    f"{training} starts on {names.day(state.starts_on)}: it is not started before"
                )
            return [TrainingStarted(training_id=state.training_id)]
        case CompleteTraining():
            if state.status != TrainingStatus.IN_PROGRESS:
                raise errors.TrainingNotInProgress(f"{training} completes once it is in progress")
            return [
                TrainingCompleted(
                    training_id=state.training_id,
                    certification_obtained=command.certification_obtained,
                    completed_on=command.today,
                )
            ]
        case DropOutOfTraining():
            return [
                TrainingDroppedOut(
                    training_id=state.training_id, reason=command.reason, released=command.released
                )
            ]
    raise TypeError(f"the training aggregate does not handle {type(command).__name__}")


def _open(pathway: PathwayFacts) -> None:
    if pathway.closed:
        raise errors.PathwayClosed(f"{pathway.person}'s pathway is closed: they have left")


def _enrol(command: EnrolInTraining, state: Training, facts: Commitments) -> TrainingEnrolled:
    if state.training_id is not None:
        raise errors.TrainingAlreadyExists(
            f"{names.training(state.title)} already exists ({command.training_id})"
        )
    if command.ends_on < command.starts_on or not slots_valid(command.schedule):
        raise errors.DatesOutOfOrder("the training ends on or after its start, and each slot after it starts")
    hours = Booking(
        kind="training",
        reference=command.training_id,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        slots=command.schedule,
    )
    if clash := first_collision(hours, facts.bookings):
        raise errors.BookingOverlap(
            f"the hours of {names.training(command.title)} overlap {clash.named}, which {facts.person} is "
            "booked for"
        )
    return TrainingEnrolled(**command.model_dump(), subject_id=facts.subject_id)


def evolve(state: Training, event: Event) -> Training:
    match event:
        case TrainingEnrolled():
            return Training(**event.model_dump(include=set(Training.model_fields)))
        case TrainingStarted():
            return state.model_copy(update={"status": TrainingStatus.IN_PROGRESS})
        case TrainingCompleted():
            return state.model_copy(
                update={
                    "status": TrainingStatus.COMPLETED,
                    "certification_obtained": event.certification_obtained,
                }
            )
        case TrainingDroppedOut():
            return state.model_copy(update={"status": TrainingStatus.DROPPED_OUT})
    return state


training = Decider(stream_type="training", initial_state=initial_state, decide=decide, evolve=evolve)
