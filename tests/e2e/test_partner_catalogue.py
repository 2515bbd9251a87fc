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

        # The action and its organisation are separate streams, folded in either order: the catalogue names
        # the partner, and the directory shows its accreditation, once the directory has seen them.
        async def catalogue_and_directory_caught_up():
            items = (await ok(await directory.get("/directory/catalogue", headers=reader)))["items"]
            entry = next((item for item in items if item["action_id"] == action_id), None)
            listed = (await ok(await directory.get("/directory/partners", headers=reader)))["items"]
            row = next((p for p in listed if p["partner_id"] == partner_id), None)
            caught_up = (
                entry and entry["partner_name"] and row and row["accreditation_status"] == "accredited"
            )
            return (entry, row) if caught_up else None

        entry, row = await wait_for(
            catalogue_and_directory_caught_up, timeout=30, message="the action under its accredited partner"
        )

    assert entry["title"] == "Ciné-débat citoyenneté" and entry["partner_name"] == "Ligue de l'enseignement"
    assert [datetime.fromisoformat(s["starts_at"]) for s in entry["sessions"]] == [starts]
    assert row["accreditation_expires_soon"] is True
