"""When a conflict's transition is told on `projections.events` (ADR 29): what changes what was told, later in
event time than the last thing told; so that replaying the topics tells nothing twice."""

from datetime import datetime

from kernel.clock import LOCAL_TIME_ZONE
from projections.schedule.publication import Step, Told, Transition, stream_of, worth_telling

ROW = {"conflict_id": "room_double_booked|salle 1|x|y"}


def at(hour: int) -> datetime:
    return datetime(2031, 3, 11, hour, tzinfo=LOCAL_TIME_ZONE)


def told(step: Step, hour: int) -> Told:
    return Told(open=step is Step.DETECTED, at=at(hour), step=step)


def transition(step: Step, hour: int) -> Transition:
    return Transition(ROW, step, at(hour))


def test_a_conflict_never_told_is_told_when_it_appears_and_not_when_it_ends():
    assert worth_telling(None, transition(Step.DETECTED, 9))
    assert not worth_telling(None, transition(Step.RESOLVED, 10))
    assert not worth_telling(None, transition(Step.WITHDRAWN, 9))


def test_its_end_is_told_after_its_appearance_and_it_may_appear_again_later():
    assert worth_telling(told(Step.DETECTED, 9), transition(Step.RESOLVED, 10))
    assert worth_telling(told(Step.RESOLVED, 10), transition(Step.DETECTED, 11))
    # Moved away then back by events of one instant: the end comes first.
    assert worth_telling(told(Step.RESOLVED, 10), transition(Step.DETECTED, 10))


def test_what_does_not_change_what_was_told_is_not_told():
    assert not worth_telling(told(Step.DETECTED, 9), transition(Step.DETECTED, 10))
    assert not worth_telling(told(Step.RESOLVED, 10), transition(Step.RESOLVED, 11))
    assert not worth_telling(told(Step.RESOLVED, 10), transition(Step.WITHDRAWN, 11))


def test_a_replay_of_history_already_told_tells_nothing():
    """Told: detected at 9, resolved at 10, detected again at 11. A rebuild walks the same history again."""
    last = told(Step.DETECTED, 11)
    assert not worth_telling(last, transition(Step.DETECTED, 9))
    assert not worth_telling(last, transition(Step.RESOLVED, 10))
    assert not worth_telling(last, transition(Step.DETECTED, 11))
    resolved = told(Step.RESOLVED, 10)
    assert not worth_telling(resolved, transition(Step.DETECTED, 9))


def test_a_conflict_that_never_existed_in_event_time_is_withdrawn_once():
    """Detected at 9 because two streams were read out of order, then taken back by the late event."""
    assert worth_telling(told(Step.DETECTED, 9), transition(Step.WITHDRAWN, 9))
    # Read again in the same order, the detection it took back is not told again.
    assert not worth_telling(told(Step.WITHDRAWN, 9), transition(Step.DETECTED, 9))


def test_a_conflicts_stream_is_named_by_its_id_alone():
    assert stream_of(ROW["conflict_id"]) == stream_of("room_double_booked|salle 1|x|y")
    assert stream_of(ROW["conflict_id"]) != stream_of("room_double_booked|salle 2|x|y")
    assert "salle" not in stream_of(ROW["conflict_id"])
