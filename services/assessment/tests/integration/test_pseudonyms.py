"""Auditors read people under pseudonyms (issue 18 #3, ADR 31): the same pseudonym on the list and on the case,
nothing that names the person, and the name in clear only through a break-glass read the journal records."""

import pytest

from assessment.bootstrap import create_app
from devinfra.testkit import BREAK_GLASS_REASON, assert_refused, break_glass, ok, pseudonym_of, serving
from kernel.journal import MemoryJournal
from kernel.pseudonyms import MASKED_TEXT

from .flows import opened_case

pytestmark = pytest.mark.integration


async def test_an_auditor_reads_pseudonyms_and_breaks_the_glass_to_read_names(
    assessment_settings, clock, as_role
):
    app = create_app(assessment_settings, clock=clock)
    app.state.journal = MemoryJournal()
    auditor = as_role("auditeur")
    async with serving(app) as api:
        case = await opened_case(api, as_role, clock.now.date())
        url, subject = f"/cases/{case['case_id']}", case["subject_id"]
        listed = await api.get("/cases", headers=auditor)
        read = await api.get(url, headers=auditor)
        clear = await ok(await api.get(url, headers={**auditor, **break_glass()}))
        short = await api.get(url, headers={**auditor, **break_glass("contrôle")})

    [row] = (await ok(listed))["items"]
    assert row["last_name"] == (await ok(read))["identity"]["last_name"] == pseudonym_of(subject)
    assert (await ok(read))["identity"]["first_names"] == MASKED_TEXT
    for answer in (listed, read):
        assert "Martin" not in answer.text and "Lucas" not in answer.text
    # In clear, what an auditor's view holds (no birth date or écrou number: those are for the SPIP).
    assert clear["identity"] == {"last_name": "Martin", "first_names": "Lucas Pierre"}
    assert_refused(short, 422, "break-glass-reason-too-short")

    entries = [e for e in app.state.journal.entries if e.role == "auditeur"]
    assert [(e.route, e.status, e.break_glass) for e in entries] == [
        ("/cases", 200, False),
        ("/cases/{case_id}", 200, False),
        ("/cases/{case_id}", 200, True),
        ("/cases/{case_id}", 422, False),
    ]
    assert entries[2].purpose == "bris-de-glace: " + BREAK_GLASS_REASON and entries[2].subject_ids == [
        subject
    ]
