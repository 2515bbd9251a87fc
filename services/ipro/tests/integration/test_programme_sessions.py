"""Issue 13 #7: the SPIP programme sessions people attend, from the programmes events (`ipro.programme-sessions`
replica): work hours booked over one are accepted, the response warning about it (D.412-32)."""

from datetime import date, datetime, time, timedelta

import pytest

from contracts.programmes import (
    GroupPlanned,
    GroupSession,
    ParticipantEnrolled,
    ProgrammeCreated,
    ProgrammeDefinition,
    ProgrammeFormat,
    ProgrammeKind,
    WeeklyPattern,
)
from devinfra.testkit import Upstream, ok, wait_for
from kernel.clock import LOCAL_TIME_ZONE

from .flows import REPLICA_TIMEOUT, known
from .test_rules_api import MONDAY_MORNING, affectation_body, classed, interviewed, work_url

pytestmark = pytest.mark.integration

SESSION_START = datetime(2026, 12, 14, 9, 0, tzinfo=LOCAL_TIME_ZONE)  # a Monday


async def seated_in_a_ppr_group(settings, dsn: str, subject_id: str) -> None:
    """A PPR group meeting on Monday 14 December 2026 from 09:00 to 11:00 in room 3, the person holding a seat."""
    programmes = Upstream(settings, "programmes", role="dpip")
    definition = ProgrammeDefinition(
        code="PPR",
        name="PPR",
        kind=ProgrammeKind.STRUCTURED_PROGRAMME,
        format=ProgrammeFormat.COLLECTIVE,
        planned_sessions=1,
        session_minutes=120,
        group_min=1,
        group_max=10,
        completion_threshold=0.75,
    )
    await programmes.publish(
        "programme-ppr", ProgrammeCreated(programme_id="programme-ppr", definition=definition)
    )
    session = GroupSession(
        session_id="ppr-s1",
        number=1,
        starts_at=SESSION_START,
        ends_at=SESSION_START + timedelta(hours=2),
        room="Salle 3",
    )
    await programmes.publish(
        "group-ppr",
        GroupPlanned(
            group_id="group-ppr",
            programme_id="programme-ppr",
            programme_version=1,
            establishment="InSERRE Arras",
            room="Salle 3",
            facilitators=["cpip-1"],
            start_date=date(2026, 12, 14),
            end_date=date(2026, 12, 14),
            pattern=WeeklyPattern(weekday=0, starts_at=time(9), duration_minutes=120),
            capacity=10,
            minimum=1,
            sessions=[session],
        ),
        ParticipantEnrolled(group_id="group-ppr", referral_id="referral-1", subject_id=subject_id),
    )
    # The programme and its group are two streams, folded in either order: the warning names the programme.
    await wait_for(
        lambda: known(
            dsn,
            """SELECT 1 FROM programme_participants p JOIN programme_groups g USING (group_id)
               JOIN programme_names n USING (programme_id) WHERE p.subject_id = $1 AND p.seated""",
            subject_id,
        ),
        timeout=REPLICA_TIMEOUT,
        message="the person's seat and the programme's name in the IPRO replica",
    )


async def test_work_hours_over_a_programme_session_are_booked_with_a_warning(
    api, residents, as_role, ipro_settings, ipro_dsn
):
    seated, other = await residents.admitted("p-1"), await residents.admitted("p-2")
    await seated_in_a_ppr_group(ipro_settings, ipro_dsn, "p-1")
    governor = as_role("direction")
    for person in (seated, other):
        await classed(api, as_role, person)
        await interviewed(api, as_role, person)
    work = await ok(
        await api.post(
            f"{work_url(seated)}/affectation", headers=governor, json=affectation_body(MONDAY_MORNING)
        ),
        201,
    )
    assert work["warnings"] == [
        "Jean Martin attends the session of the SPIP programme «PPR» on Monday 14 December 2026 at 09:00 "
        "(Salle 3) at that time: SPIP appointments are organised outside working hours (D.412-32), agree on it "
        "with their CPIP"
    ]
    assert [a["post"] for a in work["affectations"].values()] == ["Auxiliaire d'étage"]
    unwarned = await ok(
        await api.post(
            f"{work_url(other)}/affectation", headers=governor, json=affectation_body(MONDAY_MORNING)
        ),
        201,
    )
    assert unwarned["warnings"] == []
