"""Auditors read people under pseudonyms (issue 18 #3, ADR 31): the caseload names each person by the
pseudonym every service gives them, and by name only through a break-glass read the journal records."""

import pytest

from devinfra.testkit import BREAK_GLASS_REASON, assert_refused, break_glass, ok, pseudonym_of
from ipro.bootstrap import create_app
from kernel.journal import MemoryJournal
from kernel.pseudonyms import MASKED_TEXT

pytestmark = pytest.mark.integration

SYNTHESIS = "Jean évoque son frère Paul, incarcéré à Lille"


@pytest.fixture
def app(ipro_settings, clock):
    built = create_app(ipro_settings, clock=clock)
    built.state.journal = MemoryJournal()
    return built


async def test_an_auditor_reads_the_caseload_under_pseudonyms_and_by_name_breaking_the_glass(
    app, api, residents, as_role
):
    await residents.admitted("p-ipro-pseudo-1", last_name="Martin", first_names="Jean")
    await residents.admitted("p-ipro-pseudo-2", last_name="Durand", first_names="Inès")
    auditor = as_role("auditeur")

    listed = await api.get("/caseload", headers=auditor)
    clear = await ok(await api.get("/caseload", headers={**auditor, **break_glass()}))
    short = await api.get("/caseload", headers={**auditor, **break_glass("audit")})

    rows = {row["subject_id"]: row for row in (await ok(listed))["items"]}
    assert {s: (r["last_name"], r["first_names"]) for s, r in rows.items()} == {
        "p-ipro-pseudo-1": (pseudonym_of("p-ipro-pseudo-1"), MASKED_TEXT),
        "p-ipro-pseudo-2": (pseudonym_of("p-ipro-pseudo-2"), MASKED_TEXT),
    }
    assert "Martin" not in listed.text and "Durand" not in listed.text
    assert {row["last_name"] for row in clear["items"]} == {"Martin", "Durand"}
    assert_refused(short, 422, "break-glass-reason-too-short")

    entries = [e for e in app.state.journal.entries if e.role == "auditeur"]
    assert [(e.status, e.break_glass) for e in entries] == [(200, False), (200, True), (422, False)]
    assert entries[1].purpose == "bris-de-glace: " + BREAK_GLASS_REASON
    assert sorted(entries[1].subject_ids) == ["p-ipro-pseudo-1", "p-ipro-pseudo-2"]


async def test_an_auditor_reads_a_pathways_history_without_its_free_texts_unless_breaking_the_glass(
    api, residents, as_role
):
    admitted = await residents.admitted("p-ipro-pseudo-3", last_name="Martin", first_names="Jean")
    url = f"/pathways/{admitted['pathway_id']}"
    await ok(
        await api.post(f"{url}/adviser", headers=as_role("ipro_chef"), json={"adviser": "ipro_conseiller-1"})
    )
    written = {"interview_held_on": str(residents.today), "synthesis": SYNTHESIS}
    await ok(await api.post(f"{url}/synthesis", headers=as_role("ipro_conseiller"), json=written))
    auditor = as_role("auditeur")

    history = await api.get(f"{url}/history", headers=auditor)
    clear = await api.get(f"{url}/history", headers={**auditor, **break_glass()})

    masked = [e["payload"]["synthesis"] for e in (await ok(history)) if "synthesis" in e["payload"]]
    assert masked == [MASKED_TEXT] and SYNTHESIS not in history.text
    assert (await ok(clear)) and SYNTHESIS in clear.text
