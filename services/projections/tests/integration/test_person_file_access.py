"""Who reads what of a person's file (issue 14, ARCHITECTURE.md §6), as a matrix over every role: SPIP roles
by caseload or need to know, IPRO roles and the direction their part without offence categories nor
programme names, auditors a pseudonymised file, partners nothing; and every read that shows something is
recorded as a consultation."""

from datetime import UTC, datetime

import pytest

from devinfra.testkit import BREAK_GLASS_REASON, assert_refused, break_glass, ok, pseudonym_of, serving
from kernel.journal import MemoryJournal
from projections.bootstrap import create_app
from projections.person_file import ingest
from services.projections.tests.person_history import two_people

pytestmark = pytest.mark.integration

NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)
FILE = "/persons/person-1/file"

SPIP_FULL = {"identity": True, "offences": True, "programmes": True, "actor_ids": True}
PROFESSIONAL = {"identity": True, "offences": False, "programmes": False, "actor_ids": False}
PSEUDONYMISED = {"identity": False, "offences": True, "programmes": True, "actor_ids": False}

MATRIX = [
    # role, user, what they read (None: refused with this rule)
    ("dpip", "dpip-1", SPIP_FULL),
    ("cpip", "cpip-durand", SPIP_FULL),  # the referent
    ("cpip", "cpip-autre", "not-on-caseload"),
    ("psychologue", "psy-1", SPIP_FULL),  # asked to contribute to the assessment
    ("psychologue", "psy-2", "not-on-caseload"),
    ("assistant_social", "as-1", "not-on-caseload"),
    ("ipro_conseiller", "cip-leroy", PROFESSIONAL),
    ("ipro_chef", "ipro-chef-1", PROFESSIONAL),
    ("ripro", "ripro-1", PROFESSIONAL),
    ("direction", "direction-1", PROFESSIONAL),
    ("auditeur", "auditeur-1", PSEUDONYMISED),
    ("partenaire", "partner-user", "role-not-allowed"),
]


@pytest.fixture
async def api(views_settings, apply_all, infrastructure, dev_keys):
    await apply_all(ingest.apply, *two_people().envelopes)
    settings = views_settings
    async with serving(create_app(settings, clock=lambda: NOW)) as client:

        def as_user(role: str, user: str) -> dict[str, str]:
            organisation = "partner-1" if role == "partenaire" else None
            return {
                "Authorization": f"Bearer {dev_keys.mint(role, subject=user, organisation_id=organisation)}"
            }

        yield client, as_user


async def test_each_role_reads_its_part_of_the_file_and_each_read_is_recorded(api):
    client, as_user = api
    shown = 0
    for role, user, expected in MATRIX:
        headers = as_user(role, user)
        if isinstance(expected, str):
            for url in (FILE, f"{FILE}.html", f"{FILE}/changes"):
                assert_refused(await client.get(url, headers=headers), 403, expected, role, user)
            continue
        file = await ok(await client.get(FILE, headers=headers))
        page = await client.get(f"{FILE}.html", headers=headers)
        assert page.status_code == 200, (role, page.text)
        shown += 2
        await ok(await client.get(f"{FILE}/changes", headers=headers))  # shows nothing: not a consultation
        seen = {
            "identity": file["identity"] is not None and file["identity"]["last_name"] == "Lefèvre",
            "offences": bool(file["case"]["sentence"]["offence_categories"]),
            "programmes": bool(file["programmes"]),
            "actor_ids": any(
                e["actor_id"] and not e["actor_id"].startswith("acteur-") for e in file["timeline"]
            ),
        }
        assert seen == expected, (role, user)
        assert ("Lefèvre" in page.text) == expected["identity"], (role, user)
        assert ("violences" in page.text) == expected["offences"], (role, user)
        assert "Benali" not in str(file) and "person-2" not in str(file)  # the other participant

    history = await ok(await client.get("/persons/person-1/consultations", headers=as_user("dpip", "dpip-1")))
    assert history["total"] == shown
    assert {(c["role"], c["format"]) for c in history["items"]} >= {("auditeur", "json"), ("ripro", "html")}


async def test_an_unknown_person_is_not_found_and_nobody_but_staff_may_search(api):
    client, as_user = api
    assert_refused(
        await client.get("/persons/person-9/file", headers=as_user("dpip", "dpip-1")), 404, "person-not-found"
    )
    found = await ok(
        await client.get("/persons", params={"q": "lefèvre"}, headers=as_user("ipro_conseiller", "c"))
    )
    assert [p["subject_id"] for p in found["items"]] == ["person-1"]
    for role in ("auditeur", "partenaire"):
        refused = await client.get("/persons", params={"q": "lefèvre"}, headers=as_user(role, "u"))
        assert_refused(refused, 403, "role-not-allowed", role)


async def test_an_auditor_reads_the_identity_under_a_pseudonym_or_in_clear_breaking_the_glass(
    views_settings, apply_all, dev_keys
):
    await apply_all(ingest.apply, *two_people().envelopes)
    app = create_app(views_settings, clock=lambda: NOW)
    app.state.journal = MemoryJournal()
    auditor = {"Authorization": f"Bearer {dev_keys.mint('auditeur', subject='auditeur-1')}"}
    async with serving(app) as client:
        file = await ok(await client.get(FILE, headers=auditor))
        page = await client.get(f"{FILE}.html", headers=auditor)
        clear = await ok(await client.get(FILE, headers={**auditor, **break_glass()}))
        short = await client.get(FILE, headers={**auditor, **break_glass("pour voir")})
        history = await ok(await client.get("/persons/person-1/consultations", headers=as_dpip(dev_keys)))
    assert file["identity"]["last_name"] == pseudonym_of("person-1") and "Lefèvre" not in str(file)
    assert pseudonym_of("person-1") in page.text and "Lefèvre" not in page.text
    assert clear["identity"]["last_name"] == "Lefèvre"
    assert_refused(short, 422, "break-glass-reason-too-short")
    json_read, html_read, glass, refused = app.state.journal.entries[:4]
    assert (glass.break_glass, glass.purpose, glass.subject_ids) == (
        True,
        "bris-de-glace: " + BREAK_GLASS_REASON,
        ["person-1"],
    )
    assert not (json_read.break_glass or html_read.break_glass or refused.break_glass)
    assert refused.status == 422
    readings = {(c["reading"], c["purpose"]) for c in history["items"] if c["role"] == "auditeur"}
    assert readings == {("audit", ""), ("audit_break_glass", "bris-de-glace: " + BREAK_GLASS_REASON)}


def as_dpip(dev_keys) -> dict[str, str]:
    return {"Authorization": f"Bearer {dev_keys.mint('dpip', subject='dpip-1')}"}
