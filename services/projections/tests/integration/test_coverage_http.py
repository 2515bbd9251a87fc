"""The programming coverage (issue 15 item 6) through the app, from a month's events published on the four
services' topics (the profile on `ipro.restricted`) and read by the coverage's own consumer: needs against
offer by theme, gaps first; its CSV file read back; who reads it; the establishment perimeter (ADR 26); the
window and establishment it is asked for."""

import csv
import io

import pytest

from devinfra.testkit import assert_refused, ok, serving
from kernel.database import create_pool, migrate
from kernel.views import rebuild
from projections.bootstrap import DEFINITION, create_app, subscriptions
from projections.coverage import ingest
from projections.coverage.export import BOM, HEADERS
from projections.settings import ProjectionsSettings
from services.projections.tests.coverage_month import ARRAS, BAPAUME, EXPECTED, GAPS, NOW, the_month
from services.projections.tests.integration.test_replay import catch_up, end_offsets, publish
from services.projections.tests.integration.test_schedule_replay import by_topic

pytestmark = pytest.mark.integration

WINDOW = {"from": "2031-03-10", "to": "2031-04-06", "establishment": ARRAS}
# role -> may read (counts only: no role sees a name or a subject id)
ROLES = {
    "ipro_chef": True,
    "ripro": True,
    "ipro_conseiller": True,
    "dpip": True,
    "direction": True,
    "auditeur": True,
    "cpip": False,
    "psychologue": False,
    "assistant_social": False,
    "partenaire": False,
}


def coverage_subscription(settings: ProjectionsSettings):
    (found,) = [s for s in subscriptions(settings) if s.name == settings.topic("projections.coverage")]
    return found


async def the_view(pool) -> dict:
    async with pool.acquire() as connection:
        return {
            table: sorted(
                str(sorted(dict(r).items())) for r in await connection.fetch(f"SELECT * FROM {table}")
            )
            for table in ingest.TABLES
        }


@pytest.fixture(scope="module")
async def world(infrastructure, dev_keys, unique_name):
    """The month published on fresh topics and consumed into a fresh database, then the app over it."""
    bootstrap = infrastructure.bootstrap_servers
    dsn = await infrastructure.create_database(unique_name("coverage").replace("-", "_"))
    await migrate(dsn, DEFINITION.migrations)
    settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=unique_name("cov") + ".",
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
        RATE_LIMIT_USER_PER_SECOND=0,
    )
    for topic, envelopes in by_topic(the_month()).items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(settings.topic(t) for t in ingest.TOPICS))
    subscription = coverage_subscription(settings)
    pool = await create_pool(dsn)
    try:
        await catch_up(pool, dsn, bootstrap, [subscription], ends)
        async with serving(create_app(settings, clock=lambda: NOW)) as client:
            yield client, pool, subscription, ends, bootstrap, dsn
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def as_user(dev_keys):
    def headers(role: str, **claims) -> dict[str, str]:
        organisation = "partner-1" if role == "partenaire" else None
        token = dev_keys.mint(role, subject=f"{role}-1", organisation_id=organisation, **claims)
        return {"Authorization": f"Bearer {token}"}

    return headers


def counts(body: dict) -> dict[str, tuple]:
    return {
        row["theme"]: tuple(
            row[k] for k in ("people_in_need", "people_waiting", "places_offered", "places_free", "gap")
        )
        for row in body["themes"]
    }


async def test_needs_meet_the_offer_by_theme_with_the_gaps_listed_first(world, as_user):
    client, *_ = world
    body = await ok(await client.get("/coverage", params=WINDOW, headers=as_user("ipro_chef")))
    assert (body["establishment"], body["from_day"], body["to_day"]) == (ARRAS, "2031-03-10", "2031-04-06")
    assert {theme: counts(body)[theme] for theme in EXPECTED} == EXPECTED
    assert body["gaps"] == GAPS
    assert [row["theme"] for row in body["themes"][: len(GAPS)]] == GAPS
    assert body["themes"][0]["label"] == "Passage à l'acte et désistance"


async def test_a_longer_window_takes_in_the_offer_it_reaches_and_the_default_is_the_coming_four_weeks(
    world, as_user
):
    client, *_ = world
    later = await ok(
        await client.get("/coverage", params={**WINDOW, "to": "2031-04-30"}, headers=as_user("ripro"))
    )
    assert counts(later)["family"] == (0, 0, 10, 10, -10)  # the parenting group of 19 April
    default = await ok(
        await client.get("/coverage", params={"establishment": ARRAS}, headers=as_user("ripro"))
    )
    assert (default["from_day"], default["to_day"]) == ("2031-03-07", "2031-04-03")  # today is 7 March


async def test_the_csv_reads_back_as_the_json_with_french_headers(world, as_user):
    client, *_ = world
    response = await client.get("/coverage.csv", params=WINDOW, headers=as_user("ipro_chef"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="couverture-2031-03-10-2031-04-06.csv"'
    )
    assert response.content.startswith(BOM.encode("utf-8"))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == list(HEADERS)
    as_json = await ok(await client.get("/coverage", params=WINDOW, headers=as_user("ipro_chef")))
    assert [line[1] for line in lines[1:]] == [row["theme"] for row in as_json["themes"]]
    read_back = {line[1]: tuple(int(n) for n in line[2:]) for line in lines[1:]}
    assert read_back == counts(as_json)


async def test_the_head_of_ipro_ipro_staff_the_dpip_the_direction_and_auditors_read_it_others_do_not(
    world, as_user
):
    client, *_ = world
    for role, reads in ROLES.items():
        for route in ("/coverage", "/coverage.csv"):
            response = await client.get(route, params=WINDOW, headers=as_user(role))
            if not reads:
                assert_refused(response, 403, "role-not-allowed", role, route)
                continue
            assert response.status_code == 200, (role, route, response.text)
            assert "person-" not in response.text and "Nom1" not in response.text, (role, route)
        assert (await client.get("/coverage", params=WINDOW)).status_code == 401


async def test_each_establishment_counts_its_own_people_and_another_ones_is_empty(world, as_user):
    client, *_ = world
    bapaume = await ok(
        await client.get("/coverage", params={**WINDOW, "establishment": BAPAUME}, headers=as_user("dpip"))
    )
    assert counts(bapaume)["housing"] == (1, 0, 0, 0, 1) and counts(bapaume)["addictions"][0] == 0
    for establishments in (["CD Bapaume"], None):
        elsewhere = await ok(
            await client.get(
                "/coverage", params=WINDOW, headers=as_user("direction", establishments=establishments)
            )
        )
        assert elsewhere["themes"] == [] and elsewhere["gaps"] == [], establishments


async def test_the_establishment_is_the_tokens_when_it_lists_only_one(world, as_user):
    client, *_ = world
    params = {"from": WINDOW["from"], "to": WINDOW["to"]}
    alone = await ok(
        await client.get("/coverage", params=params, headers=as_user("ipro_chef", establishments=[ARRAS]))
    )
    assert alone["establishment"] == ARRAS and counts(alone)["addictions"] == EXPECTED["addictions"]
    several = await client.get("/coverage", params=params, headers=as_user("ipro_chef"))
    assert_refused(several, 422, "establishment-required")


@pytest.mark.parametrize(
    ("params", "rule"),
    [
        ({"from": "2031-03-10", "to": "2031-03-09"}, "window-invalid"),
        ({"from": "2031-03-10", "to": "2031-06-10"}, "window-too-long"),
        ({"from": "10/03/2031"}, "request-validation"),
        ({"to": "2031-02-30"}, "request-validation"),
        ({"establishment": "  "}, "request-validation"),
    ],
)
async def test_a_window_backwards_too_long_or_unreadable_is_refused_naming_the_rule(
    world, as_user, params, rule
):
    client, *_ = world
    for route in ("/coverage", "/coverage.csv"):
        response = await client.get(route, params={**WINDOW, **params}, headers=as_user("ipro_chef"))
        assert_refused(response, 422, rule, route)


async def test_the_view_is_rebuilt_from_offset_0_as_it_was_built_live(world):
    _, pool, subscription, ends, bootstrap, dsn = world
    live = await the_view(pool)
    await rebuild(pool, subscription)
    await catch_up(pool, dsn, bootstrap, [subscription], ends)
    assert await the_view(pool) == live
    assert len(live["coverage_cases"]) == 5 and len(live["coverage_action_sessions"]) == 4
    assert "dos fragile" not in str(live)  # of the restricted profile, the education level only
