"""kill -9 the programmes service while it reacts to releases streaming in from the assessment service.

The assessment service (a real process: its relay publishes) records 120 cases with a plan, the programmes
service's replica learns them and each person is referred to a programme; then every case closes while the
programmes process is killed and restarted. At the end each referral has ended exactly once: the reaction and
its checkpoint commit together, and a redelivered release is skipped.
"""

import asyncio
from datetime import date

import asyncpg
import httpx
import pytest

from contracts import Actor
from contracts.assessment import (
    CaseClosed,
    CaseOpened,
    ClosureReason,
    Identity,
    Objective,
    PlanAdopted,
    ReferentAssigned,
    Sentence,
)
from contracts.programmes import ReferralEndedOnRelease
from devinfra.testkit import LocalSystem, wait_for
from kernel.database import create_pool
from kernel.eventstore import EventStore, Metadata

pytestmark = pytest.mark.integration

PEOPLE = 120
DPIP = Metadata(actor=Actor(subject="dpip-1", role="dpip"))


@pytest.fixture
async def system(infrastructure, new_database, dev_keys, unique_name, tmp_path):
    env = {
        "ASSESSMENT_DATABASE_URL": await new_database("assessment"),
        "PROGRAMMES_DATABASE_URL": await new_database("programmes"),
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": unique_name("kill") + ".",
        "AUTH_JWKS_FILE": str(dev_keys.jwks_path),
    }
    system = LocalSystem(tmp_path, env, ["assessment", "programmes"])
    await asyncio.to_thread(system.start)
    yield system, env
    await asyncio.to_thread(system.stop)


def admission(n: int) -> list:
    case_id = f"case-{n}"
    sentence = Sentence(short_sentence=False, total_length_months=24, expected_end_date=date(2028, 1, 1))
    identity = Identity(
        last_name=f"Nom{n}", first_names="Prénom", birth_date=date(1990, 1, 1), ecrou_number=f"{n}"
    )
    objective = Objective(
        objective_id="obj-1", priority=1, work_axis="attitudes", description="Travailler le passage à l'acte"
    )
    return [
        (
            "case",
            case_id,
            [
                CaseOpened(
                    case_id=case_id,
                    subject_id=f"person-{n}",
                    identity=identity,
                    establishment="InSERRE Arras",
                    admission_date=date(2026, 11, 1),
                    sentence=sentence,
                ),
                ReferentAssigned(case_id=case_id, referent="cpip-1"),
            ],
        ),
        (
            "plan",
            f"plan-{n}",
            [
                PlanAdopted(
                    plan_id=f"plan-{n}",
                    case_id=case_id,
                    assessment_id=f"assessment-{n}",
                    plan_version=1,
                    objectives=[objective],
                    review_date=date(2027, 6, 1),
                )
            ],
        ),
    ]


async def test_killing_the_programmes_service_while_it_reacts_to_releases_ends_each_referral_once(
    system, dev_keys
):
    system, env = system
    pool = await create_pool(env["ASSESSMENT_DATABASE_URL"])
    programmes = await asyncpg.connect(env["PROGRAMMES_DATABASE_URL"])
    try:
        assessment_store = EventStore(pool)
        for n in range(PEOPLE):
            for stream_type, stream_id, events in admission(n):
                await assessment_store.append(stream_type, stream_id, 0, events, DPIP, subject=f"person-{n}")
        # Case and plan are different streams, on different partitions: wait for both halves of each person.
        followed = """SELECT count(*) FROM followed_cases c JOIN followed_plans p USING (case_id)
                      WHERE c.referent IS NOT NULL"""
        await wait_for(
            lambda: _count(programmes, followed, PEOPLE),
            timeout=60,
            message="the replica to learn every case and plan",
        )

        cpip = {"Authorization": f"Bearer {dev_keys.mint('cpip', subject='cpip-1')}"}
        async with httpx.AsyncClient(base_url=system.url("programmes"), timeout=30) as http:
            for n in range(PEOPLE):
                response = await http.post(
                    "/referrals",
                    headers=cpip,
                    json={
                        "case_id": f"case-{n}",
                        "programme_id": "programme-parcours",
                        "plan_id": f"plan-{n}",
                        "objective_id": "obj-1",
                    },
                )
                assert response.status_code == 201, response.text

        async def releases() -> None:
            for n in range(PEOPLE):
                closed = CaseClosed(
                    case_id=f"case-{n}", reason=ClosureReason.RELEASE, closed_on=date(2026, 12, 1)
                )
                await assessment_store.append("case", f"case-{n}", 2, [closed], DPIP, subject=f"person-{n}")
                await asyncio.sleep(0.02)  # pacing: releases keep arriving while the service is killed

        async def chaos() -> tuple[int, int]:
            await wait_for(
                lambda: _count(programmes, ENDED, PEOPLE // 3), timeout=60, message="a third ended"
            )
            killed = system.pid("programmes")
            system.kill("programmes")
            ended_when_killed = await programmes.fetchval(ENDED)
            await asyncio.to_thread(system.start, "programmes")
            return killed, ended_when_killed

        chaos_task = asyncio.create_task(chaos())
        await releases()
        killed, ended_when_killed = await chaos_task
        assert killed != system.pid("programmes")
        assert ended_when_killed < PEOPLE, "the kill came after the last reaction: it proved nothing"

        await wait_for(lambda: _count(programmes, ENDED, PEOPLE), timeout=120, message="every referral ended")
        per_referral = await programmes.fetch(
            "SELECT stream_id, count(*) AS ended FROM events WHERE event_type = $1 GROUP BY stream_id",
            ReferralEndedOnRelease.event_type,
        )
        assert len(per_referral) == PEOPLE and all(r["ended"] == 1 for r in per_referral)
        assert (
            await programmes.fetchval("SELECT count(*) FROM referrals WHERE status = 'withdrawn'") == PEOPLE
        )
    finally:
        await programmes.close()
        await pool.close()


ENDED = f"SELECT count(*) FROM events WHERE event_type = '{ReferralEndedOnRelease.event_type}'"


async def _count(connection, sql: str, expected: int) -> bool:
    return await connection.fetchval(sql) >= expected
