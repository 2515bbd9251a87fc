"""The catalogue's seats left through the running service (issue 13 #6): its consumers read the actions
from `partners.events` and the positionings from `ipro.events`, both fed as those services publish them."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.ipro import PositioningCancelled, PositioningWithdrawn
from contracts.partners import ActionPublished
from devinfra.testkit import Upstream, ok, serving, wait_for
from projections.bootstrap import create_app
from projections.settings import ProjectionsSettings
from services.projections.tests.builders import a_positioning_proposed, a_session_scheduled, an_action_created

pytestmark = pytest.mark.integration

NOW = datetime(2031, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
async def api(projections_dsn, infrastructure, dev_keys, topic_prefix):
    settings = ProjectionsSettings(
        database_url=projections_dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
    )
    async with serving(create_app(settings, clock=lambda: NOW)) as client:
        yield client, settings


async def test_the_catalogue_counts_the_places_positionings_hold_from_ipros_events(api, as_role):
    client, settings = api
    partners, ipro = Upstream(settings, "partners", role="ipro_chef"), Upstream(settings, "ipro", role="cip")
    await partners.publish(
        "a-1",
        an_action_created(action_id="a-1", capacity_max=5),
        a_session_scheduled("a-1", "s-1", NOW + timedelta(days=2)),
        a_session_scheduled("a-1", "s-2", NOW + timedelta(days=9)),
        ActionPublished(action_id="a-1"),
    )
    for n in range(1, 4):
        await ipro.publish(f"pos-{n}", a_positioning_proposed(f"pos-{n}", "a-1", "s-1"))
    await ipro.publish("pos-2", PositioningWithdrawn(positioning_id="pos-2", reason="Libéré"))
    await ipro.publish("pos-4", a_positioning_proposed("pos-4", "a-1", "s-2"))
    await ipro.publish("pos-4", PositioningCancelled(positioning_id="pos-4", reason="Séance annulée"))
    await ipro.publish("pos-5", a_positioning_proposed("pos-5", "a-1", "s-2"))
    reader = as_role("ipro_conseiller")

    async def seats_left():
        items = (await ok(await client.get("/directory/catalogue", headers=reader)))["items"]
        seats = {s["session_id"]: s["seats_left"] for item in items for s in item["sessions"]}
        return seats if seats == {"s-1": 3, "s-2": 4} else None

    await wait_for(seats_left, timeout=30, message="two places held on s-1 and one on s-2")
