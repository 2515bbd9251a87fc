"""A case recorded under version 1 of `assessment.case.opened` (offence categories inside the sentence, before
they travelled apart: ADR 25) still reads: the upcaster drops its categories, and the case answers with none
rather than a 500."""

from datetime import date

import pytest

from contracts import Actor
from contracts.assessment import CaseOpenedV1, Identity, OffenceCategory, SentenceV1
from kernel.eventstore import Metadata

from .flows import ok

pytestmark = pytest.mark.integration


async def test_a_case_opened_under_version_1_answers_with_no_offence_category(app, api, as_role):
    opened = CaseOpenedV1(
        case_id="case-v1",
        subject_id="person-v1",
        identity=Identity(
            last_name="Martin", first_names="Lucas", birth_date=date(1994, 3, 12), ecrou_number="1"
        ),
        establishment="InSERRE Arras",
        admission_date=date(2026, 1, 5),
        sentence=SentenceV1(
            short_sentence=False,
            total_length_months=30,
            expected_end_date=date(2028, 1, 5),
            offence_categories=[OffenceCategory.THEFT],
        ),
    )
    actor = Actor(subject="dpip-1", role="dpip")
    await app.state.event_store.append(
        "case", "case-v1", 0, [opened], Metadata(actor=actor), subject="person-v1"
    )
    case = await ok(await api.get("/cases/case-v1", headers=as_role("dpip")))
    assert case["sentence"]["offence_categories"] == []
    assert case["sentence"]["expected_end_date"] == "2028-01-05"
