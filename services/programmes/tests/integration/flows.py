"""Steps that several programmes integration tests share, each asserting its own success.

People are followed through the real assessment service: its relay publishes the case, assessment and plan
events on Kafka, and the programmes service's replica consumes them, as in production."""

from __future__ import annotations

from datetime import date, timedelta

from devinfra.testkit import ok, query_value, wait_for
from kernel.clock import local_date
from programmes.settings import ProgrammesSettings
from services.assessment.tests.integration.flows import case_body, plan_body, validated_assessment


def service_settings(dsn: str, infrastructure, dev_keys, topic_prefix: str) -> ProgrammesSettings:
    return ProgrammesSettings(
        database_url=dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,  # the contract and scenario tests run it
        run_background=False,
    )


class People:
    """People followed by the SPIP, known to the programmes service's replica."""

    def __init__(self, assessment_api, as_role, programmes_dsn: str, clock) -> None:
        self.assessment_api = assessment_api
        self.as_role = as_role
        self.dsn = programmes_dsn
        self.clock = clock

    @property
    def today(self) -> date:
        return local_date(self.clock())

    async def followed(self, subject_id: str, *, offences: tuple[str, ...] = ("theft",), short_sentence: bool = False,
                       referent: str = "cpip-1", establishment: str = "InSERRE Arras") -> dict:
        """A case opened, its initial assessment validated (risk moderate) and a plan adopted; returns what a
        referral cites: case, plan and objective ids."""
        api, today = self.assessment_api, self.today
        sentence = {"short_sentence": short_sentence, "total_length_months": 6 if short_sentence else 30,
                    "expected_end_date": str(today + timedelta(days=400)), "offence_categories": list(offences)}
        case = await ok(await api.post("/cases", headers=self.as_role("dpip"), json=case_body(
            today, subject_id, referent=referent, sentence=sentence, establishment=establishment)), 201)
        case_id = case["case_id"]
        assessment = await validated_assessment(api, self.as_role, case_id) if referent == "cpip-1" else None
        if assessment is None:  # drafted by its own referent
            assessment = await self._validated_by(referent, case_id)
        plan = await ok(await api.post(f"/cases/{case_id}/plan", headers=self.as_role("cpip", referent),
                                       json=plan_body(assessment["assessment_id"], today)), 201)
        await self.replicated(case_id, plan["plan_id"], referent)
        return {"case_id": case_id, "plan_id": plan["plan_id"], "objective_id": "obj-1", "subject_id": subject_id}

    async def _validated_by(self, referent: str, case_id: str) -> dict:
        def as_referent(role: str, subject: str | None = None, **extra):
            return self.as_role(role, referent if role == "cpip" and subject is None else subject, **extra)
        return await validated_assessment(self.assessment_api, as_referent, case_id)

    async def replicated(self, case_id: str, plan_id: str, referent: str) -> None:
        """The case, its referent, its validated risk level and its plan have all reached the replica: they
        are events of different streams, so they may arrive in any order."""
        await wait_for(lambda: self._known(
            """SELECT 1 FROM followed_cases c JOIN followed_plans p USING (case_id) JOIN followed_risks r USING (case_id)
               WHERE c.case_id = $1 AND p.plan_id = $2 AND c.referent = $3""",
            case_id, plan_id, referent), timeout=30, message=f"case {case_id} and its plan in the programmes replica")

    async def _known(self, sql: str, *args) -> bool:
        return await query_value(self.dsn, sql, *args) is not None

    async def close_case(self, case_id: str, closed_on: date | None = None) -> None:
        await ok(await self.assessment_api.post(f"/cases/{case_id}/close", headers=self.as_role("dpip"), json={
            "reason": "release", "closed_on": str(closed_on or self.today)}))
        await wait_for(
            lambda: self._known("SELECT 1 FROM followed_cases WHERE case_id = $1 AND closed_on IS NOT NULL", case_id),
            timeout=30, message=f"case {case_id} closed in the programmes replica",
        )


def referral_body(person: dict, programme_id: str) -> dict:
    return {"case_id": person["case_id"], "programme_id": programme_id, "plan_id": person["plan_id"],
            "objective_id": person["objective_id"]}


def group_body(programme_id: str, today: date, **overrides) -> dict:
    """A group starting next Monday, Tuesdays 14:00 for two hours, for twelve weeks."""
    start = today + timedelta(days=7 - today.weekday())
    return {
        "programme_id": programme_id, "establishment": "InSERRE Arras", "room": "Salle d'activités 1",
        "facilitators": ["cpip-1", "cpip-2"], "start_date": str(start), "end_date": str(start + timedelta(weeks=12)),
        "pattern": {"weekday": 1, "starts_at": "14:00", "duration_minutes": 120, "every_weeks": 1},
        "capacity": 8, **overrides,
    }


async def planned_group(api, as_role, programme_id: str, today: date, *, open_: bool = True, **overrides) -> dict:
    group = await ok(await api.post("/groups", headers=as_role("dpip"),
                                    json=group_body(programme_id, today, **overrides)), 201)
    if open_:
        group = await ok(await api.post(f"/groups/{group['group_id']}/open", headers=as_role("dpip")))
    return group


async def referred(api, as_role, person: dict, programme_id: str, *, consent: bool = True,
                   referent: str = "cpip-1") -> dict:
    cpip = as_role("cpip", referent)
    referral = await ok(await api.post("/referrals", headers=cpip, json=referral_body(person, programme_id)), 201)
    if consent:
        referral = await ok(await api.post(f"/referrals/{referral['referral_id']}/consent", headers=cpip,
                                           json={"given": True}))
    return referral
