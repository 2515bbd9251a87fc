"""The partners service and the projections' directory as separate processes: accreditation and the
published catalogue reach the directory through Kafka."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from devinfra.testkit import ok, valid_siret, wait_for

pytestmark = pytest.mark.integration


async def test_an_accredited_partners_published_action_reaches_the_directory(slice_system, bearer):
    partners, projections = slice_system.url("partners"), slice_system.url("projections")
    chef, today = bearer("ipro_chef"), date.today()
    async with httpx.AsyncClient(timeout=10, base_url=partners) as api:
        call = await ok(
            await api.post(
                "/calls",
                headers=chef,
                json={
                    "title": "Espace citoyen",
                    "theme": "Espace citoyen",
                    "establishment": "InSERRE Arras",
                    "opens_on": str(today - timedelta(days=1)),
                    "closes_on": str(today + timedelta(days=30)),
                    "target_themes": ["citizenship"],
                },
            ),
            201,
        )
        await ok(await api.post(f"/calls/{call['call_id']}/publish", headers=chef))
        partner = await ok(
            await api.post(
                "/partners",
                headers=chef,
                json={
                    "name": "Ligue de l'enseignement",
                    "siret": valid_siret(71),
                    "organisation_type": "association",
                },
            ),
            201,
        )
        partner_id = partner["partner_id"]
        await ok(
            await api.post(
                f"/partners/{partner_id}/accredit",
                headers=chef,
                json={"establishment": "InSERRE Arras", "accredited_until": str(today + timedelta(days=20))},
            )
        )

        own = bearer("partenaire", organisation_id=partner_id)
        proposal = await ok(
            await api.post(
                "/proposals",
                headers=own,
                json={
                    "call_id": call["call_id"],
                    "content": {
                        "title": "Ciné-débat citoyenneté",
                        "action_type": "citizenship",
                        "capacity_min": 5,
                        "capacity_max": 12,
                    },
                },
            ),
            201,
        )
        url = f"/proposals/{proposal['proposal_id']}"
        await ok(await api.post(f"{url}/submit", headers=own))
        await ok(await api.post(f"{url}/start-review", headers=chef))
        action_id = (await ok(await api.post(f"{url}/approve", headers=chef)))["action_id"]
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        await ok(
            await api.post(
                f"/actions/{action_id}/sessions",
                headers=own,
                json={"starts_at": starts.isoformat(), "duration_minutes": 90, "place": "Salle culturelle"},
            ),
            201,
        )
        await ok(await api.post(f"/actions/{action_id}/publish", headers=chef))

    async with httpx.AsyncClient(timeout=10, base_url=projections) as directory:
        reader = bearer("cpip")

        async def catalogue_lists_the_action():
            items = (await ok(await directory.get("/directory/catalogue", headers=reader)))["items"]
            return next((item for item in items if item["action_id"] == action_id), None)

        entry = await wait_for(catalogue_lists_the_action, timeout=30, message="the action in the catalogue")
        listed = await ok(await directory.get("/directory/partners", headers=reader))

    assert entry["title"] == "Ciné-débat citoyenneté" and entry["partner_name"] == "Ligue de l'enseignement"
    assert [datetime.fromisoformat(s["starts_at"]) for s in entry["sessions"]] == [starts]
    row = next(p for p in listed["items"] if p["partner_id"] == partner_id)
    assert row["accreditation_status"] == "accredited" and row["accreditation_expires_soon"] is True
