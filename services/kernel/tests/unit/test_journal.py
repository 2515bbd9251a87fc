"""The consultation journal's middleware: what a read and a refusal leave in the journal, and what happens when
the journal cannot be written. A service app with a memory journal; no infrastructure."""

from typing import Annotated

import httpx
import pytest
from fastapi import Depends

from contracts.roles import ESTABLISHMENT
from devinfra.testkit import headers_for
from kernel.api import Id
from kernel.auth import Principal, allow
from kernel.http import service_router
from kernel.journal import Journal, JournalEntry, MemoryJournal, decode_purpose, is_journaled
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

CORRELATION = "0b8f1a6e-4c5d-4e2f-9a7b-3c1d2e4f5a6b"
router = service_router("/cases")
Reader = Annotated[Principal, Depends(allow("cpip", "dpip"))]
Writer = Annotated[Principal, Depends(allow("dpip"))]


@router.get("/{case_id}")
async def read_case(case_id: Id, _principal: Reader, journal: Journal):
    journal.consulted(subject_id="person-7", establishment="Arras")
    return {"case_id": case_id}


@router.get("")
async def list_cases(_principal: Reader, journal: Journal):
    journal.consulted(subject_ids=["person-1", "person-2"], object_ids=["case-1", "case-2"])
    return []


@router.get("/{case_id}/count")
async def count(case_id: Id, _principal: Reader):
    return 1


@router.post("/{case_id}/close")
async def close(case_id: Id, _principal: Writer):
    return {}


class Settings(ServiceSettings):
    database_url: str = "postgresql://unused/unused"


@pytest.fixture
def app(dev_keys):
    definition = ServiceDefinition(name="test", roles=ESTABLISHMENT, routers=[router])
    built = create_service_app(definition, Settings(auth_jwks_file=dev_keys.jwks_path))
    built.state.journal = MemoryJournal()
    return built


@pytest.fixture
def as_role(dev_keys):
    return headers_for(dev_keys)


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def entries(app) -> list[JournalEntry]:
    return app.state.journal.entries


async def test_a_read_records_who_read_whom_what_when_and_why(app, as_role):
    headers = as_role("dpip", **{"Purpose": "synth%C3%A8se", "X-Correlation-Id": CORRELATION})
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=headers)
    assert response.status_code == 200
    [entry] = entries(app)
    assert (entry.user, entry.role, entry.status) == ("dpip-1", "dpip", 200)
    assert (entry.method, entry.route, entry.service) == ("GET", "/cases/{case_id}", "test")
    assert entry.subject_ids == ["person-7"] and entry.object_ids == ["case-9"]
    assert (entry.establishment, entry.purpose, entry.correlation_id) == ("Arras", "synthèse", CORRELATION)
    assert entry.recorded_at.tzinfo is not None


async def test_a_list_records_every_person_it_showed(app, as_role):
    async with client(app) as http:
        await http.get("/cases", headers=as_role("cpip"))
    [entry] = entries(app)
    assert entry.subject_ids == ["person-1", "person-2"] and entry.subjects_count == 2


async def test_a_refused_role_is_recorded_with_the_caller_the_policy_refused(app, as_role):
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("partenaire", organisation_id="org-1"))
    assert response.status_code == 403
    [entry] = entries(app)
    assert (entry.user, entry.role, entry.organisation_id, entry.status) == (
        "partenaire-1",
        "partenaire",
        "org-1",
        403,
    )
    assert entry.object_ids == ["case-9"] and entry.subject_ids == []


async def test_an_untrusted_token_is_recorded_as_a_refusal_of_no_one(app):
    async with client(app) as http:
        await http.get("/cases/case-9", headers={"Authorization": "Bearer not-a-jwt"})
    [entry] = entries(app)
    assert (entry.user, entry.role, entry.status) == (None, None, 401)


async def test_other_routes_record_their_refusals_only(app, as_role):
    async with client(app) as http:
        assert (await http.get("/cases/case-9/count", headers=as_role("cpip"))).status_code == 200
        assert (await http.post("/cases/case-9/close", headers=as_role("cpip"))).status_code == 403
    [entry] = entries(app)
    assert (entry.method, entry.route, entry.status, entry.user) == (
        "POST",
        "/cases/{case_id}/close",
        403,
        "cpip-1",
    )


async def test_a_read_the_journal_cannot_record_shows_nothing(app, as_role):
    app.state.journal = MemoryJournal(available=False)
    async with client(app) as http:
        read = await http.get("/cases/case-9", headers=as_role("dpip"))
        refused = await http.get("/cases/case-9", headers=as_role("psychologue"))
    assert read.status_code == 503 and read.json()["rule"] == "journal-unavailable"
    assert "case-9" not in read.text and read.headers["Retry-After"]
    assert refused.status_code == 403  # a refusal discloses nothing: still answered


async def test_a_purpose_over_200_characters_is_refused(app, as_role):
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("dpip", Purpose="x" * 201))
    assert response.status_code == 422


def test_purpose_is_percent_decoded_utf8():
    assert decode_purpose("bilan%20d%27%C3%A9tape") == "bilan d'étape"


def test_routes_say_whether_they_are_journaled(app):
    journaled = {
        route.path for route in app.routes if getattr(route, "dependant", None) and is_journaled(route)
    }
    assert journaled == {"/cases/{case_id}", "/cases"}
