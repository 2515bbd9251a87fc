"""A work-hours warning's legitimate-absence reason (issue 15, ADR 29 addendum): Marie, at work on Thursday
mornings, is positioned by IPRO on a PMSMP and on a CV workshop during them; the SPIP's group session that
morning is a warning with no reason. The view, `/schedule/conflicts`' rows and the published event agree."""

from datetime import timedelta

import pytest

from contracts import parse_payload
from contracts.ipro import PositioningProposed
from contracts.partners import ActionCreated, ActionType
from contracts.projections import AbsenceReason, ScheduleConflictDetected
from devinfra.testkit import ok, serving
from kernel.clock import start_of_day
from projections.bootstrap import create_app
from projections.schedule import ingest, store
from services.projections.tests.integration.test_schedule_store import both
from services.projections.tests.schedule_week import ADVISER, MONDAY, NOW, RIPRO, at, the_week

pytestmark = pytest.mark.integration

WEEK = {"lower": start_of_day(MONDAY), "upper": start_of_day(MONDAY + timedelta(days=7))}
G2 = "programmes/group:group-1/g-1-s-2"
WORK_THURSDAY = "ipro/work:work-1/affectation-1@2031-03-13T08:00"


def positioned(week, n: int, action_id: str, starts_at, ends_at, title: str) -> None:
    week.record(
        "positioning",
        f"positioning-{n}",
        PositioningProposed(
            positioning_id=f"positioning-{n}",
            pathway_id="pathway-1",
            subject_id="person-1",
            action_id=action_id,
            session_id=f"{action_id}-s-1",
            partner_id="partner-1",
            starts_at=starts_at,
            ends_at=ends_at,
            title=title,
            place="Boulangerie Martin",
        ),
        subject="person-1",
        actor=ADVISER,
    )


def the_week_with_leave_and_workshop():
    """The week, and Marie positioned on Thursday morning, in her work hours, on a PMSMP (08:00–09:00) and on
    an action the view has not read (09:00–10:00); the SPIP's group session follows (10:00–12:00)."""
    week = the_week()
    week.record(
        "action",
        "action-2",
        ActionCreated(
            action_id="action-2",
            proposal_id="proposal-2",
            call_id="call-1",
            partner_id="partner-1",
            title="PMSMP boulangerie",
            action_type=ActionType.PMSMP,
            theme="Espace emploi",
            capacity_min=1,
            capacity_max=2,
        ),
        actor=RIPRO,
    )
    positioned(week, 2, "action-2", at(3, 8), at(3, 9), "PMSMP boulangerie")
    # An action the view has not read yet: IPRO positioned her on it, so it is part of her pathway.
    positioned(week, 3, "action-3", at(3, 9), at(3, 10), "Atelier image professionnelle")
    return week


async def test_a_work_hours_warning_names_the_legitimate_absence_its_session_gives(pool, apply_all):
    await apply_all(ingest.apply, *the_week_with_leave_and_workshop().envelopes)

    async with pool.acquire() as connection:
        rows = await store.conflicts(connection, **WEEK, subject_id="person-1")
    warnings = {
        (r["first_item"], r["second_item"]): r["absence_reason"]
        for r in rows
        if r["kind"] == "during_work_hours"
    }
    assert warnings == {
        ("ipro/positioning:positioning-2", WORK_THURSDAY): "professional_leave",
        ("ipro/positioning:positioning-3", WORK_THURSDAY): "ipro_pathway",
        (WORK_THURSDAY, G2): None,
    }

    told = await pool.fetch(
        """SELECT event_type, schema_version, payload FROM events
           WHERE stream_type = 'schedule_conflict' AND event_type = 'projections.schedule_conflict.detected'"""
    )
    events = [parse_payload(r["event_type"], r["schema_version"], r["payload"]) for r in told]
    reasons = {
        (e.first_item, e.second_item): e.absence_reason
        for e in events
        if isinstance(e, ScheduleConflictDetected) and e.kind == "during_work_hours"
    }
    assert reasons == {
        ("ipro/positioning:positioning-2", WORK_THURSDAY): AbsenceReason.PROFESSIONAL_LEAVE,
        ("ipro/positioning:positioning-3", WORK_THURSDAY): AbsenceReason.IPRO_PATHWAY,
        (WORK_THURSDAY, G2): None,
    }


async def test_a_positioning_read_before_its_action_gets_the_actions_reason_once_it_is_read(pool, apply_all):
    envelopes = the_week_with_leave_and_workshop().envelopes
    action = next(e for e in envelopes if e.stream_id == "action-2")
    await apply_all(ingest.apply, *[e for e in envelopes if e is not action])
    assert await reason_of(pool, "ipro/positioning:positioning-2") == "ipro_pathway"

    await apply_all(ingest.apply, action)

    assert await reason_of(pool, "ipro/positioning:positioning-2") == "professional_leave"


async def reason_of(pool, item_id: str) -> str | None:
    async with pool.acquire() as connection:
        rows = await store.conflicts(connection, **WEEK, subject_id="person-1")
    (reason,) = [r["absence_reason"] for r in rows if r["first_item"] == item_id and r["resolved_at"] is None]
    return reason


async def test_the_week_and_its_printable_page_show_the_reason_beside_the_warning(
    views_settings, apply_all, dev_keys
):
    await apply_all(both, *the_week_with_leave_and_workshop().envelopes)
    params = {"from": "2031-03-10", "to": "2031-03-16", "subject_id": "person-1"}

    def as_user(role: str, organisation: str | None = None) -> dict[str, str]:
        token = dev_keys.mint(role, subject=f"{role}-1", organisation_id=organisation)
        return {"Authorization": f"Bearer {token}"}

    async with serving(create_app(views_settings, clock=lambda: NOW)) as client:
        schedule = await ok(await client.get("/schedule", params=params, headers=as_user("ripro")))
        warnings = {
            i["item_id"]: [(w["absence_reason"], w["absence_reason_label"]) for w in i["warnings"]]
            for i in schedule["items"]
        }
        assert warnings["ipro/positioning:positioning-2"] == [
            ("professional_leave", "Permission de sortir à visée professionnelle")
        ]
        assert warnings["ipro/positioning:positioning-3"] == [
            ("ipro_pathway", "Action de son parcours d'insertion professionnelle")
        ]
        assert warnings[G2] == [(None, None)]
        assert len(warnings[WORK_THURSDAY]) == 3  # the work post, with each of the three
        conflicts = await ok(await client.get("/schedule/conflicts", params=params, headers=as_user("ripro")))
        assert {
            c["absence_reason_label"] for c in conflicts["items"] if c["kind"] == "during_work_hours"
        } == {
            "Permission de sortir à visée professionnelle",
            "Action de son parcours d'insertion professionnelle",
            None,
        }
        page = await client.get("/schedule.html", params=params, headers=as_user("ripro"))
        assert "pendant les heures de travail – absence légitime : Permission de sortir à visée" in page.text
        # A reader the service keeps conflicts from reads no warning.
        partner = await ok(
            await client.get("/schedule", params=params, headers=as_user("partenaire", "partner-1"))
        )
        assert all(i["warnings"] is None for i in partner["items"])
