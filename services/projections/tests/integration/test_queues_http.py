"""The work queues (issue 15 item 4) through the app, over a view its consumer built from the real broker:
the four services' events published on their topics (restricted ones on `<service>.restricted`), then each
role's queue read on Monday 16 June 2031 as the service's clock gives it. Who reads which queue; another
establishment's token sees nothing; bad input is a problem+json naming the rule; a rebuild from offset 0 gives
the same view."""

import pytest

from devinfra.testkit import assert_refused, ok, serving
from kernel.database import create_pool
from kernel.views import rebuild
from projections.bootstrap import create_app, subscriptions
from projections.queues import ingest
from projections.settings import ProjectionsSettings
from services.projections.tests.integration.test_replay import caught_up, consuming, end_offsets, publish
from services.projections.tests.integration.test_schedule_replay import by_topic
from services.projections.tests.queue_facts import ARRAS, ELSEWHERE, NOW, the_quarter

pytestmark = pytest.mark.integration


def wanted(settings: ProjectionsSettings, *names: str):
    return [s for s in subscriptions(settings) if s.name in {settings.topic(n) for n in names}]


async def the_view(pool) -> dict:
    async with pool.acquire() as connection:
        return {
            table: sorted(
                str(sorted(dict(r).items())) for r in await connection.fetch(f"SELECT * FROM {table}")
            )
            for table in ingest.TABLES
        }


@pytest.fixture
async def api(infrastructure, new_projections_database, unique_name, dev_keys):
    bootstrap = infrastructure.bootstrap_servers
    prefix = unique_name("queues") + "."
    dsn = await new_projections_database()
    settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
    )
    for topic, envelopes in by_topic(the_quarter()).items():
        await publish(bootstrap, settings.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(settings.topic(t) for t in ingest.TOPICS))
    # The queues, and the person file for the names (`person_identities`).
    subs = wanted(settings, "projections.queues", "projections.person-file")
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, subs) as tasks:
            await caught_up(pool, subs, tasks, ends)
            live = await the_view(pool)
            (queues,) = wanted(settings, "projections.queues")
            await rebuild(pool, queues)
            await caught_up(pool, subs, tasks, ends)
            assert await the_view(pool) == live
    finally:
        await pool.close()

    async with serving(create_app(settings, clock=lambda: NOW)) as client:

        def as_user(role: str, subject: str, establishments=(ARRAS,), organisation=None) -> dict[str, str]:
            token = dev_keys.mint(
                role,
                subject=subject,
                organisation_id=organisation,
                establishments=list(establishments) if establishments is not None else None,
            )
            return {"Authorization": f"Bearer {token}"}

        yield client, as_user


def lines(queue: dict) -> list[tuple]:
    return [
        (i["kind"], i["subject_id"] or i["session_id"], i["due_on"] or i["since"], i["overdue"])
        for i in queue["items"]
    ]


async def test_each_role_reads_its_queue_computed_for_the_services_day(api):
    client, as_user = api

    cpip = await ok(await client.get("/queues/mine", headers=as_user("cpip", "cpip-durand")))
    assert (cpip["role"], cpip["today"], cpip["workload"]) == ("cpip", "2031-06-16", None)
    assert lines(cpip) == [
        ("interview", "person-1", "2031-03-29", True),  # never interviewed: 4 weeks from the opening
        ("interview", "person-2", "2031-05-08", True),  # high risk: 4 weeks from 10 April
        ("initial_assessment", "person-1", "2031-05-30", True),  # 90 days from 1 March
        ("release", "person-1", "2031-08-31", False),  # within 3 months
    ]
    first = cpip["items"][0]
    assert (first["last_name"], first["case_id"], first["link"]) == (
        "Lefèvre",
        "case-1",
        "/persons/person-1/file",
    )
    assert first["label"] == "Entretien de suivi à tenir"

    dpip = await ok(await client.get("/queues/mine", headers=as_user("dpip", "dpip-1")))
    assert [(i["kind"], i["assessment_id"] or i["plan_id"], i["referent"]) for i in dpip["items"]] == [
        ("assessment_to_validate", "assessment-1", "cpip-durand"),
        ("plan_to_validate", "plan-2", "cpip-durand"),
    ]
    assert dpip["workload"] == [
        {"referent": "cpip-autre", "people": 1, "due": 2, "overdue": 2},
        {"referent": "cpip-durand", "people": 2, "due": 4, "overdue": 3},
    ]

    adviser = await ok(await client.get("/queues/mine", headers=as_user("ipro_conseiller", "cip-leroy")))
    assert lines(adviser) == [
        ("synthesis", "person-1", "2031-03-10", True),
        ("france_travail", "person-1", "2031-08-31", False),
        ("without_activity", "person-1", "2031-06-10", False),  # her partner session is over
    ]

    for role in ("ripro", "ipro_chef"):
        head = await ok(await client.get("/queues/mine", headers=as_user(role, f"{role}-1")))
        assert lines(head) == [
            ("waiting_for_post", "person-2", "2031-04-15", False),  # the longest waiting first
            ("attendance", "s-1", "2031-06-10", False),  # two booked, one reported present
            ("attendance", "s-2", "2031-06-12", True),  # not reported
        ], role
        gap = head["items"][1]
        assert (gap["booked"], gap["attended"], gap["reported"]) == (2, 1, 1)

    direction = await ok(await client.get("/queues/mine", headers=as_user("direction", "direction-1")))
    assert [
        (i["kind"], i["subject_id"], i["due_on"], i["work_id"] or i["leave_id"]) for i in direction["items"]
    ] == [
        ("leave", "person-1", "2031-06-20", "leave-1"),  # leave-2 is decided
        ("affectation", "person-2", None, "work-2"),  # classed, seen by an employer on 2 May
        ("classement", "person-1", None, "work-1"),
    ]


async def test_a_role_overseeing_another_reads_its_queue_and_no_one_else_does(api):
    client, as_user = api
    dpip = as_user("dpip", "dpip-1")
    theirs = await ok(await client.get("/queues/cpip", params={"referent": "cpip-durand"}, headers=dpip))
    own = await ok(await client.get("/queues/mine", headers=as_user("cpip", "cpip-durand")))
    assert theirs["items"] == own["items"]
    every_cpip = await ok(await client.get("/queues/cpip", headers=dpip))
    assert {i["subject_id"] for i in every_cpip["items"]} == {"person-1", "person-2", "person-4"}

    chef = as_user("ipro_chef", "ipro-chef-1")
    advisers = await ok(await client.get("/queues/ipro_conseiller", headers=chef))
    assert [i["kind"] for i in advisers["items"]] == ["synthesis", "france_travail", "without_activity"]
    assert (await ok(await client.get("/queues/direction", headers=chef)))["items"]
    assert (await ok(await client.get("/queues/ripro", headers=as_user("direction", "direction-1"))))["items"]

    refused = [
        ("cpip", "cpip-durand", "/queues/dpip"),
        ("cpip", "cpip-durand", "/queues/cpip"),
        ("direction", "direction-1", "/queues/cpip"),
        ("direction", "direction-1", "/queues/dpip"),
        ("ipro_chef", "ipro-chef-1", "/queues/dpip"),
        ("dpip", "dpip-1", "/queues/direction"),
        ("ipro_conseiller", "cip-leroy", "/queues/direction"),
    ]
    for role, subject, path in refused:
        assert_refused(
            await client.get(path, headers=as_user(role, subject)), 403, "role-not-allowed", role, path
        )
    for role in ("psychologue", "assistant_social", "auditeur"):
        response = await client.get("/queues/mine", headers=as_user(role, f"{role}-1"))
        assert_refused(response, 403, "role-not-allowed", role)
    partner = as_user("partenaire", "partner-user", establishments=None, organisation="partner-1")
    assert_refused(await client.get("/queues/mine", headers=partner), 403, "role-not-allowed")
    assert (await client.get("/queues/mine")).status_code == 401


@pytest.mark.parametrize("establishments", [[ELSEWHERE], None], ids=["another establishment", "none"])
async def test_staff_of_another_establishment_see_only_its_people(api, establishments):
    """ADR 26: person-3 is cpip-durand's too, at Bapaume; everything else is Arras's. A token naming no
    establishment sees nothing."""
    client, as_user = api
    bapaume = establishments is not None
    for role, subject in (
        ("cpip", "cpip-durand"),
        ("dpip", "dpip-1"),
        ("ipro_conseiller", "cip-leroy"),
        ("ripro", "ripro-1"),
        ("direction", "direction-1"),
    ):
        queue = await ok(await client.get("/queues/mine", headers=as_user(role, subject, establishments)))
        seen = sorted((i["kind"], i["subject_id"]) for i in queue["items"])
        person_3 = [("initial_assessment", "person-3"), ("interview", "person-3")]
        assert seen == (person_3 if bapaume and role == "cpip" else []), role
        if role == "dpip":
            lines_ = [{"referent": "cpip-durand", "people": 1, "due": 2, "overdue": 2}] if bapaume else []
            assert queue["workload"] == lines_
    # Asking for Arras by name does not widen the token's perimeter.
    arras = await ok(
        await client.get(
            "/queues/mine", params={"establishment": ARRAS}, headers=as_user("dpip", "dpip-1", [ELSEWHERE])
        )
    )
    assert arras["items"] == [] and arras["workload"] == []


async def test_bad_input_is_a_problem_naming_the_rule(api):
    client, as_user = api
    dpip = as_user("dpip", "dpip-1")
    for params in ({"within_days": "-1"}, {"within_days": "367"}, {"within_days": "soon"}):
        response = await client.get("/queues/mine", params=params, headers=dpip)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"
        assert "within_days" in response.text
    assert_refused(
        await client.get("/queues/dpip", params={"referent": "cpip-durand"}, headers=dpip),
        422,
        "queue-filter-invalid",
    )
    assert_refused(
        await client.get("/queues/cpip", params={"adviser": "cip-leroy"}, headers=dpip),
        422,
        "queue-filter-invalid",
    )
    unknown = await client.get("/queues/greffe", headers=dpip)
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"


async def test_the_printable_queue_is_french_and_names_the_people(api):
    client, as_user = api
    page = await client.get("/queues/mine.html", headers=as_user("cpip", "cpip-durand"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    texts = (
        "Mes personnes suivies",
        "LEFÈVRE Prénom",
        "Entretien de suivi à tenir",
        "(en retard)",
        "16 juin 2031",
    )
    for text in texts:
        assert text in page.text, text
    assert "Martin".upper() not in page.text  # person-3 is at another establishment
    dpip = await client.get("/queues/mine.html", headers=as_user("dpip", "dpip-1"))
    assert "Charge par CPIP" in dpip.text and "cpip-autre" in dpip.text
