"""Issue 13 #8: positioning someone on a session published a moment ago, before the catalogue replica has
read it, answers "retry" (503 with `Retry-After`), never "not found". Here the replica lags for good: the app
runs without its partner-catalogue subscription, while the partners' events are on their topic."""

import dataclasses
import uuid
from datetime import datetime, timedelta

import pytest

from contracts.partners import ActionCreated, ActionPublished, ActionType, SessionScheduled, SessionSlot
from devinfra.testkit import Upstream, events_in, serving
from ipro.bootstrap import DEFINITION, subscriptions
from ipro.feeds import partner_catalogue
from kernel.clock import LOCAL_TIME_ZONE
from kernel.service import create_service_app

from .flows import Residents

pytestmark = pytest.mark.integration


@pytest.fixture
async def lagging_api(ipro_settings, clock):
    """The IPRO app with its admissions replica running and its catalogue replica not."""
    catalogue = partner_catalogue(ipro_settings).subscription

    def without_the_catalogue(settings, store):
        return [s for s in subscriptions(settings, store) if s.name != catalogue]

    definition = dataclasses.replace(DEFINITION, subscriptions=without_the_catalogue)
    async with serving(create_service_app(definition, ipro_settings, clock=clock)) as client:
        yield client


async def test_a_session_published_but_not_yet_in_the_replica_answers_retry_later(
    lagging_api, ipro_settings, ipro_dsn, clock, as_role
):
    residents = Residents(Upstream(ipro_settings, "assessment", role="dpip"), ipro_dsn, clock)
    person = await residents.admitted("p-1")
    action_id, session_id = str(uuid.uuid4()), str(uuid.uuid4())
    starts_at = datetime(2026, 12, 11, 10, tzinfo=LOCAL_TIME_ZONE)
    slot = SessionSlot(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), place="Salle 1")
    await Upstream(ipro_settings, "partners", role="ipro_chef").publish(
        action_id,
        ActionCreated(
            action_id=action_id,
            proposal_id=str(uuid.uuid4()),
            call_id=str(uuid.uuid4()),
            partner_id=str(uuid.uuid4()),
            title="Job dating",
            action_type=ActionType.JOB_FORUM,
            theme="Insertion professionnelle",
            capacity_min=1,
            capacity_max=5,
        ),
        SessionScheduled(action_id=action_id, session_id=session_id, slot=slot),
        ActionPublished(action_id=action_id),
    )
    before = await events_in(ipro_dsn)
    response = await lagging_api.post(
        f"/pathways/{person['pathway_id']}/positionings",
        headers=as_role("ipro_chef"),
        json={"action_id": action_id, "session_id": session_id},
    )
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["rule"] == "action-session-not-yet-known"
    assert await events_in(ipro_dsn) == before
