"""Every free text of an event about one person is personal data (issue 17, ADR 24's addendum on free texts):
sealed with their key, erased with them. A text field of the types written about people (assessment, IPRO, a
programme referral) that the contracts do not mark fails here until it is classified: marked `personal_data`,
or listed below with why it describes no one. A text about one person in an event about several (a group's
attendance marks) is sealed with that person's key, not the event's."""

from __future__ import annotations

import typing
from collections.abc import Iterator

from pydantic import BaseModel

from contracts import Event, known_events, parse_payload
from contracts.events import PERSONAL_DATA
from contracts.ipro import GoalStatusChanged
from contracts.programmes import AttendanceRecorded, GroupPlanned
from contracts.registry import latest_version
from kernel.sealing import Each, Leaf, plan_of

ABOUT_PEOPLE = ("assessment.", "ipro.", "programmes.referral.", "programmes.group.")

# Texts of those types that describe no one: user ids, establishments, labels of things, codes.
NOT_ABOUT_THE_PERSON = {
    # Who acts (a user id), and where.
    "assessment.assessment.contribution_requested:contributor",
    "assessment.assessment.submitted:submitted_by",
    "assessment.case.referent_assigned:referent",
    "assessment.deadline.missed:referent",
    "assessment.interview.scheduled:officer",
    "ipro.deadline.synthesis_missed:adviser",
    "ipro.pathway.adviser_assigned:adviser",
    "assessment.case.opened:establishment",
    "assessment.case.transferred:establishment",
    "assessment.deadline.missed:establishment",
    "assessment.interview.scheduled:establishment",
    "ipro.deadline.synthesis_missed:establishment",
    "ipro.pathway.opened:establishment",
    "programmes.referral.requested:establishment",
    "programmes.referral.completion_certificate_issued:establishment",
    "programmes.group.planned:establishment",
    # Labels of a trade, an action, a training, a post, a programme, a room: the catalogue's words.
    "ipro.pathway.profile_recorded:profile.target_trades.label",
    "ipro.positioning.proposed:title",
    "ipro.positioning.proposed:place",
    "ipro.positioning.moved:place",
    "ipro.training.enrolled:body",
    "ipro.training.enrolled:title",
    "ipro.training.enrolled:certification",
    "ipro.work.affectation_decided:employer",
    "ipro.work.affectation_decided:post",
    "ipro.work.affectation_decided:workshop",
    "ipro.work.employer_interview_held:employer",
    "ipro.work.employer_interview_held:post",
    "programmes.referral.completion_certificate_issued:programme_code",
    "programmes.referral.completion_certificate_issued:programme_name",
    "programmes.group.planned:room",
    "programmes.group.planned:sessions.room",
    "programmes.group.catch_up_session_added:session.room",
    "programmes.group.session_moved:room",
    "assessment.interview.scheduled:place",
    "assessment.interview.rescheduled:place",
    # How to appeal a refused classement: the same words for everyone.
    "ipro.work.classement_refused:appeal_information",
    # Codes of the eligibility rules a person failed.
    "programmes.referral.refused:failed_rules",
    # A group's own life: a cancelled session, a start below the minimum; how a participant left (a code).
    "programmes.group.participant_left:reason",
    "programmes.group.session_cancelled:reason",
    "programmes.group.started:below_minimum_reason",
}


def unmarked_texts(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """The paths of a model's text fields (a string or a list of them, not an id, a pattern or a code) that
    are not marked personal, nested values included."""
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        inner = _inner(field.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from unmarked_texts(inner, f"{prefix}{name}.")
        elif (
            inner is str
            and not extra.get(PERSONAL_DATA)
            and not name.endswith("_id")
            and not any(getattr(rule, "pattern", None) for rule in field.metadata)
        ):
            yield prefix + name


def _inner(annotation: typing.Any) -> typing.Any:
    """A field's type without `None` and a list around it."""
    kinds = [a for a in (typing.get_args(annotation) or (annotation,)) if a is not type(None)]
    kind = kinds[0] if kinds else annotation
    if typing.get_origin(kind) is list:
        return typing.get_args(kind)[0]
    return kind


def current_about_people() -> list[type[Event]]:
    return [
        cls
        for cls in known_events()
        if cls.event_type.startswith(ABOUT_PEOPLE) and cls.schema_version == latest_version(cls.event_type)
    ]


def test_every_free_text_about_a_person_is_marked_or_classified():
    found = {f"{cls.event_type}:{path}" for cls in current_about_people() for path in unmarked_texts(cls)}
    assert found - NOT_ABOUT_THE_PERSON == set(), "mark them personal_data or classify them"
    assert found >= NOT_ABOUT_THE_PERSON, "a classified text is gone: update the lists"


def test_the_reader_finds_what_it_should():
    """It sees through lists, optional values and value objects, and leaves ids and marked texts out."""
    assert set(unmarked_texts(GroupPlanned)) == {"establishment", "room", "sessions.room"}
    assert set(unmarked_texts(AttendanceRecorded)) == set()  # the marks' reasons are marked


def test_an_attendance_marks_reason_is_sealed_with_its_participants_key():
    """A group's stream has no person's key: each mark names its participant, whose key seals its reason, so
    that their erasure erases it, and only it."""
    marks = plan_of(AttendanceRecorded)["marks"]
    assert marks == Each({"reason": Leaf("[effacé]")}, key_from="subject_id")
    assert "subject_id" in AttendanceRecorded.model_fields["marks"].annotation.__args__[0].model_fields


def test_an_attendance_recorded_before_version_2_reads_as_it_was_written_naming_no_participant():
    written = {
        "group_id": "group-1",
        "session_id": "group-1-s1",
        "marks": [{"referral_id": "referral-1", "mark": "absent_excused", "reason": "Malade"}],
    }

    event = parse_payload(AttendanceRecorded.event_type, 1, written)

    assert isinstance(event, AttendanceRecorded)
    assert [(m.referral_id, m.subject_id, m.reason) for m in event.marks] == [("referral-1", None, "Malade")]


def test_a_goal_ended_by_the_release_says_so_in_a_code_that_is_not_sealed():
    """The release's `released` outlives the person's erasure; a reason, free text, is sealed with their key."""
    plan = plan_of(GoalStatusChanged)
    assert "reason" in plan and "released" not in plan
    assert GoalStatusChanged.model_fields["released"].annotation is bool
