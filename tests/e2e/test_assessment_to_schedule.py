"""An SPIP interview in the establishment's schedule, end to end (issue 15): the assessment service (HTTP →
event store → relay → Kafka) convenes a person who sits in a programme group (the programmes service, the same
path) at the time of the group's first session; the projections service's schedule shows the person double
booked, and the CPIP too (they run the group); cancelling the interview resolves both. The schedule's own
tests apply contract-built events (`services/projections/tests/integration/test_schedule_interviews.py`);
this is the one test of the real path."""

from datetime import datetime, time, timedelta

import pytest

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.testkit import followed_with_a_plan, ok, service_settings, serving, wait_for
from kernel.clock import LOCAL_TIME_ZONE, local_date
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as create_projections_app
from projections.settings import ProjectionsSettings

from .test_assessment_to_programmes import referred_and_enrolled

pytestmark = pytest.mark.integration

# The group session's title in the schedule: its programme's code and name (the shipped catalogue's).
PARCOURS = "PARCOURS – PARCOURS"


@pytest.fixture
async def services(new_database, infrastructure, dev_keys, topic_prefix, clock):
    """The three services on fresh databases and shared fresh topics, their relays and consumers running."""
    settings = {
        name: service_settings(
            cls, await new_database(name), infrastructure, dev_keys, topic_prefix, run_relay=True
        )
        for name, cls in (
            ("assessment", AssessmentSettings),
            ("programmes", ProgrammesSettings),
            ("projections", ProjectionsSettings),
        )
    }
    async with (
        serving(create_assessment_app(settings["assessment"], clock=clock)) as assessment,
        serving(create_programmes_app(settings["programmes"], clock=clock)) as programmes,
        serving(create_projections_app(settings["projections"], clock=clock)) as projections,
    ):
        yield assessment, programmes, projections


async def test_an_interview_at_the_time_of_a_group_session_is_a_conflict_until_cancelled(
    services, as_role, clock
):
    assessment, programmes, projections = services
    cpip, dpip, today = as_role("cpip"), as_role("dpip"), local_date(clock())
    case_id, plan_id, person = await followed_with_a_plan(assessment, as_role, today)
    await referred_and_enrolled(programmes, as_role, case_id, plan_id, today)
    tuesday = today + timedelta(days=7 - today.weekday() + 1)  # the group's first session, 14:00-16:00
    window = {"from": str(tuesday), "to": str(tuesday), "subject_id": person}

    async def seated() -> list | None:
        items = (await ok(await projections.get("/schedule", headers=dpip, params=window)))["items"]
        # The session is titled from its programme, another stream, folded in either order: the session under
        # the programme's name, or its title would change between this read and the next one.
        return items if [(i["kind"], i["title"]) for i in items] == [("group_session", PARCOURS)] else None

    [session] = await wait_for(
        seated, timeout=60, message="the person's group session in the schedule, under its programme"
    )

    starts_at = datetime.combine(tuesday, time(14, 30), tzinfo=LOCAL_TIME_ZONE)
    body = {"starts_at": starts_at.isoformat(), "place": "Bureau SPIP 2", "interview_type": "follow_up"}
    appointment = await ok(
        await assessment.post(f"/cases/{case_id}/appointments", headers=cpip, json=body), 201
    )
    interview = f"assessment/interview:{appointment['interview_id']}"

    async def conflicts(open_: bool) -> dict | None:
        day = {"from": window["from"], "to": window["to"]}  # the person's and the CPIP's
        found = (await ok(await projections.get("/schedule/conflicts", headers=dpip, params=day)))["items"]
        mine = {c["kind"]: c for c in found if interview in (c["first_item"], c["second_item"])}
        if set(mine) != {"person_double_booked", "facilitator_double_booked"}:
            return None
        return mine if all((c["resolved_at"] is None) == open_ for c in mine.values()) else None

    opened = await wait_for(lambda: conflicts(True), timeout=30, message="the interview's conflicts")
    double = opened["person_double_booked"]
    assert (double["subject_id"], double["establishment"]) == (person, "InSERRE Arras")
    assert {double["first_item"], double["second_item"]} == {interview, session["item_id"]}
    items = (await ok(await projections.get("/schedule", headers=dpip, params=window)))["items"]
    assert [(i["kind"], i["title"], i["place"]) for i in items] == [
        ("group_session", session["title"], session["place"]),
        ("interview", "Entretien SPIP (suivi)", "Bureau SPIP 2"),
    ]

    clock.advance(
        minutes=5
    )  # a cancellation at the instant of the scheduling would be read as never overlapping
    url = f"/cases/{case_id}/appointments/{appointment['interview_id']}/cancel"
    await ok(await assessment.post(url, headers=cpip))
    resolved = await wait_for(lambda: conflicts(False), timeout=30, message="the conflicts resolved")
    assert {c["resolved_by"] for c in resolved.values()} == {"assessment.interview.cancelled"}
