"""Pseudonymised reads (kernel.pseudonyms, ADR 31): what an auditor reads of a person, the same pseudonym on
every route, a break-glass read in clear and what the journal keeps of it. A service app with a memory
journal; no infrastructure."""

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

import httpx
import jwt
import pytest
from fastapi import Depends
from fastapi.responses import HTMLResponse
from prometheus_client import REGISTRY
from pydantic import BaseModel

from contracts import not_personal_data, personal_data
from contracts.roles import ESTABLISHMENT
from devinfra.testkit import headers_for
from devinfra.tokens import ACCESS_TOKEN_TYPE, AUDIENCE, DEV_ESTABLISHMENTS, ISSUER
from kernel.api import Id
from kernel.auth import Principal, allow
from kernel.http import service_router
from kernel.journal import Journal, MemoryJournal
from kernel.pseudonyms import MASKED_DATE, MASKED_TEXT, Pseudonyms, break_glass_reason
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings

SECRET = "pseudonyms-of-the-kernel-tests-0123456789"
REASON = "signalement du DPO n° 2026-114 sur ce dossier"
router = service_router("/cases")
Reader = Annotated[Principal, Depends(allow("dpip", "auditeur"))]
DirectorOnly = Annotated[Principal, Depends(allow("dpip"))]


class Status(StrEnum):
    DECLINED = "support_declined"


def a_case(case_id: str) -> dict:
    return {
        "case_id": case_id,
        "subject_id": "p-7",
        "identity": {
            "last_name": "Martin",
            "first_names": "Lucas",
            "birth_date": "1994-03-12",
            "ecrou_number": "62041",
        },
        "interviews": [{"held_on": "2026-11-02", "notes": "Lucas parle de sa sœur Julie"}],
        "establishment": "CP de Lille-Annœullin",
    }


@router.get("/{case_id}")
async def read_case(case_id: Id, _principal: Reader, journal: Journal):
    journal.consulted(subject_id="p-7")
    return a_case(case_id)


@router.get("")
async def list_cases(_principal: Reader, journal: Journal):
    journal.consulted(subject_ids=["p-7", "p-8"])
    return [
        {"subject_id": "p-7", "last_name": "Martin", "first_names": "Lucas"},
        {"subject_id": "p-8", "last_name": "Durand", "first_names": "Inès"},
    ]


class Referral(BaseModel):
    subject_id: str
    status: Literal["withdrawn", "ended"]
    # A view's own name for an event's free text, marked as the contracts mark theirs.
    end_reason: str | None = personal_data()
    history: list[tuple[Status, str]] = personal_data()


@router.get("/{case_id}/referral", response_model=Referral)
async def read_referral(case_id: Id, _principal: Reader, journal: Journal):
    journal.consulted(subject_id="p-7")
    return Referral(
        subject_id="p-7",
        status="withdrawn",
        end_reason="Son frère Yanis est incarcéré",
        history=[(Status.DECLINED, "Lucas préfère attendre")],
    )


@router.get("/{case_id}/for-directors")
async def read_case_as_a_director(case_id: Id, _principal: DirectorOnly, journal: Journal):
    journal.consulted(subject_id="p-7")
    return a_case(case_id)


@router.get("/{case_id}/page")
async def page(case_id: Id, _principal: Reader, journal: Journal) -> HTMLResponse:
    case = journal.disclose(a_case(case_id))
    return HTMLResponse(f"<h1>{case['identity']['last_name']}</h1>")


@router.get("/{case_id}/forgetful-page")
async def forgetful_page(case_id: Id, _principal: Reader, journal: Journal) -> HTMLResponse:
    return HTMLResponse(f"<h1>{a_case(case_id)['identity']['last_name']}</h1>")


class Settings(ServiceSettings):
    database_url: str = "postgresql://unused/unused"


def app_with(dev_keys, **settings):
    definition = ServiceDefinition(name="test", roles=ESTABLISHMENT, routers=[router])
    built = create_service_app(definition, Settings(auth_jwks_file=dev_keys.jwks_path, **settings))
    built.state.journal = MemoryJournal()
    return built


@pytest.fixture
def app(dev_keys):
    return app_with(dev_keys, pseudonym_secret=SECRET)


@pytest.fixture
def as_role(dev_keys):
    return headers_for(dev_keys)


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://testserver"
    )


def break_glass(reason: str = REASON) -> str:
    from urllib.parse import quote

    return quote(f"bris-de-glace: {reason}")


def pseudonym(subject_id: str) -> str:
    return Pseudonyms(SECRET.encode(), frozenset()).of(subject_id)


def holding(dev_keys, *roles: str, **extra: str) -> dict[str, str]:
    """The headers of one user whose token holds several roles (`DevKeys.mint` makes tokens of one)."""
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "dpip-auditeur-1",
        "roles": list(roles),
        "establishments": list(DEV_ESTABLISHMENTS),
        "iat": now,
        "exp": now + timedelta(minutes=15),
        "jti": uuid.uuid4().hex,
    }
    headers = {"kid": dev_keys.kid, "typ": ACCESS_TOKEN_TYPE}
    return {"Authorization": f"Bearer {jwt.encode(claims, dev_keys.private_key, 'RS256', headers)}", **extra}


def break_glass_reads(user: str) -> float:
    return REGISTRY.get_sample_value("passerelle_break_glass_reads_total", {"user": user}) or 0.0


async def test_an_auditor_reads_a_person_under_their_pseudonym_and_nothing_that_names_them(app, as_role):
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("auditeur"))
    assert response.status_code == 200
    case = response.json()
    assert case["identity"] == {
        "last_name": pseudonym("p-7"),
        "first_names": MASKED_TEXT,
        "birth_date": MASKED_DATE,
        "ecrou_number": MASKED_TEXT,
    }
    assert case["interviews"] == [{"held_on": "2026-11-02", "notes": MASKED_TEXT}]
    assert case["establishment"] == "CP de Lille-Annœullin" and case["case_id"] == "case-9"
    assert "Martin" not in response.text and "Lucas" not in response.text and "62041" not in response.text
    assert int(response.headers["content-length"]) == len(response.content)


async def test_the_fields_an_answer_marks_personal_are_masked_too_their_codes_kept(app, as_role):
    async with client(app) as http:
        masked = (await http.get("/cases/case-9/referral", headers=as_role("auditeur"))).json()
        clear = (await http.get("/cases/case-9/referral", headers=as_role("dpip"))).json()
    assert masked == {
        "subject_id": "p-7",
        "status": "withdrawn",
        "end_reason": MASKED_TEXT,
        "history": [["support_declined", MASKED_TEXT]],
    }
    assert clear["end_reason"] == "Son frère Yanis est incarcéré"
    assert clear["history"] == [["support_declined", "Lucas préfère attendre"]]


async def test_the_same_person_reads_the_same_pseudonym_on_every_route_and_another_person_another(
    app, as_role
):
    async with client(app) as http:
        case = (await http.get("/cases/case-9", headers=as_role("auditeur"))).json()
        listed = (await http.get("/cases", headers=as_role("auditeur"))).json()
    assert listed[0]["last_name"] == case["identity"]["last_name"] == pseudonym("p-7")
    assert listed[1]["last_name"] == pseudonym("p-8") != pseudonym("p-7")
    assert pseudonym("p-7").startswith("P-") and "p-7" not in pseudonym("p-7")


async def test_another_deployment_secret_gives_other_pseudonyms():
    assert Pseudonyms(SECRET.encode(), frozenset()).of("p-7") != Pseudonyms(b"y" * 32, frozenset()).of("p-7")


async def test_a_token_holding_auditeur_and_dpip_reads_pseudonymised_wherever_it_reads(app, dev_keys):
    """Whichever role a route admits them with, nothing tells which one they act in: they read as an auditor,
    in clear only by breaking the glass (ADR 31 addendum)."""
    both = holding(dev_keys, "dpip", "auditeur")
    async with client(app) as http:
        admitting_both = await http.get("/cases/case-9", headers=both)
        admitting_dpip = await http.get("/cases/case-9/for-directors", headers=both)
        broken = await http.get("/cases/case-9/for-directors", headers={**both, "Purpose": break_glass()})
    for response in (admitting_both, admitting_dpip):
        assert response.status_code == 200
        assert response.json()["identity"]["last_name"] == pseudonym("p-7") and "Martin" not in response.text
    assert broken.json() == a_case("case-9")
    entries = app.state.journal.entries
    assert [entry.role for entry in entries] == ["auditeur", "dpip", "dpip"]
    assert [entry.break_glass for entry in entries] == [False, False, True]


async def test_other_roles_read_in_clear_as_before(app, as_role):
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("dpip", Purpose=break_glass("court")))
    assert response.json() == {**a_case("case-9")}
    [entry] = app.state.journal.entries
    assert not entry.break_glass and entry.purpose == "bris-de-glace: court"


async def test_an_auditor_breaking_the_glass_reads_in_clear_and_the_journal_and_counter_say_so(app, as_role):
    before = break_glass_reads("auditeur-1")
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("auditeur", Purpose=break_glass()))
    assert response.status_code == 200 and response.json() == a_case("case-9")
    [entry] = app.state.journal.entries
    assert entry.break_glass and entry.purpose == f"bris-de-glace: {REASON}"
    assert (entry.user, entry.role, entry.subject_ids) == ("auditeur-1", "auditeur", ["p-7"])
    assert break_glass_reads("auditeur-1") == before + 1


async def test_a_break_glass_without_a_reason_of_20_characters_is_refused_and_shows_nothing(app, as_role):
    before = break_glass_reads("auditeur-1")
    async with client(app) as http:
        response = await http.get("/cases/case-9", headers=as_role("auditeur", Purpose=break_glass("vu")))
    assert response.status_code == 422
    assert response.json()["rule"] == "break-glass-reason-too-short" and "Martin" not in response.text
    [entry] = app.state.journal.entries
    assert entry.status == 422 and not entry.break_glass
    assert break_glass_reads("auditeur-1") == before


def test_a_purpose_is_a_break_glass_only_with_the_prefix():
    assert break_glass_reason("bilan annuel") is None
    assert break_glass_reason(f"  Bris-de-glace:  {REASON} ") == REASON


async def test_an_html_page_renders_what_the_journal_disclosed(app, as_role):
    async with client(app) as http:
        shown = await http.get("/cases/case-9/page", headers=as_role("auditeur"))
        clear = await http.get("/cases/case-9/page", headers=as_role("auditeur", Purpose=break_glass()))
    assert shown.text == f"<h1>{pseudonym('p-7')}</h1>" and clear.text == "<h1>Martin</h1>"


async def test_a_page_that_does_not_disclose_answers_500_to_an_auditor_rather_than_a_name(app, as_role):
    async with client(app) as http:
        response = await http.get("/cases/case-9/forgetful-page", headers=as_role("auditeur"))
        dpip = await http.get("/cases/case-9/forgetful-page", headers=as_role("dpip"))
    assert response.status_code == 500 and "Martin" not in response.text
    assert dpip.text == "<h1>Martin</h1>"


async def test_without_the_secret_names_are_masked_without_a_pseudonym(dev_keys, as_role):
    app = app_with(dev_keys)
    async with client(app) as http:
        case = (await http.get("/cases/case-9", headers=as_role("auditeur"))).json()
    assert case["identity"]["last_name"] == MASKED_TEXT


def test_a_secret_under_32_bytes_is_refused():
    with pytest.raises(ValueError, match="PSEUDONYM_SECRET must hold at least 32 bytes"):
        Settings(pseudonym_secret="x" * 31)


def test_counts_flags_and_codes_stay_only_texts_are_masked():
    pseudonyms = Pseudonyms(SECRET.encode(), frozenset())
    seen = pseudonyms.disclose(
        {
            "subject_id": "p-7",
            "facilitators": 2,  # how many, not who
            "events": [
                {"reason": "disciplinary_decision"},  # a code of an enumeration the contracts name `reason`
                {"reason": "Dupont l'a menacé"},  # the free text an identity correction carries
                {"notes": ["Vu avec Julie", ""]},
            ],
            "shared": True,
        }
    )
    assert seen == {
        "subject_id": "p-7",
        "facilitators": 2,
        "events": [
            {"reason": "disciplinary_decision"},
            {"reason": MASKED_TEXT},
            {"notes": [MASKED_TEXT, ""]},
        ],
        "shared": True,
    }


class JournalEntry(BaseModel):
    # The journal's purpose, named like a leave's (which the contracts mark): nobody's data here.
    purpose: str = not_personal_data()


class JournalPage(BaseModel):
    items: list[JournalEntry]


def test_a_field_an_answer_says_is_not_personal_stays_though_the_contracts_mark_its_name():
    pseudonyms = Pseudonyms(SECRET.encode(), frozenset())
    answer = {"items": [{"purpose": "contrôle interne"}]}
    assert pseudonyms.disclose(answer, JournalPage) == answer
    assert pseudonyms.disclose({"purpose": "Stage chez Martin"}) == {"purpose": MASKED_TEXT}  # a leave's
