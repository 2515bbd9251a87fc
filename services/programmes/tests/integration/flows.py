"""Steps that several programmes integration tests share, each asserting its own success.

People are followed as the assessment service publishes them: contract-built case, assessment and plan
events on the assessment topics (`testkit.Upstream`; the offence categories on `assessment.restricted`), which
the programmes service's replica consumes, as in production. `tests/e2e/test_assessment_to_programmes.py`
runs the real assessment service instead."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from contracts.assessment import (
    AssessmentKind,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    ClosureReason,
    Identity,
    NeedDomain,
    Objective,
    OffencesRecorded,
    PlanAdopted,
    ReferentAssigned,
    RiskLevel,
    Sentence,
)
from devinfra.testkit import Upstream, ok, query_value, wait_for
from kernel.clock import local_date


class People:
    """People followed by the SPIP, known to the programmes service's replica."""

    def __init__(self, assessment: Upstream, programmes_dsn: str, clock) -> None:
        self.assessment = assessment
        self.dsn = programmes_dsn
        self.clock = clock
        self._subjects: dict[str, str] = {}  # case id -> subject id

    @property
    def today(self) -> date:
        return local_date(self.clock())

    async def followed(
        self,
        subject_id: str,
        *,
        offences: tuple[str, ...] = ("theft",),
        short_sentence: bool = False,
        referent: str = "cpip-1",
        establishment: str = "InSERRE Arras",
    ) -> dict:
        """A case opened and followed by `referent`, its initial assessment validated (risk moderate) and a
        plan adopted; returns what a referral cites: case, plan and objective ids."""
        today = self.today
        case_id, assessment_id, plan_id = (str(uuid.uuid4()) for _ in range(3))
        sentence = Sentence(
            short_sentence=short_sentence,
            total_length_months=6 if short_sentence else 30,
            expected_end_date=today + timedelta(days=400),
        )
        identity = Identity(
            last_name="Martin",
            first_names=f"Lucas {subject_id}",
            birth_date=date(1994, 3, 12),
            ecrou_number=subject_id[-20:],
        )
        await self.assessment.publish(
            case_id,
            CaseOpened(
                case_id=case_id,
                subject_id=subject_id,
                identity=identity,
                establishment=establishment,
                admission_date=today - timedelta(days=10),
                sentence=sentence,
            ),
            OffencesRecorded(case_id=case_id, offence_categories=list(offences)),
            ReferentAssigned(case_id=case_id, referent=referent),
            subject=subject_id,
        )
        await self.assessment.publish(
            assessment_id,
            AssessmentValidated(
                assessment_id=assessment_id,
                case_id=case_id,
                kind=AssessmentKind.INITIAL,
                validated_on=today,
                overall_risk_level=RiskLevel.MODERATE,
                priority_axes=[NeedDomain.ALCOHOL_DRUGS],
                education_employment=None,
            ),
            subject=subject_id,
        )
        await self.assessment.publish(
            plan_id,
            PlanAdopted(
                plan_id=plan_id,
                case_id=case_id,
                assessment_id=assessment_id,
                plan_version=1,
                review_date=today + timedelta(days=180),
                objectives=[
                    Objective(
                        objective_id="obj-1",
                        priority=1,
                        work_axis=NeedDomain.ALCOHOL_DRUGS,
                        description="Engager un suivi en addictologie",
                    ),
                    Objective(
                        objective_id="obj-2",
                        priority=2,
                        work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
                        description="Accéder à une formation qualifiante",
                    ),
                ],
            ),
            subject=subject_id,
        )
        self._subjects[case_id] = subject_id
        await self.replicated(case_id, plan_id, referent)
        return {"case_id": case_id, "plan_id": plan_id, "objective_id": "obj-1", "subject_id": subject_id}

    async def replicated(self, case_id: str, plan_id: str, referent: str) -> None:
        """The case, its offences, its referent, its validated risk level and its plan have all reached the
        replica: they are events of different streams or topics, so they may arrive in any order."""
        await wait_for(
            lambda: self._known(
                """SELECT 1 FROM followed_cases c JOIN followed_plans p USING (case_id)
                   JOIN followed_risks r USING (case_id) JOIN followed_offences o USING (case_id)
                   WHERE c.case_id = $1 AND p.plan_id = $2 AND c.referent = $3""",
                case_id,
                plan_id,
                referent,
            ),
            timeout=30,
            message=f"case {case_id} and its plan in the programmes replica",
        )

    async def _known(self, sql: str, *args) -> bool:
        return await query_value(self.dsn, sql, *args) is not None

    async def close_case(
        self, case_id: str, closed_on: date | None = None, *, replicated: bool = True
    ) -> None:
        """The person is released: their case closes (and, unless told not to, the replica has applied it)."""
        await self.assessment.publish(
            case_id,
            CaseClosed(case_id=case_id, reason=ClosureReason.RELEASE, closed_on=closed_on or self.today),
            subject=self._subjects[case_id],
        )
        if replicated:
            await wait_for(
                lambda: self._known(
                    "SELECT 1 FROM followed_cases WHERE case_id = $1 AND closed_on IS NOT NULL", case_id
                ),
                timeout=30,
                message=f"case {case_id} closed in the programmes replica",
            )


def referral_body(person: dict, programme_id: str) -> dict:
    return {
        "case_id": person["case_id"],
        "programme_id": programme_id,
        "plan_id": person["plan_id"],
        "objective_id": person["objective_id"],
    }


def group_body(programme_id: str, today: date, **overrides) -> dict:
    """A group starting next Monday, Tuesdays 14:00 for two hours, for twelve weeks."""
    start = today + timedelta(days=7 - today.weekday())
    return {
        "programme_id": programme_id,
        "establishment": "InSERRE Arras",
        "room": "Salle d'activités 1",
        "facilitators": ["cpip-1", "cpip-2"],
        "start_date": str(start),
        "end_date": str(start + timedelta(weeks=12)),
        "pattern": {"weekday": 1, "starts_at": "14:00", "duration_minutes": 120, "every_weeks": 1},
        "capacity": 8,
        **overrides,
    }


async def planned_group(
    api, as_role, programme_id: str, today: date, *, open_: bool = True, **overrides
) -> dict:
    group = await ok(
        await api.post("/groups", headers=as_role("dpip"), json=group_body(programme_id, today, **overrides)),
        201,
    )
    if open_:
        group = await ok(await api.post(f"/groups/{group['group_id']}/open", headers=as_role("dpip")))
    return group


async def referred(
    api, as_role, person: dict, programme_id: str, *, consent: bool = True, referent: str = "cpip-1"
) -> dict:
    cpip = as_role("cpip", referent)
    referral = await ok(
        await api.post("/referrals", headers=cpip, json=referral_body(person, programme_id)), 201
    )
    if consent:
        referral = await ok(
            await api.post(
                f"/referrals/{referral['referral_id']}/consent", headers=cpip, json={"given": True}
            )
        )
    return referral


PARCOURS_NOTES = "Échanges tendus entre deux participants sur les faits"
ESPACE_NOTES = "Discours de rupture tenu pendant la séance"

# --- the follow-up -------------------------------------------------------------------------------------
#
# Groups (first session in the week of 2026-11-30 when built on 2026-11-27), users "<role>-1" unless named:
#   parcours  PARCOURS, Tuesdays, Salle 1, run by cpip-1, psychologue-1 and organisation org-1; started
#   other     CAIRN, Wednesdays, Salle 2, run by cpip-2 (and a label "partenaire-2", which makes
#             partenaire-2, of org-2, no facilitator: security review L3); open
#   espace    ESPACE, Thursdays, Salle 3, run by dpip-1, psychologue-1 and organisation org-1; started
# A partner "partenaire-<n>" belongs to organisation "org-<n>".
# People and referrals:
#   p-1 (cpip-1)  r1  PARCOURS, enrolled in parcours;  re  ESPACE (by dpip-1), enrolled in espace
#   p-2 (cpip-1)  r2  ADERES, refused: eligibility-short-sentence
#   p-3 (cpip-2)  r3  PARCOURS, enrolled in parcours;  r3b CAIRN (by dpip-1), eligible, no consent yet
#   p-4 (cpip-1)  r4  PARCOURS, enrolled in parcours (a DPIP excludes them)
#   p-5 (cpip-1)  r5  ESPACE (by dpip-1), enrolled in espace, then released (their case closed)
# Session 1 of parcours and of espace are recorded, with notes.


def tuesdays(**overrides) -> dict:
    return {"weekday": 1, "starts_at": "14:00", "duration_minutes": 120, "every_weeks": 1, **overrides}


async def follow_up(api, people: People, as_role, clock, later: datetime) -> dict:
    """Who does what in programmes, on one follow-up (test_access_api.py and the access matrix of
    tests/security): the groups, people and referrals drawn above; at `later`, session 1 of parcours and of
    espace recorded with notes."""
    today, dpip = people.today, as_role("dpip")
    p = {
        name: await people.followed(name, referent=referent)
        for name, referent in (
            ("p-1", "cpip-1"),
            ("p-2", "cpip-1"),
            ("p-3", "cpip-2"),
            ("p-4", "cpip-1"),
            ("p-5", "cpip-1"),
        )
    }
    groups = {
        "parcours": await planned_group(
            api,
            as_role,
            "programme-parcours",
            today,
            room="Salle 1",
            facilitators=["cpip-1", "psychologue-1"],
            partner_organisations=["org-1"],
        ),
        "other": await planned_group(
            api,
            as_role,
            "programme-cairn",
            today,
            room="Salle 2",
            facilitators=["cpip-2", "partenaire-2"],
            pattern=tuesdays(weekday=2),
        ),
        "espace": await planned_group(
            api,
            as_role,
            "programme-espace",
            today,
            room="Salle 3",
            facilitators=["dpip-1", "psychologue-1"],
            partner_organisations=["org-1"],
            pattern=tuesdays(weekday=3, starts_at="10:00"),
        ),
    }
    groups = {key: group["group_id"] for key, group in groups.items()}

    async def enrol(referral: dict, group: str, headers: dict) -> None:
        enrolled = await ok(
            await api.post(
                f"/referrals/{referral['referral_id']}/enrol",
                headers=headers,
                json={"group_id": groups[group]},
            )
        )
        assert enrolled["status"] == "enrolled"

    async def referred_by_dpip(person: dict, programme_id: str, consent: bool = True) -> dict:
        referral = await ok(
            await api.post("/referrals", headers=dpip, json=referral_body(person, programme_id)), 201
        )
        if consent:
            referral = await ok(
                await api.post(
                    f"/referrals/{referral['referral_id']}/consent", headers=dpip, json={"given": True}
                )
            )
        return referral

    r1 = await referred(api, as_role, p["p-1"], "programme-parcours")
    await enrol(r1, "parcours", as_role("cpip"))
    r2 = await ok(
        await api.post(
            "/referrals", headers=as_role("cpip"), json=referral_body(p["p-2"], "programme-aderes")
        ),
        201,
    )
    assert r2["status"] == "refused" and r2["failed_rules"] == ["eligibility-short-sentence"]
    r3 = await referred(api, as_role, p["p-3"], "programme-parcours", referent="cpip-2")
    await enrol(r3, "parcours", as_role("cpip", "cpip-2"))
    r3b = await referred_by_dpip(p["p-3"], "programme-cairn", consent=False)
    r4 = await referred(api, as_role, p["p-4"], "programme-parcours")
    await enrol(r4, "parcours", as_role("cpip"))
    re = await referred_by_dpip(p["p-1"], "programme-espace")
    await enrol(re, "espace", dpip)
    r5 = await referred_by_dpip(p["p-5"], "programme-espace")
    await enrol(r5, "espace", dpip)
    for group in ("parcours", "espace"):
        await ok(
            await api.post(
                f"/groups/{groups[group]}/start",
                headers=dpip,
                json={"below_minimum_reason": "Démarrage validé en commission"},
            )
        )
    await people.close_case(p["p-5"]["case_id"])  # r5 ends, "released", and leaves the espace group
    referrals = {"r1": r1, "r2": r2, "r3": r3, "r3b": r3b, "r4": r4, "re": re, "r5": r5}
    referrals = {key: referral["referral_id"] for key, referral in referrals.items()}

    clock.now = later
    for group, user, notes, marked in (
        ("parcours", ("cpip", "cpip-1"), PARCOURS_NOTES, ("r1", "r3", "r4")),
        ("espace", ("dpip", "dpip-1"), ESPACE_NOTES, ("re",)),
    ):
        await ok(
            await api.post(
                f"/groups/{groups[group]}/sessions/{groups[group]}-s1/attendance",
                headers=as_role(*user),
                json={
                    "marks": [{"referral_id": referrals[r], "mark": "present"} for r in marked],
                    "notes": notes,
                },
            )
        )
    return {
        "groups": groups,
        "referrals": referrals,
        "cases": {k: v["case_id"] for k, v in p.items()},
        "people": p,
    }
