"""Issue 13 #16 (times of day), through the API against the real database: a group's weekly time, as the
programmes service answers it and appends it, validates against its OpenAPI and its committed event schema
(version 2) as a strict client checks them, formats included; a group planned under version 1, whose schema
said `format: time`, is still read and run.

The calendar: the clock stands on Friday 2026-11-27 at 09:00 in Arras; `group_body` groups start on Monday
2026-11-30 and meet on Tuesdays at 14:00."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest

from contracts import Actor
from contracts.programmes import GroupPlanned, GroupPlannedV1, GroupSession, WeeklyPatternV1
from devinfra.testkit import (
    answered_as_described,
    ok,
    opened_payloads,
    payload_as_published,
    query_value,
    stored_payloads,
)
from kernel.clock import LOCAL_TIME_ZONE, local_date
from kernel.database import create_pool
from kernel.eventstore import EventStore, Metadata

from .flows import group_body

pytestmark = pytest.mark.integration

ATELIER = {
    "code": "ATELIER",
    "name": "Atelier d'essai",
    "kind": "thematic_action",
    "format": "collective",
    "planned_sessions": 2,
    "session_minutes": 120,
    "group_min": 1,
    "group_max": 4,
    "completion_threshold": 0.5,
}


async def atelier(api, as_role) -> str:
    return (await ok(await api.post("/programmes", headers=as_role("dpip"), json=ATELIER), 201))[
        "programme_id"
    ]


async def test_a_group_answers_and_appends_its_weekly_time_as_described(
    api, app, as_role, clock, programmes_dsn
):
    """Issue 13 #16: "14:00" sent, "14:00:00" answered and appended, each valid against its description."""
    programme_id = await atelier(api, as_role)
    body = group_body(programme_id, local_date(clock()), capacity=4)

    planned = await api.post("/groups", headers=as_role("dpip"), json=body)

    assert planned.status_code == 201, planned.text
    assert planned.json()["pattern"] == {
        "weekday": 1,
        "starts_at": "14:00:00",
        "duration_minutes": 120,
        "every_weeks": 1,
    }
    assert answered_as_described(app, planned, "/groups") == []
    read = await api.get(f"/groups/{planned.json()['group_id']}", headers=as_role("dpip"))
    assert answered_as_described(app, read, "/groups/{group_id}") == []
    stored = await query_value(
        programmes_dsn,
        """SELECT jsonb_agg(jsonb_build_object('event_type', event_type, 'schema_version', schema_version,
                                             'event_id', event_id, 'payload', payload))::text
           FROM events WHERE event_type = $1""",
        GroupPlanned.event_type,
    )
    (envelope,) = json.loads(stored)
    assert (envelope["schema_version"], envelope["payload"]["pattern"]["starts_at"]) == (2, "14:00:00")
    (payload,) = await opened_payloads([envelope])  # the facilitators' names are sealed (ADR 24)
    assert payload_as_published(GroupPlanned.event_type, 2, payload) == []


async def test_a_group_planned_under_version_1_is_still_read_and_run(api, app, as_role, programmes_dsn):
    """Issue 13 #16: an event appended before version 2 is upcast where the store is read, and the group's next
    events follow it in its stream."""
    starts_at = datetime(2026, 12, 1, 14, 0, tzinfo=LOCAL_TIME_ZONE)
    old = GroupPlannedV1(
        group_id="group-v1",
        programme_id=await atelier(api, as_role),
        programme_version=1,
        establishment="InSERRE Arras",
        room="Salle d'activités 3",
        facilitators=["cpip-1"],
        start_date=date(2026, 12, 1),
        end_date=date(2026, 12, 1),
        pattern=WeeklyPatternV1(weekday=1, starts_at=time(14), duration_minutes=120),
        capacity=8,
        minimum=1,
        sessions=[
            GroupSession(
                session_id="group-v1-s1",
                number=1,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                room="Salle d'activités 3",
            )
        ],
    )
    pool = await create_pool(programmes_dsn)
    try:
        await EventStore(pool).append(
            "group", "group-v1", 0, [old], Metadata(Actor(subject="dpip-1", role="dpip"))
        )
    finally:
        await pool.close()

    read = await api.get("/groups/group-v1", headers=as_role("dpip"))
    opened = await api.post("/groups/group-v1/open", headers=as_role("dpip"))

    assert read.status_code == 200, read.text
    assert read.json()["pattern"]["starts_at"] == "14:00:00"
    assert answered_as_described(app, read, "/groups/{group_id}") == []
    assert opened.status_code == 200, opened.text
    assert (opened.json()["status"], opened.json()["version"]) == ("open", 2)
    assert [version for version, _ in await stored_payloads(programmes_dsn, GroupPlanned.event_type)] == [1]
