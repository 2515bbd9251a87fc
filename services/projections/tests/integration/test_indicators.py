"""The InSERRE indicators (issue 15 item 5) from the real broker: three months of raw events published on
the services' topics, consumed by the indicators' subscription, read through the app. A past month's
figures equal the ones this test computes on its own from the raw events, day by day (it calls none of the
view's code); a rebuild from offset 0, and a fresh database, give the same. Then who may read them, and
the requests refused."""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest

from devinfra.testkit import assert_refused, ok, serving
from kernel.clock import local_date
from kernel.database import create_pool
from kernel.views import rebuild
from projections.bootstrap import create_app, subscriptions
from projections.indicators import ingest
from projections.settings import ProjectionsSettings
from services.projections.tests.indicators_months import ARRAS, LILLE, NOW, three_months
from services.projections.tests.integration.test_replay import (
    catch_up,
    caught_up,
    consuming,
    end_offsets,
    publish,
)
from services.projections.tests.integration.test_schedule_replay import by_topic

pytestmark = pytest.mark.integration

MONTHS = {
    "2031-01": (date(2031, 1, 1), date(2031, 1, 31)),
    "2031-02": (date(2031, 2, 1), date(2031, 2, 28)),
    "2031-03": (date(2031, 3, 1), date(2031, 3, 31)),
}
SOLUTIONS = {"job", "training", "job_seeker_follow_up"}


# --- the figures, computed again from the raw events ------------------------------------------------------


def days(first: date, until: date):
    """first, first + 1, ..., the day before `until`."""
    while first < until:
        yield first
        first += timedelta(days=1)


def expected(envelopes, month: str, establishment: str) -> dict:
    """Walk the raw events (type and payload only) in the order they happened, mark each person's days held
    and days in activity, then count the month's."""
    first, last = MONTHS[month]
    today = NOW.date()
    events = sorted(envelopes, key=lambda e: (e.occurred_at, e.position))
    cases, works, trainings, steps, places, referrals, exits = {}, {}, {}, {}, {}, {}, {}
    for e in events:
        p, kind, day = e.payload, e.event_type, local_date(e.occurred_at)
        if kind == "assessment.case.opened":
            cases[p["case_id"]] = {
                "subject": p["subject_id"],
                "admitted": date.fromisoformat(p["admission_date"]),
                "moves": [(date.fromisoformat(p["admission_date"]), p["establishment"])],
                "closed": None,
            }
        elif kind == "assessment.case.transferred":
            cases[p["case_id"]]["moves"].append((date.fromisoformat(p["transferred_on"]), p["establishment"]))
        elif kind == "assessment.case.closed":
            cases[p["case_id"]]["closed"] = (date.fromisoformat(p["closed_on"]), p["reason"])
        elif kind == "ipro.pathway.opened":
            exits[p["pathway_id"]] = {"case": p["case_id"], "situation": None}
        elif kind in ("ipro.pathway.exit_outcome_recorded", "ipro.pathway.closed"):
            exits[p["pathway_id"]]["situation"] = p["outcome"]["situation"]
        elif kind == "ipro.work.affectation_decided":
            works[p["work_id"]] = [e.subject, date.fromisoformat(p["starts_on"]), None]
        elif kind == "ipro.work.contract_ended":
            works[p["work_id"]][2] = date.fromisoformat(p["ended_on"])
        elif kind == "ipro.training.enrolled":
            ends = date.fromisoformat(p["ends_on"]) + timedelta(days=1)
            trainings[p["training_id"]] = [p["subject_id"], date.fromisoformat(p["starts_on"]), ends]
        elif kind == "ipro.training.completed":
            done = date.fromisoformat(p["completed_on"]) + timedelta(days=1)
            trainings[p["training_id"]][2] = min(trainings[p["training_id"]][2], done)
        elif kind == "ipro.training.dropped_out":
            trainings[p["training_id"]][2] = min(trainings[p["training_id"]][2], day)
        elif kind == "ipro.pathway.goal_set":
            for step in p["steps"] or [{"step_id": ""}]:
                steps[(p["goal_id"], step["step_id"])] = [e.subject, day, None]
        elif kind == "ipro.pathway.goal_status_changed":
            for (goal, step), held in steps.items():
                if goal == p["goal_id"] and p["step_id"] in (None, step) and held[2] is None:
                    held[2] = day
        elif kind == "ipro.positioning.proposed":
            session = local_date(datetime.fromisoformat(p["starts_at"]))
            places[p["positioning_id"]] = {
                "subject": p["subject_id"],
                "from": day,
                "session": session,
                "status": "booked",
                "until": session + timedelta(days=1),
                "outcome": None,
            }
        elif kind in ("ipro.positioning.attended", "ipro.positioning.no_show_recorded"):
            places[p["positioning_id"]]["status"] = "attended" if kind.endswith("attended") else "no_show"
        elif kind == "ipro.positioning.outcome_recorded":
            places[p["positioning_id"]]["outcome"] = p["outcome"]
        elif kind == "ipro.positioning.withdrawn":
            place = places[p["positioning_id"]]
            place["status"], place["until"] = "withdrawn", min(place["until"], day)
        elif kind == "programmes.referral.requested":
            referrals[p["referral_id"]] = {
                "establishment": p["establishment"],
                "enrolled": False,
                "end": None,
            }
        elif kind == "programmes.referral.enrolled":
            referrals[p["referral_id"]]["enrolled"] = True
        elif kind == "programmes.referral.participation_assessed":
            referrals[p["referral_id"]]["end"] = (day, "completed" if p["completed"] else "not_completed")
        elif kind == "programmes.referral.dropped_out":
            referrals[p["referral_id"]]["end"] = (day, "dropped_out")

    held: dict[tuple[str, date], str] = {}
    for case in cases.values():
        until = case["closed"][0] if case["closed"] else today + timedelta(days=1)
        for d in days(case["admitted"], until):
            held[(case["subject"], d)] = [where for since, where in case["moves"] if since <= d][-1]
    active: set[tuple[str, date]] = set()
    periods = [*works.values(), *trainings.values(), *steps.values()]
    periods += [[pl["subject"], pl["from"], pl["until"]] for pl in places.values()]
    for subject, start, until in periods:
        active.update((subject, d) for d in days(start, until or today + timedelta(days=1)))

    month_days = [(s, d) for (s, d), where in held.items() if where == establishment and first <= d <= last]
    delays = []
    for case in cases.values():
        s = case["subject"]
        own = sorted(d for (who, d) in held if who == s and d >= case["admitted"] and (s, d) in active)
        if own and first <= own[0] <= last and held[(s, own[0])] == establishment:
            delays.append((own[0] - case["admitted"]).days)
    ended = [
        r["end"][1]
        for r in referrals.values()
        if r["establishment"] == establishment and r["enrolled"] and r["end"] and first <= r["end"][0] <= last
    ]
    sessions = [
        pl
        for pl in places.values()
        if first <= pl["session"] <= last
        and pl["status"] != "withdrawn"
        and held.get((pl["subject"], pl["session"])) == establishment
    ]
    attended = [pl for pl in sessions if pl["status"] == "attended"]
    releases = [
        (case, [x["situation"] for x in exits.values() if x["case"] == cid])
        for cid, case in cases.items()
        if case["closed"]
        and first <= case["closed"][0] <= last
        and held.get((case["subject"], case["closed"][0] - timedelta(days=1))) == establishment
    ]
    reasons: dict[str, int] = defaultdict(int)
    for case, _ in releases:
        reasons[case["closed"][1]] += 1
    return {
        "residents": len({s for s, _ in month_days}),
        "in_activity": (sum(key in active for key in month_days), len(month_days)),
        "days_to_first_activity": (len(delays), round(statistics.fmean(delays), 1) if delays else None),
        "programme_completion": (ended.count("completed"), len(ended)),
        "partner_bookings": len(sessions),
        "partner_attendance": (
            len(attended),
            sum(pl["status"] in ("attended", "no_show") for pl in sessions),
        ),
        "partner_outcomes": (sum(pl["outcome"] not in (None, "none") for pl in attended), len(attended)),
        "release_outcomes": (sum(any(x in SOLUTIONS for x in found) for _, found in releases), len(releases)),
        "releases_by_reason": dict(reasons),
    }


def answered(month: dict) -> dict:
    """The same figures, as the route answers them."""

    def pair(name: str) -> tuple:
        return month[name]["numerator"], month[name]["denominator"]

    delays = month["days_to_first_activity"]
    return {
        "residents": month["residents"],
        "in_activity": pair("in_activity"),
        "days_to_first_activity": (delays["count"], delays["mean"]),
        "programme_completion": pair("programme_completion"),
        "partner_bookings": month["partner_bookings"],
        "partner_attendance": pair("partner_attendance"),
        "partner_outcomes": pair("partner_outcomes"),
        "release_outcomes": pair("release_outcomes"),
        "releases_by_reason": month["releases_by_reason"],
    }


# --- the view, from the broker --------------------------------------------------------------------------


def indicators_subscription(settings: ProjectionsSettings):
    (found,) = [s for s in subscriptions(settings) if s.name == settings.topic("projections.indicators")]
    return found


def headers(dev_keys, role: str = "direction", **claims) -> dict[str, str]:
    organisation = "partner-1" if role == "partenaire" else None
    return {
        "Authorization": f"Bearer {dev_keys.mint(role, subject=f'{role}-1', organisation_id=organisation, **claims)}"
    }


async def read_all(settings: ProjectionsSettings, dev_keys) -> dict:
    async with serving(create_app(settings, clock=lambda: NOW)) as client:
        answer = await ok(
            await client.get(
                "/indicators", params={"from": "2031-01", "to": "2031-03"}, headers=headers(dev_keys)
            )
        )
    return {(m["month"], m["establishment"]): m for m in answer["months"]}


async def test_a_past_months_indicators_equal_the_ones_computed_from_the_raw_events_and_survive_a_rebuild(
    infrastructure, new_projections_database, unique_name, dev_keys
):
    bootstrap = infrastructure.bootstrap_servers
    topics = ProjectionsSettings(
        database_url="unused", kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=unique_name("ind") + "."
    )
    history = three_months()
    for topic, envelopes in by_topic(history).items():
        await publish(bootstrap, topics.topic(topic), envelopes)
    ends = await end_offsets(bootstrap, *(topics.topic(t) for t in ingest.TOPICS))
    subscription = indicators_subscription(topics)

    dsn = await new_projections_database()
    app_settings = ProjectionsSettings(
        database_url=dsn,
        kafka_bootstrap_servers=bootstrap,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,
        run_consumers=False,
    )
    pool = await create_pool(dsn)
    try:
        async with consuming(pool, dsn, bootstrap, [subscription]) as tasks:
            await caught_up(pool, [subscription], tasks, ends)
            live = await read_all(app_settings, dev_keys)
            await rebuild(pool, subscription)
            await caught_up(pool, [subscription], tasks, ends)
        rebuilt = await read_all(app_settings, dev_keys)
    finally:
        await pool.close()

    fresh = await new_projections_database()
    fresh_pool = await create_pool(fresh)
    try:
        renamed = dataclasses.replace(subscription, name=unique_name(subscription.name))
        await catch_up(fresh_pool, fresh, bootstrap, [renamed], ends)
    finally:
        await fresh_pool.close()
    elsewhere = await read_all(app_settings.model_copy(update={"database_url": fresh}), dev_keys)

    for month in MONTHS:
        for establishment in (ARRAS, LILLE):
            want = expected(history.envelopes, month, establishment)
            assert answered(live[(month, establishment)]) == want, (month, establishment)
    assert rebuilt == live and elsewhere == live
    # Not a vacuous equality: each indicator has something to count in the scenario.
    january, february = live[("2031-01", ARRAS)], live[("2031-02", ARRAS)]
    # Marie's post from the 13th, Karim's steps from the 24th, Nadia's place from the 20th to the 24th; held:
    # Marie from the 3rd, Karim from the 10th, Nadia all month.
    assert answered(january)["in_activity"] == (19 + 8 + 5, 29 + 22 + 31)
    assert answered(january)["days_to_first_activity"] == (3, round((10 + 14 + 50) / 3, 1))
    assert answered(february)["programme_completion"] == (1, 2)
    assert answered(february)["partner_attendance"] == (1, 2) and answered(february)["partner_outcomes"] == (
        1,
        1,
    )
    assert answered(february)["release_outcomes"] == (0, 1)
    assert answered(live[("2031-03", ARRAS)])["release_outcomes"] == (1, 1)
    assert live[("2031-03", LILLE)]["residents"] == 2  # Yanis, and Karim since his transfer


# --- through the app, the view filled as the consumer would ------------------------------------------------

# role -> may read the indicators
READERS = {
    "direction": True,
    "dpip": True,
    "ipro_chef": True,
    "ripro": True,
    "auditeur": True,
    "ipro_conseiller": False,
    "cpip": False,
    "psychologue": False,
    "assistant_social": False,
    "partenaire": False,
}
Q1 = {"from": "2031-01", "to": "2031-03"}


@pytest.fixture
async def api(views_settings, apply_all, dev_keys):
    await apply_all(ingest.apply, *three_months().envelopes)
    async with serving(create_app(views_settings, clock=lambda: NOW)) as client:

        async def get(path: str, role: str = "direction", params=None, **claims):
            return await client.get(
                path, params=Q1 if params is None else params, headers=headers(dev_keys, role, **claims)
            )

        yield client, get


@pytest.mark.parametrize(("role", "reads"), READERS.items())
async def test_the_indicators_are_read_by_the_direction_the_dpip_ipro_management_and_auditors(
    api, role, reads
):
    _, get = api
    for path in ("/indicators", "/indicators/in-activity.svg"):
        answer = await get(path, role)
        if reads:
            assert answer.status_code == 200, (role, path, answer.text)
        else:
            assert_refused(answer, 403, "role-not-allowed", role, path)


async def test_without_a_token_nothing_is_answered(api):
    client, _ = api
    assert_refused(await client.get("/indicators", params=Q1), 401, "not-authenticated")


async def test_the_answer_names_nobody(api):
    _, get = api
    for path in ("/indicators", "/indicators/release-outcomes.svg"):
        text = (await get(path)).text
        assert not any(who in text for who in ("p-1", "p-2", "case-1", "Marie", "Karim", "Nadia", "Yanis")), (
            path
        )


async def test_a_token_reads_only_its_establishments(api):
    _, get = api
    lille = await ok(await get("/indicators", establishments=[LILLE]))
    assert {m["establishment"] for m in lille["months"]} == {LILLE} and len(lille["months"]) == 3
    asked_elsewhere = await ok(
        await get("/indicators", params={**Q1, "establishment": ARRAS}, establishments=[LILLE])
    )
    assert asked_elsewhere["months"] == []
    assert (await ok(await get("/indicators", establishments=None)))["months"] == []
    svg = (await get("/indicators/in-activity.svg", establishments=[LILLE])).text
    assert LILLE in svg and ARRAS not in svg


async def test_one_establishment_asked_is_the_only_one_answered(api):
    _, get = api
    arras = await ok(await get("/indicators", params={**Q1, "establishment": ARRAS}))
    assert [m["month"] for m in arras["months"]] == ["2031-01", "2031-02", "2031-03"]
    assert {m["establishment"] for m in arras["months"]} == {ARRAS}
    assert (arras["from_month"], arras["to_month"]) == ("2031-01", "2031-03")
    assert arras["months"][0]["in_activity"]["target"] == 1.0


async def test_a_chart_is_an_svg_over_the_months_with_french_labels(api):
    _, get = api
    answer = await get("/indicators/in-activity.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.startswith("<svg") and "janv. 2031" in answer.text and "mars 2031" in answer.text
    assert "cible 100 %" in answer.text and ARRAS in answer.text and LILLE in answer.text


@pytest.mark.parametrize(
    ("path", "params", "status", "rule"),
    [
        ("/indicators", {"from": "2031-03", "to": "2031-01"}, 422, "month-range-invalid"),
        ("/indicators", {"from": "2028-01", "to": "2031-03"}, 422, "month-range-too-long"),
        ("/indicators", {"from": "2031-01", "to": "2031-05"}, 422, "month-in-future"),
        ("/indicators", {"from": "2031-13", "to": "2031-03"}, 422, "request-validation"),
        ("/indicators", {"from": "janvier", "to": "2031-03"}, 422, "request-validation"),
        ("/indicators/in-activity.svg", {"from": "2031-03", "to": "2031-01"}, 422, "month-range-invalid"),
        ("/indicators/happiness.svg", Q1, 404, "indicator-not-found"),
    ],
)
async def test_a_bad_request_is_refused_naming_the_rule(api, path, params, status, rule):
    _, get = api
    answer = await get(path, params=params)
    assert_refused(answer, status, rule, params)
    if rule == "request-validation":
        assert "from" in answer.json()["detail"]
