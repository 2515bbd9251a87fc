"""Steps that several IPRO integration tests share, each asserting its own success.

People are admitted through the real assessment service and partner actions published through the real
partners service: their relays publish on Kafka and the IPRO service's replicas consume them, as in production.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from devinfra.testkit import ok, query_value, wait_for
from kernel.clock import LOCAL_TIME_ZONE, local_date
from ipro.settings import IproSettings
from services.assessment.tests.integration.flows import case_body
from services.partners.tests.integration.flows import (
    accredited_partner, approved_action, proposal_content, published_call, scheduled_session,
)


def service_settings(dsn: str, infrastructure, dev_keys, topic_prefix: str) -> IproSettings:
    return IproSettings(
        database_url=dsn,
        kafka_bootstrap_servers=infrastructure.bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        auth_jwks_file=dev_keys.jwks_path,
        run_relay=False,  # the contract and scenario tests run it
        run_background=False,  # the deadline tests drive the scheduler themselves
    )


async def known(dsn: str, sql: str, *args) -> bool:
    return await query_value(dsn, sql, *args) is not None


class Residents:
    """People admitted through the assessment service, whose pathways the IPRO service opened."""

    def __init__(self, assessment_api, as_role, ipro_dsn: str, clock) -> None:
        self.api, self.as_role, self.dsn, self.clock = assessment_api, as_role, ipro_dsn, clock

    @property
    def today(self) -> date:
        return local_date(self.clock())

    async def admitted(self, subject_id: str, *, release_in_days: int = 400, referent: str = "cpip-1",
                       establishment: str = "InSERRE Arras") -> dict:
        """A case opened by a DPIP; returns the ids of the case and of the pathway its admission opened."""
        sentence = {"short_sentence": False, "total_length_months": 24,
                    "expected_end_date": str(self.today + timedelta(days=release_in_days)),
                    "offence_categories": ["theft"]}
        case = await ok(await self.api.post("/cases", headers=self.as_role("dpip"), json=case_body(
            self.today, subject_id, referent=referent, sentence=sentence, establishment=establishment)), 201)
        pathway_id = f"pathway-{case['case_id']}"
        await wait_for(lambda: known(self.dsn, """SELECT 1 FROM pathways p JOIN followed_cases c USING (case_id)
                                                  WHERE p.pathway_id = $1 AND c.referent = $2""", pathway_id, referent),
                       timeout=30, message=f"the pathway of {subject_id}, and their referent")
        return {"case_id": case["case_id"], "pathway_id": pathway_id, "subject_id": subject_id}

    async def released(self, case_id: str, closed_on: date | None = None) -> None:
        await ok(await self.api.post(f"/cases/{case_id}/close", headers=self.as_role("dpip"), json={
            "reason": "release", "closed_on": str(closed_on or self.today)}))
        await wait_for(lambda: known(self.dsn, "SELECT 1 FROM followed_cases WHERE case_id = $1 AND closed_on IS NOT NULL",
                                     case_id), timeout=30, message=f"case {case_id} closed in the IPRO replica")


class Catalogue:
    """Partner actions published through the partners service, known to the IPRO replica."""

    def __init__(self, partners_api, as_role, ipro_dsn: str, clock) -> None:
        self.api, self.as_role, self.dsn, self.clock = partners_api, as_role, ipro_dsn, clock
        self.partners = 0

    async def published_action(self, *, capacity: int = 10, days_ahead: int = 14, hour: int = 10,
                               action_type: str = "job_forum", title: str = "Job dating") -> dict:
        """An accredited partner's action with one session, in the catalogue: its ids and the session's start."""
        today = local_date(self.clock())
        self.partners += 1
        call = await published_call(self.api, self.as_role, today)
        partner = await accredited_partner(self.api, self.as_role, 900 + self.partners, today)
        starts_at = datetime.combine(today + timedelta(days=days_ahead), datetime.min.time(),
                                     tzinfo=LOCAL_TIME_ZONE).replace(hour=hour)
        action = await approved_action(self.api, self.as_role, call["call_id"], partner["partner_id"], proposal_content(
            starts_at, title=title, action_type=action_type, capacity_min=1, capacity_max=capacity))
        organiser = self.as_role("partenaire", organisation_id=partner["partner_id"])
        session_id = await scheduled_session(self.api, organiser, action["action_id"], starts_at,
                                             place=f"Salle {self.partners}")
        await ok(await self.api.post(f"/actions/{action['action_id']}/publish", headers=self.as_role("ipro_chef")))
        await wait_for(lambda: known(self.dsn, """SELECT 1 FROM catalogue_sessions s JOIN catalogue_actions a
                                                  USING (action_id) WHERE s.session_id = $1 AND a.published""",
                                     session_id), timeout=30, message="the action in the IPRO replica")
        return {"action_id": action["action_id"], "session_id": session_id, "partner_id": partner["partner_id"],
                "starts_at": starts_at}
