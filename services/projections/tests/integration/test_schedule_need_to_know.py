"""The schedule's names on a need-to-know basis (issue 18 #3): the DPIP reads every participant's name, a CPIP
those of the people they are referent of, a psychologist or a social worker those they were asked to
contribute about, each only while the person's case is in their establishments (ADR 26); everyone else sees
the participants by subject id. Seats taken and fill rates are the same for all."""

from datetime import datetime

import pytest

from contracts import Actor
from contracts.assessment import (
    AssessmentKind,
    AssessmentStarted,
    CaseTransferred,
    ContributionRequested,
    ReferentAssigned,
)
from devinfra.testkit import ok, serving
from kernel.clock import LOCAL_TIME_ZONE
from projections.bootstrap import create_app
from services.projections.tests.builders import History
from services.projections.tests.integration.test_schedule_store import both
from services.projections.tests.schedule_week import ARRAS, NOW, the_week

pytestmark = pytest.mark.integration

WEEK = {"from": "2031-03-10", "to": "2031-03-16"}
BAPAUME = "CD Bapaume"
DPIP = Actor(subject="dpip-1", role="dpip")


def who_follows_whom() -> History:
    """cpip-1 is Marie Lefèvre's (person-1) referent; psy-1 was asked to contribute to Karim Benali's
    (person-2) assessment, as-1 to Marie's. cpip-2 and psy-2 follow nobody."""
    h = History(start=datetime(2031, 3, 5, 8, 0, tzinfo=LOCAL_TIME_ZONE))
    h.record(
        "case",
        "case-1",
        ReferentAssigned(case_id="case-1", referent="cpip-1"),
        subject="person-1",
        actor=DPIP,
    )
    for n, contributor in ((2, "psy-1"), (1, "as-1")):
        assessment = f"assessment-{n}"
        # No subject on the assessment's stream: the file links it through its case.
        h.record(
            "assessment",
            assessment,
            AssessmentStarted(assessment_id=assessment, case_id=f"case-{n}", kind=AssessmentKind.INITIAL),
            actor=DPIP,
        )
        h.record(
            "assessment",
            assessment,
            ContributionRequested(assessment_id=assessment, contributor=contributor),
            actor=DPIP,
        )
    return h


def marie_transferred() -> History:
    h = History(start=datetime(2031, 3, 6, 8, 0, tzinfo=LOCAL_TIME_ZONE))
    h.record(
        "case",
        "case-1",
        CaseTransferred(case_id="case-1", establishment=BAPAUME, transferred_on=NOW.date()),
        subject="person-1",
        actor=DPIP,
    )
    return h


@pytest.fixture
async def api(views_settings, apply_all, dev_keys):
    await apply_all(both, *the_week().envelopes, *who_follows_whom().envelopes)
    async with serving(create_app(views_settings, clock=lambda: NOW)) as client:

        async def read(role: str, user: str, establishments=(ARRAS,), path: str = "/schedule", **params):
            token = dev_keys.mint(role, subject=user, establishments=establishments)
            headers = {"Authorization": f"Bearer {token}"}
            response = await client.get(path, params={**WEEK, **params}, headers=headers)
            return await ok(response) if path in ("/schedule", "/schedule/conflicts") else response.text

        yield read


def named(schedule: dict) -> set[str]:
    return {p["last_name"] for i in schedule["items"] for p in i["participants"] if p["last_name"]}


def seats(schedule: dict) -> list[tuple]:
    return [(i["item_id"], i["seats"], i["taken"], i["fill_rate"]) for i in schedule["items"]]


# role, user, the names they read
MATRIX = [
    ("dpip", "dpip-1", {"Lefèvre", "Benali"}),
    ("direction", "direction-1", {"Lefèvre", "Benali"}),
    ("ipro_conseiller", "cip-leroy", {"Lefèvre", "Benali"}),
    ("cpip", "cpip-1", {"Lefèvre"}),
    ("cpip", "cpip-2", set()),
    ("psychologue", "psy-1", {"Benali"}),
    ("psychologue", "psy-2", set()),
    ("assistant_social", "as-1", {"Lefèvre"}),
    ("assistant_social", "as-2", set()),
]


async def test_each_role_reads_the_names_of_the_people_it_follows_and_every_seat(api):
    everyone = await api("dpip", "dpip-1")
    assert everyone["items"] and all(taken and rate for *_, taken, rate in seats(everyone))
    for role, user, names in MATRIX:
        schedule = await api(role, user)
        assert named(schedule) == names, (role, user)
        assert seats(schedule) == seats(everyone), (role, user)
        people = {p["subject_id"] for i in schedule["items"] for p in i["participants"]}
        assert people == {"person-1", "person-2"}, (role, user)
        assert all(
            p["first_names"] is None
            for i in schedule["items"]
            for p in i["participants"]
            if not p["last_name"]
        ), (role, user)
        page = await api(role, user, path="/schedule.html")
        assert ("LEFÈVRE Marie" in page) == ("Lefèvre" in names), (role, user)
        assert ("BENALI Karim" in page) == ("Benali" in names), (role, user)


async def test_one_persons_schedule_is_found_only_by_who_may_read_their_name(api):
    """`subject_id=` finds Marie's activities, calendar and conflicts for those who read her name; a CPIP, a
    psychologist or a social worker who does not follow her finds none, as for a person of another
    establishment: an empty list, which tells nothing of whether she exists."""
    assert (await api("dpip", "dpip-1", path="/schedule/conflicts", subject_id="person-1"))["items"]
    for role, user, names in MATRIX:
        finds = "Lefèvre" in names
        schedule = await api(role, user, subject_id="person-1")
        assert bool(schedule["items"]) == finds, (role, user)
        calendar = await api(role, user, path="/schedule.ics", subject_id="person-1")
        assert ("BEGIN:VEVENT" in calendar) == finds, (role, user)
        conflicts = await api(role, user, path="/schedule/conflicts", subject_id="person-1")
        assert bool(conflicts["items"]) == finds, (role, user)


async def test_a_transfer_takes_the_name_from_the_referent_of_the_old_establishment(api, apply_all):
    """The session stays in Arras; Marie's case is now at Bapaume: her referent reads her name only with a
    token that lists Bapaume too, and a Bapaume-only token does not see Arras's sessions at all."""
    await apply_all(both, *marie_transferred().envelopes)
    assert named(await api("cpip", "cpip-1")) == set()
    assert named(await api("cpip", "cpip-1", establishments=(ARRAS, BAPAUME))) == {"Lefèvre"}
    assert (await api("cpip", "cpip-1", establishments=(BAPAUME,)))["items"] == []
    assert named(await api("assistant_social", "as-1")) == set()
    assert named(await api("psychologue", "psy-1")) == {"Benali"}
    assert named(await api("dpip", "dpip-1")) == {"Lefèvre", "Benali"}
