"""What travels where (issue 17 #3, ADR 25): content the API keeps for SPIP roles, and the need-to-know content
of IPRO, never travels on a shareable topic (`<service>.events`, which every subscribing service reads, the
partner-facing one included). Restricted types go to `<service>.restricted`.

The SPIP-only fields are read from the assessment API's own response models (the full view minus what other
readers get), so a field newly hidden from them fails here until its content is classified."""

from __future__ import annotations

import types
import typing
from typing import Any, Union

import pytest
from pydantic import BaseModel

from assessment.http.assessments import AssessmentSummary, AssessmentView
from assessment.http.cases import CaseView
from assessment.http.interviews import InterviewView
from contracts import Event, known_events
from contracts.registry import latest_version

# Each field the assessment API shows SPIP roles only, and the (event type, field) pairs carrying its content.
CARRIERS: dict[str, list[tuple[str, str]]] = {
    "trigger": [("assessment.assessment.trigger_recorded", "trigger")],
    "domains": [
        ("assessment.assessment.domain_assessed", "rating"),
        ("assessment.assessment.domain_assessed", "evidence"),
    ],
    "protective_factors": [("assessment.assessment.protective_factors_recorded", "factors")],
    "receptivity": [
        ("assessment.assessment.receptivity_recorded", field)
        for field in ("motivation_stage", "cognitive_needs", "literacy_needs", "language_needs")
    ],
    "draft_overall_risk_level": [("assessment.assessment.conclusion_recorded", "overall_risk_level")],
    "draft_priority_axes": [("assessment.assessment.conclusion_recorded", "priority_axes")],
    "contributions": [("assessment.assessment.contribution_added", "text")],
    "return_comments": [("assessment.assessment.returned", "comments")],
    "submitted_by": [("assessment.assessment.submitted", "submitted_by")],
    "contributors": [("assessment.assessment.contribution_requested", "contributor")],
    "offence_categories": [("assessment.case.offences_recorded", "offence_categories")],
    "notes": [("assessment.interview.notes_recorded", "notes")],
}

# The identity's SPIP-only parts travel with the name on `assessment.case.opened`, sealed with the person's key
# (ADR 24): the replicas that name people match on the écrou number, and the erasure destroys them everywhere.
SEALED_IDENTITY = frozenset({"birth_date", "ecrou_number"})

# IPRO's need-to-know content (issue 17 #3): no shareable IPRO type carries it any more.
IPRO_CONTENT: list[tuple[str, str]] = [
    ("ipro.pathway.synthesis_written", "synthesis"),
    ("ipro.pathway.follow_up_interview_held", "notes"),
    ("ipro.pathway.profile_recorded", "health_restrictions"),
    ("ipro.work.cpu_opinion_recorded", "opinion"),
    ("ipro.work.classement_refused", "reasons"),
    ("ipro.work.declassified", "reason"),
]

# Field names that only restricted content bears: a shareable type naming one, at any depth, is a leak.
RESTRICTED_NAMES = frozenset(
    {"trigger", "evidence", "submitted_by", "contributor", "offence_categories", "comments"}
    | {field for _, field in IPRO_CONTENT if field not in {"notes", "reason", "reasons"}}
)
# A programme's eligibility rules name the offence categories it is for, of no one in particular: reference
# data, which the programmes API shows SPIP roles only because a person's enrolment next to them says more.
REFERENCE_DATA = {
    "programmes.programme.created": {"offence_categories"},
    "programmes.programme.revised": {"offence_categories"},
}


def current_types() -> list[type[Event]]:
    """The newest version of each type: what services write today."""
    return [cls for cls in known_events() if cls.schema_version == latest_version(cls.event_type)]


def newest(event_type: str) -> type[Event]:
    (cls,) = [cls for cls in current_types() if cls.event_type == event_type]
    return cls


def fields_at_any_depth(model: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for nested in _models_in(field.annotation):
            names |= fields_at_any_depth(nested)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _union_members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return typing.get_args(annotation)
    return ()


def spip_only_fields() -> set[str]:
    """What the assessment API shows SPIP roles and no other reader, from its response models."""
    hidden = set(AssessmentView.model_fields) - set(AssessmentSummary.model_fields)
    for field in CaseView.model_fields.values():  # `Full | Shared` views: the full one's extra fields
        members = [
            m for m in _union_members(field.annotation) if isinstance(m, type) and issubclass(m, BaseModel)
        ]
        if len(members) > 1:
            full, *shared = members
            for reduced in shared:
                hidden |= set(full.model_fields) - set(reduced.model_fields)
    if InterviewView.model_fields["notes"].annotation is not str:  # blanked for some readers
        hidden.add("notes")
    return hidden


def test_every_field_the_api_keeps_for_spip_roles_is_classified():
    found = spip_only_fields()
    assert {
        "trigger",
        "submitted_by",
        "contributors",
        "offence_categories",
        "notes",
    } <= found  # the reader works
    assert found - set(CARRIERS) - SEALED_IDENTITY == set()


@pytest.mark.parametrize(
    "event_type, field", [pair for pairs in CARRIERS.values() for pair in pairs], ids=lambda v: str(v)
)
def test_spip_only_content_is_carried_by_restricted_types(event_type, field):
    carrier = newest(event_type)
    assert field in carrier.model_fields, f"{event_type} no longer carries {field}: update CARRIERS"
    assert carrier.restricted, f"{event_type} carries {field}, shown to SPIP roles only, on a shareable topic"


@pytest.mark.parametrize("event_type, field", IPRO_CONTENT, ids=lambda v: str(v))
def test_ipro_need_to_know_content_is_off_the_shareable_topic(event_type, field):
    cls = newest(event_type)
    assert cls.restricted or field not in fields_at_any_depth(cls), (
        f"{event_type}.{field} travels on ipro.events"
    )
    kept_by = [c.event_type for c in current_types() if c.restricted and field in fields_at_any_depth(c)]
    assert any(t.startswith("ipro.") for t in kept_by), f"nothing restricted keeps {field} any more"


@pytest.mark.parametrize("cls", [c for c in current_types() if not c.restricted], ids=lambda c: c.event_type)
def test_no_shareable_type_carries_restricted_content(cls):
    assert fields_at_any_depth(cls) & RESTRICTED_NAMES - REFERENCE_DATA.get(cls.event_type, set()) == set()


def test_superseded_versions_are_still_read_but_no_longer_written():
    """The version 1 events stored before stay readable (upcast), the moved fields dropped."""
    from contracts import parse_payload

    started = parse_payload(
        "assessment.assessment.started",
        1,
        {"assessment_id": "a-1", "case_id": "c-1", "kind": "reassessment", "trigger": "Incident"},
    )
    assert "trigger" not in started.model_dump() and not started.restricted
    requested = parse_payload(
        "assessment.assessment.contribution_requested", 1, {"assessment_id": "a-1", "contributor": "psy-1"}
    )
    assert requested.restricted and requested.contributor == "psy-1"
    sentence = {"short_sentence": True, "total_length_months": 10, "expected_end_date": "2027-06-30"}
    opened = parse_payload(
        "assessment.case.opened",
        1,
        {
            "case_id": "c-1",
            "subject_id": "s-1",
            "identity": {
                "last_name": "Durand",
                "first_names": "Jean",
                "birth_date": "1990-01-01",
                "ecrou_number": "62041A",
            },
            "establishment": "CP-MEAUX",
            "admission_date": "2026-01-05",
            "sentence": {**sentence, "offence_categories": ["theft"]},
        },
    )
    assert opened.sentence.model_dump(mode="json", exclude_none=True) == sentence
