"""Steps through the assessment API that several integration tests share, each asserting its own success.
Other services' end-to-end tests (`tests/e2e`) may drive the assessment service with them too."""

from datetime import date, datetime, timedelta

from devinfra.testkit import ok, plan_body  # noqa: F401  (the scenario and rules tests take it from here)


def case_body(today: date, ecrou_number: str = "62041", **overrides) -> dict:
    """A case to open: another écrou number is another person (the service answers their `subject_id`)."""
    return {
        "identity": {
            "last_name": "Martin",
            "first_names": "Lucas Pierre",
            "birth_date": "1994-03-12",
            "ecrou_number": ecrou_number,
        },
        "establishment": "InSERRE Arras",
        "admission_date": str(today - timedelta(days=10)),
        "sentence": {
            "short_sentence": False,
            "total_length_months": 30,
            "expected_end_date": str(today + timedelta(days=700)),
            "offence_categories": ["theft"],
        },
        **overrides,
    }


async def opened_case(
    api, as_role, today: date, ecrou_number: str = "62041", referent: str = "cpip-1"
) -> dict:
    """A case opened by a DPIP and followed by `referent`; its `subject_id` is the person's."""
    return await ok(
        await api.post(
            "/cases", json=case_body(today, ecrou_number, referent=referent), headers=as_role("dpip")
        ),
        201,
    )


async def drafted_assessment(api, cpip: dict, case_id: str, kind: str = "initial", trigger: str = "") -> dict:
    """An assessment started and filled in enough to be submitted (education and employment rated)."""
    started = await ok(
        await api.post(
            f"/cases/{case_id}/assessments", json={"kind": kind, "trigger": trigger}, headers=cpip
        ),
        201,
    )
    url = f"/assessments/{started['assessment_id']}"
    await ok(
        await api.put(
            f"{url}/domains/education_employment",
            headers=cpip,
            json={
                "risk_factor": True,
                "nature": "dynamic_stable",
                "level": "moderate",
                "evidence": "Sans diplôme, dernier emploi en 2019",
            },
        )
    )
    await ok(
        await api.put(
            f"{url}/domains/alcohol_drugs",
            headers=cpip,
            json={
                "risk_factor": True,
                "nature": "dynamic_acute",
                "level": "high",
                "evidence": "Consommation quotidienne",
            },
        )
    )
    return await ok(
        await api.put(
            f"{url}/conclusion",
            headers=cpip,
            json={
                "overall_risk_level": "moderate",
                "priority_axes": ["alcohol_drugs", "education_employment"],
            },
        )
    )


async def validated_assessment(api, as_role, case_id: str, **kwargs) -> dict:
    cpip = as_role("cpip")
    drafted = await drafted_assessment(api, cpip, case_id, **kwargs)
    url = f"/assessments/{drafted['assessment_id']}"
    await ok(await api.post(f"{url}/submit", headers=cpip))
    return await ok(await api.post(f"{url}/validate", headers=as_role("dpip")))


def appointment_body(starts_at: datetime, **overrides) -> dict:
    """An interview appointment (convocation) at `starts_at`: 45 minutes in an SPIP office."""
    return {
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 45,
        "place": "Bureau SPIP 2",
        "interview_type": "follow_up",
        **overrides,
    }
