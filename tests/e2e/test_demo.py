"""The demo establishment `make up` loads (issue 20, `devinfra.demo`), small: into fresh stores, then published
by the services' relays as they start and read by the projections. The web's demo CPIP has people with a
history and work to do, the programmes service lists its groups and the CPIP's referrals, IPRO the adviser's
places on partner actions (the services' own tables, written beside the events), and loading again adds
nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra import demo, subject_ids
from devinfra.testkit import events_in, ok, query_value, service_settings, serving, wait_for
from ipro.bootstrap import create_app as create_ipro_app
from ipro.settings import IproSettings
from kernel.clock import local_date, system_clock
from kernel.keyring import KeyringSettings
from partners.bootstrap import create_app as create_partners_app
from partners.settings import PartnersSettings
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as create_projections_app
from projections.settings import ProjectionsSettings

pytestmark = pytest.mark.integration

PEOPLE = 12  # two CPIPs' worth: "cpip-1" has some of them


async def test_a_small_demo_gives_the_demo_cpip_files_with_history_and_work_and_loads_once(
    new_database, infrastructure, dev_keys, topic_prefix, as_role
):
    stores = {service: await new_database(service) for service in demo.WRITERS}
    subject_key = subject_ids.TEST_SECRET.encode()

    loaded = await demo.load(stores, KeyringSettings(), subject_key, people=PEOPLE)

    assert loaded is not None and loaded.people == PEOPLE
    assert loaded.partners, "partner organisations, to answer the calls"
    counts = {service: await events_in(dsn) for service, dsn in stores.items()}
    assert all(counts.values()), counts
    # The rows the services' handlers write beside the events: their lists show the demo too.
    for service, table in (
        ("assessment", "cases"),
        ("programmes", "groups"),
        ("programmes", "referrals"),
        ("ipro", "pathways"),
        ("ipro", "positionings"),
        ("partners", "calls"),
    ):
        assert await query_value(stores[service], f"SELECT count(*) FROM {table}"), table
    assert await demo.load(stores, KeyringSettings(), subject_key, people=PEOPLE) is None
    assert {service: await events_in(dsn) for service, dsn in stores.items()} == counts

    settings = {
        name: service_settings(cls, dsn, infrastructure, dev_keys, topic_prefix, run_relay=True)
        for name, cls, dsn in (
            ("assessment", AssessmentSettings, stores["assessment"]),
            ("programmes", ProgrammesSettings, stores["programmes"]),
            ("ipro", IproSettings, stores["ipro"]),
            ("partners", PartnersSettings, stores["partners"]),
            ("projections", ProjectionsSettings, await new_database("projections")),
        )
    }
    cpip = as_role("cpip", "cpip-1")
    adviser = as_role("ipro_conseiller", "ipro_conseiller-1")
    async with (
        serving(create_assessment_app(settings["assessment"])),
        serving(create_programmes_app(settings["programmes"])) as programmes,
        serving(create_ipro_app(settings["ipro"])) as ipro,
        serving(create_partners_app(settings["partners"])),
        serving(create_projections_app(settings["projections"])) as projections,
    ):
        # The services' own lists: their tables hold the demo before any of them starts.
        groups = await ok(await programmes.get("/groups", headers=as_role("dpip", "dpip-1")))
        assert groups["total"] and {g["establishment"] for g in groups["items"]} == {demo.SITE_NAME}

        async def listed(client, path: str, headers: dict):
            # The lists join the replica of the assessment events each service reads once it runs.
            return (await ok(await client.get(path, headers=headers)))["items"]

        referrals = await wait_for(
            lambda: listed(programmes, "/referrals", cpip), timeout=60, message="referrals"
        )
        assert {r["establishment"] for r in referrals} == {demo.SITE_NAME}
        places = await wait_for(lambda: listed(ipro, "/positionings", adviser), timeout=60, message="places")
        pathway = places[0]["pathway_id"]
        history = await ok(await ipro.get(f"/pathways/{pathway}/history", headers=adviser))
        assert any(entry["event_type"].startswith("ipro.positioning.") for entry in history), history

        async def work_to_do():
            # A year ahead: every open case has its next assessment due within it, whereas a dozen people's
            # month ahead may hold nothing for cpip-1 on some days (the story's dates follow today's).
            queue = await ok(await projections.get("/queues/mine?within_days=366", headers=cpip))
            return [item for item in queue["items"] if item.get("subject_id")] or None

        two_weeks_ago = local_date(system_clock()) - timedelta(days=14)

        async def file_with_a_history(person: str):
            # The case may be folded before the person's other streams (their assessments, plan, referrals):
            # the timeline is their history once a few of its entries are in, the oldest weeks back.
            response = await projections.get(f"/persons/{person}/file", headers=cpip)
            file = response.json() if response.status_code == 200 else {}
            days = _days(file.get("timeline", []))
            return file if file.get("case") and len(days) >= 3 and days[0] < two_weeks_ago else None

        # Five services in one process relay and fold the whole demo first: minutes on a loaded machine.
        items = await wait_for(work_to_do, timeout=180, message="the demo CPIP's work queue")
        # The queue and the file are two views: the file may arrive a moment later.
        file = await wait_for(
            lambda: file_with_a_history(items[0]["subject_id"]),
            timeout=30,
            message="their file, with a history",
        )

    assert file["identity"] is not None
    days = _days(file["timeline"])
    assert len(days) >= 3, file["timeline"]
    assert days[0] < two_weeks_ago, "a history, not a day"


def _days(timeline: list[dict]) -> list:
    return sorted(local_date(datetime.fromisoformat(entry["at"])) for entry in timeline)
