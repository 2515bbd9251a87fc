"""Auditors read pseudonymised (issue 18 #3, ADR 31): no name of a participant reaches them here (the register
is for facilitators and DPIPs), and what the contracts mark personal on a group, its facilitators, reads
masked unless they break the glass, which the journal records with its purpose."""

import pytest

from devinfra.testkit import BREAK_GLASS_REASON, assert_refused, break_glass, ok
from kernel.journal import MemoryJournal
from kernel.pseudonyms import MASKED_TEXT
from programmes.bootstrap import create_app

from .flows import planned_group

pytestmark = pytest.mark.integration


@pytest.fixture
def app(programmes_settings, clock):
    built = create_app(programmes_settings, clock=clock)
    built.state.journal = MemoryJournal()
    return built


async def test_an_auditor_reads_a_group_without_its_facilitators_unless_breaking_the_glass(
    app, api, as_role, clock
):
    group = await planned_group(api, as_role, "programme-cairn", clock.now.date(), facilitators=["cpip-2"])
    url, auditor = f"/groups/{group['group_id']}", as_role("auditeur")

    masked = await ok(await api.get(url, headers=auditor))
    clear = await ok(await api.get(url, headers={**auditor, **break_glass()}))
    short = await api.get(url, headers={**auditor, **break_glass("x" * 19)})
    dpip = await ok(await api.get(url, headers=as_role("dpip")))

    assert masked["facilitators"] == [MASKED_TEXT] and masked["room"] == dpip["room"]
    assert clear == dpip and clear["facilitators"] == ["cpip-2"]
    assert_refused(short, 422, "break-glass-reason-too-short")
    entries = [e for e in app.state.journal.entries if e.role == "auditeur"]
    assert [(e.status, e.break_glass, e.purpose) for e in entries] == [
        (200, False, ""),
        (200, True, "bris-de-glace: " + BREAK_GLASS_REASON),
        (422, False, "bris-de-glace: " + "x" * 19),
    ]
