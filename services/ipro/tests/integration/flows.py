"""The other services, as the IPRO replicas see them: contract-built events published on their topics.

People are admitted and released by `assessment.case.*` events, partner actions reach the catalogue by
`partners.action.*` events, each published exactly as the upstream service's relay would
(`devinfra.testkit.Upstream`); the IPRO app's consumers apply them. `tests/e2e` runs the real upstream
services instead.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from contracts.assessment import CaseClosed, CaseOpened, ClosureReason, Identity, ReferentAssigned, Sentence
from contracts.partners import (
    ActionCreated,
    ActionPublished,
    ActionType,
    SessionCancelled,
    SessionMoved,
    SessionScheduled,
    SessionSlot,
)
from devinfra.testkit import Upstream, ok, query_value, wait_for
from kernel.clock import LOCAL_TIME_ZONE, local_date

REPLICA_TIMEOUT = 30


async def known(dsn: str, sql: str, *args) -> bool:
    return await query_value(dsn, sql, *args) is not None


class Residents:
    """People the SPIP admitted (`assessment.events`), whose pathways the IPRO service opened."""

    def __init__(self, assessment: Upstream, ipro_dsn: str, clock) -> None:
        self.assessment, self.dsn, self.clock = assessment, ipro_dsn, clock
        self.admissions = 0

    @property
    def today(self) -> date:
        return local_date(self.clock())

    async def admitted(
        self,
        subject_id: str,
        *,
        release_in_days: int = 400,
        referent: str = "cpip-1",
        establishment: str = "InSERRE Arras",
        last_name: str = "Martin",
        first_names: str = "Jean",
        admitted_on: date | None = None,
    ) -> dict:
        """A case opened with its referent CPIP, the person admitted on `admitted_on` (today by default);
        returns the ids of the case and of the pathway its admission opened, once the IPRO replica knows
        both."""
        self.admissions += 1
        case_id = str(uuid.uuid4())
        identity = Identity(
            last_name=last_name,
            first_names=first_names,
            birth_date=date(1990, 5, 4),
            ecrou_number=f"6204{self.admissions}",
        )
        sentence = Sentence(
            short_sentence=False,
            total_length_months=24,
            expected_end_date=self.today + timedelta(days=release_in_days),
        )
        await self.assessment.publish(
            case_id,
            CaseOpened(
                case_id=case_id,
                subject_id=subject_id,
                identity=identity,
                establishment=establishment,
                admission_date=admitted_on or self.today,
                sentence=sentence,
            ),
            ReferentAssigned(case_id=case_id, referent=referent),
            subject=subject_id,
        )
        pathway_id = f"pathway-{case_id}"
        await wait_for(
            lambda: known(
                self.dsn,
                """SELECT 1 FROM pathways p JOIN followed_cases c USING (case_id)
                                                  WHERE p.pathway_id = $1 AND c.referent = $2""",
                pathway_id,
                referent,
            ),
            timeout=REPLICA_TIMEOUT,
            message=f"the pathway of {subject_id}, and their referent",
        )
        return {"case_id": case_id, "pathway_id": pathway_id, "subject_id": subject_id}

    async def released(self, case_id: str, closed_on: date | None = None) -> str:
        """The case closed at release: returns the id of that event, which the release's reaction is caused by."""
        (closure,) = await self.assessment.publish(
            case_id,
            CaseClosed(case_id=case_id, reason=ClosureReason.RELEASE, closed_on=closed_on or self.today),
        )
        await wait_for(
            lambda: known(
                self.dsn, "SELECT 1 FROM followed_cases WHERE case_id = $1 AND closed_on IS NOT NULL", case_id
            ),
            timeout=REPLICA_TIMEOUT,
            message=f"case {case_id} closed in the IPRO replica",
        )
        return str(closure.event_id)


class Catalogue:
    """Partner actions published in the catalogue (`partners.events`), known to the IPRO replica."""

    def __init__(self, partners: Upstream, ipro_dsn: str, clock) -> None:
        self.partners, self.dsn, self.clock = partners, ipro_dsn, clock
        self.published = 0

    async def published_action(
        self,
        *,
        capacity: int = 10,
        days_ahead: int = 14,
        hour: int = 10,
        action_type: str = "job_forum",
        title: str = "Job dating",
    ) -> dict:
        """A partner organisation's action with one two-hour session, published: its ids and the session's
        start."""
        self.published += 1
        action_id, session_id, partner_id = (str(uuid.uuid4()) for _ in range(3))
        today = local_date(self.clock())
        starts_at = datetime.combine(
            today + timedelta(days=days_ahead), datetime.min.time(), tzinfo=LOCAL_TIME_ZONE
        ).replace(hour=hour)
        place = f"Salle {self.published}"
        slot = SessionSlot(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), place=place)
        await self.partners.publish(
            action_id,
            ActionCreated(
                action_id=action_id,
                proposal_id=str(uuid.uuid4()),
                call_id=str(uuid.uuid4()),
                partner_id=partner_id,
                title=title,
                action_type=ActionType(action_type),
                theme="Insertion professionnelle",
                capacity_min=1,
                capacity_max=capacity,
            ),
            SessionScheduled(action_id=action_id, session_id=session_id, slot=slot),
            ActionPublished(action_id=action_id),
        )
        await wait_for(
            lambda: known(
                self.dsn,
                """SELECT 1 FROM catalogue_sessions s JOIN catalogue_actions a
                                                  USING (action_id) WHERE s.session_id = $1 AND a.published""",
                session_id,
            ),
            timeout=REPLICA_TIMEOUT,
            message="the action in the IPRO replica",
        )
        return {
            "action_id": action_id,
            "session_id": session_id,
            "partner_id": partner_id,
            "starts_at": starts_at,
            "place": place,
        }

    async def session_cancelled(self, action: dict, reason: str = "Intervenant indisponible") -> None:
        """The partner cancelled the action's session; returns once the IPRO replica knows it."""
        await self.partners.publish(
            action["action_id"],
            SessionCancelled(action_id=action["action_id"], session_id=action["session_id"], reason=reason),
        )
        await wait_for(
            lambda: known(
                self.dsn,
                "SELECT 1 FROM catalogue_sessions WHERE session_id = $1 AND cancelled",
                action["session_id"],
            ),
            timeout=REPLICA_TIMEOUT,
            message="the session cancelled in the IPRO replica",
        )

    async def session_moved(self, action: dict, starts_at: datetime, place: str = "Salle B") -> None:
        """The partner moved the action's session (two hours from `starts_at`); returns once the IPRO replica
        knows it."""
        slot = SessionSlot(starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), place=place)
        await self.partners.publish(
            action["action_id"],
            SessionMoved(action_id=action["action_id"], session_id=action["session_id"], slot=slot),
        )
        await wait_for(
            lambda: known(
                self.dsn,
                "SELECT 1 FROM catalogue_sessions WHERE session_id = $1 AND starts_at = $2",
                action["session_id"],
                starts_at,
            ),
            timeout=REPLICA_TIMEOUT,
            message="the session moved in the IPRO replica",
        )


# --- the access follow-up (test_access_api.py and tests/security/test_access_matrix.py) -------------

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=LOCAL_TIME_ZONE)  # a Friday
TODAY = NOW.date()
MONDAY = date(2026, 11, 30)
MORNINGS = [{"weekday": day, "starts_at": "08:00", "ends_at": "12:00"} for day in range(5)]
AFTERNOONS = [{"weekday": day, "starts_at": "13:00", "ends_at": "17:00"} for day in range(5)]
PROFILE = {"education_level": "vocational", "qualifications": ["CAP cuisine"], "languages": ["français"]}
TRAINING = {
    "body": "AFPA",
    "title": "Agent magasinier",
    "certification": "Titre professionnel",
    "starts_on": str(TODAY),  # a training starts on or after its start date: these start today
    "ends_on": "2027-02-10",
    "hours": 120,
    "schedule": [{"weekday": 2, "starts_at": "13:30", "ends_at": "17:00"}],
}
LEAVE = {
    "kind": "pmsmp",
    "starts_on": str(TODAY + timedelta(days=7)),
    "ends_on": str(TODAY + timedelta(days=9)),
    "purpose": "Découverte du métier de magasinier",
}

# --- the follow-up -------------------------------------------------------------------------------------
#
# People (admitted through the assessment service, establishment InSERRE Arras), users "<role>-1" unless named:
#   p1  Dupont   referent cpip-1  adviser ipro_conseiller-1  classed (service général), waiting for a post;
#                                                            training t1, goal, leave (pending), positioning pos1 (A)
#   p2  Bernard  referent cpip-2  adviser ipro_conseiller-2  classed (concession), at a post on weekday mornings;
#                                                            training t2, goal, leave (pending), pos2 (A), posB (B)
#   p3  Petit    referent cpip-1  no adviser                 positioning pos3 (B)
#   p4  Moreau   referent cpip-2  no adviser                 classement requested, CPU favourable, leave (pending):
#                                                            what the governor's office decides on (its test)
# Partner actions (each of its own organisation, the partners service's): A (pos1, pos2), B (posB, pos3).

PEOPLE = {
    "p1": ("Dupont", "cpip-1"),
    "p2": ("Bernard", "cpip-2"),
    "p3": ("Petit", "cpip-1"),
    "p4": ("Moreau", "cpip-2"),
}


async def admitted(
    residents: Residents, key: str, *, last_name: str | None = None, referent: str | None = None
) -> str:
    """A case opened with its referent CPIP named: returns the case id once the IPRO replica knows both the
    pathway the admission opened and the referent."""
    last_name, referent = (last_name, referent) if referent else PEOPLE[key]
    person = await residents.admitted(key, last_name=last_name, referent=referent)
    return person["case_id"]


async def follow_up(api, residents: Residents, catalogue: Catalogue, as_role) -> dict:
    adviser1, adviser2 = as_role("ipro_conseiller"), as_role("ipro_conseiller", "ipro_conseiller-2")
    chef, governor = as_role("ipro_chef"), as_role("direction")
    cases = {key: await admitted(residents, key) for key in PEOPLE}
    pathways = {key: f"pathway-{case_id}" for key, case_id in cases.items()}
    url = {key: f"/pathways/{pathway_id}" for key, pathway_id in pathways.items()}
    await ok(await api.post(f"{url['p1']}/adviser", headers=chef, json={"adviser": "ipro_conseiller-1"}))
    await ok(await api.post(f"{url['p2']}/adviser", headers=chef, json={"adviser": "ipro_conseiller-2"}))

    async def classed(key: str, adviser: dict, regime: str) -> None:
        await ok(await api.post(f"{url[key]}/work/classement-request", headers=adviser), 201)
        await ok(
            await api.post(
                f"{url[key]}/work/cpu-opinion", headers=chef, json={"held_on": str(TODAY), "favourable": True}
            )
        )
        work = await ok(
            await api.post(
                f"{url[key]}/work/decision", headers=governor, json={"granted": True, "regimes": [regime]}
            )
        )
        assert work["classement"] == "granted"

    await classed("p1", adviser1, "service_general")
    await classed("p2", adviser2, "concession")
    await ok(
        await api.post(
            f"{url['p2']}/work/employer-interviews",
            headers=adviser2,
            json={
                "regime": "concession",
                "employer": "Conditionnement Artois",
                "post": "Opérateur",
                "held_on": str(TODAY),
            },
        ),
        201,
    )
    await ok(
        await api.post(
            f"{url['p2']}/work/affectation",
            headers=governor,
            json={
                "regime": "concession",
                "post": "Opérateur",
                "workshop": "Atelier 2",
                "employer": "Conditionnement Artois",
                "schedule": MORNINGS,
                "starts_on": str(MONDAY),
            },
        ),
        201,
    )
    await ok(await api.post(f"{url['p4']}/work/classement-request", headers=chef), 201)
    await ok(
        await api.post(
            f"{url['p4']}/work/cpu-opinion", headers=chef, json={"held_on": str(TODAY), "favourable": True}
        )
    )

    goals, leaves, trainings = {}, {}, {}
    for key, adviser, training in (("p1", adviser1, "t1"), ("p2", adviser2, "t2"), ("p4", chef, None)):
        if training:
            enrolled = await ok(await api.post(f"{url[key]}/trainings", headers=adviser, json=TRAINING), 201)
            trainings[training] = enrolled["training_id"]
            goal = await ok(
                await api.post(
                    f"{url[key]}/goals",
                    headers=adviser,
                    json={
                        "description": "Obtenir le CACES",
                        "steps": [{"step_id": "s1", "description": "Test"}],
                    },
                ),
                201,
            )
            (goals[key],) = goal["goals"]
        leave = await ok(await api.post(f"{url[key]}/leaves", headers=adviser, json=LEAVE), 201)
        (leaves[key],) = leave["leaves"]

    actions = {
        "A": await catalogue.published_action(days_ahead=14, hour=14, title="Job dating logistique"),
        "B": await catalogue.published_action(days_ahead=15, hour=14, title="Forum de l'emploi"),
    }
    positionings = {}
    for name, key, action, headers in (
        ("pos1", "p1", "A", adviser1),
        ("pos2", "p2", "A", adviser2),
        ("posB", "p2", "B", chef),
        ("pos3", "p3", "B", chef),
    ):
        body = {"action_id": actions[action]["action_id"], "session_id": actions[action]["session_id"]}
        positioned = await ok(await api.post(f"{url[key]}/positionings", headers=headers, json=body), 201)
        positionings[name] = positioned["positioning_id"]
    return {
        "pathways": pathways,
        "cases": cases,
        "trainings": trainings,
        "positionings": positionings,
        "goals": goals,
        "leaves": leaves,
        "actions": actions,
    }
