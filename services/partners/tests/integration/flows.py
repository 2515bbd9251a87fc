"""Steps through the partners API that several integration tests share, each asserting its own success."""

from datetime import date, datetime, timedelta

from devinfra.testkit import ok, valid_siret


def call_body(today: date, **overrides) -> dict:
    return {
        "title": "Espace citoyen 2027",
        "theme": "Espace citoyen",
        "establishment": "InSERRE Arras",
        "description": "Actions d'insertion en détention",
        "opens_on": str(today - timedelta(days=1)),
        "closes_on": str(today + timedelta(days=30)),
        "target_themes": ["job_search_workshop", "citizenship", "job_forum"],
        "eligibility_notes": "",
        **overrides,
    }


def proposal_content(first_session: datetime, **overrides) -> dict:
    return {
        "title": "Atelier CV et lettre de motivation",
        "action_type": "job_search_workshop",
        "objectives": "Rédiger un CV",
        "target_public": "Personnes à 6 mois de la sortie",
        "prerequisites": "",
        "capacity_min": 4,
        "capacity_max": 10,
        "planned_sessions": [
            {"starts_at": first_session.isoformat(), "duration_minutes": 120, "place": "Salle 1"}
        ],
        "facilitators": ["Camille Martin"],
        "resources_needed": "Vidéoprojecteur",
        **overrides,
    }


async def published_call(api, as_role, today: date, **overrides) -> dict:
    call = await ok(
        await api.post("/calls", json=call_body(today, **overrides), headers=as_role("ipro_chef")), 201
    )
    return await ok(await api.post(f"/calls/{call['call_id']}/publish", headers=as_role("ipro_chef")))


async def accredited_partner(api, as_role, n: int, today: date, name: str = "Association") -> dict:
    body = {"name": f"{name} {n}", "siret": valid_siret(n), "organisation_type": "association"}
    partner = await ok(await api.post("/partners", json=body, headers=as_role("ipro_chef")), 201)
    accreditation = {"establishment": "InSERRE Arras", "accredited_until": str(today + timedelta(days=365))}
    return await ok(
        await api.post(
            f"/partners/{partner['partner_id']}/accredit", json=accreditation, headers=as_role("dpip")
        )
    )


async def approved_action(api, as_role, call_id: str, partner_id: str, content: dict) -> dict:
    """A proposal drafted, submitted, reviewed and approved: returns the catalogue action created."""
    partner = as_role("partenaire", organisation_id=partner_id)
    proposal = await ok(
        await api.post("/proposals", json={"call_id": call_id, "content": content}, headers=partner), 201
    )
    url = f"/proposals/{proposal['proposal_id']}"
    await ok(await api.post(f"{url}/submit", headers=partner))
    await ok(await api.post(f"{url}/start-review", headers=as_role("ripro")))
    approved = await ok(await api.post(f"{url}/approve", headers=as_role("ripro")))
    return await ok(await api.get(f"/actions/{approved['action_id']}", headers=partner))


async def registered_partner(api, as_role, n: int, name: str = "Association") -> dict:
    """An organisation registered but not (yet) accredited for access to the establishment."""
    body = {"name": f"{name} {n}", "siret": valid_siret(n), "organisation_type": "association"}
    return await ok(await api.post("/partners", json=body, headers=as_role("ipro_chef")), 201)


async def scheduled_session(
    api,
    headers: dict,
    action_id: str,
    starts_at: datetime,
    *,
    place: str = "Salle 1",
    facilitators: tuple[str, ...] = ("Camille Martin",),
    duration_minutes: int = 120,
) -> str:
    """Schedules a session of the action and returns its id."""
    url = f"/actions/{action_id}"
    known = {s["session_id"] for s in (await ok(await api.get(url, headers=headers)))["sessions"]}
    body = {
        "starts_at": starts_at.isoformat(),
        "duration_minutes": duration_minutes,
        "place": place,
        "facilitators": list(facilitators),
    }
    action = await ok(await api.post(f"{url}/sessions", json=body, headers=headers), 201)
    (session_id,) = {s["session_id"] for s in action["sessions"]} - known
    return session_id
