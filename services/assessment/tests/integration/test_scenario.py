"""A person's follow-up through the API against the real database and broker: admission, referent CPIP,
initial assessment with a psychologist's contribution, returned, resubmitted, validated, plan adopted with
the person's agreement, an interview, a re-assessment after a significant event, release. Shareable events
reach `assessment.events`; restricted content reaches `assessment.restricted` only."""

import json
from datetime import timedelta

import pytest

from assessment import deadlines
from assessment.bootstrap import create_app
from contracts import known_events
from devinfra.testkit import ok, published_and_valid, serving

from .flows import appointment_body, case_body, drafted_assessment, opened_case, plan_body

# They erase people: on a keyring of their own, so the run's shared one keeps its people alive for the others.
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("isolated_keyring")]


@pytest.fixture
def app_with_relay(assessment_settings, clock):
    return create_app(assessment_settings.model_copy(update={"run_relay": True}), clock=clock)


@pytest.fixture
async def api_with_relay(app_with_relay):
    async with serving(app_with_relay) as client:
        yield client


async def test_a_follow_up_from_admission_to_release(
    api_with_relay, as_role, clock, assessment_settings, assessment_dsn
):
    api, today = api_with_relay, clock.now.date()
    cpip, dpip, psychologist = as_role("cpip"), as_role("dpip"), as_role("psychologue")

    # Admission, then the DPIP names the referent CPIP.
    case = await ok(await api.post("/cases", json=case_body(today), headers=dpip), 201)
    case_url, subject = f"/cases/{case['case_id']}", case["subject_id"]
    case = await ok(await api.post(f"{case_url}/referent", json={"referent": "cpip-1"}, headers=dpip))
    assert case["referent"] == "cpip-1"

    # The initial assessment, with a psychologist's contribution; returned, then resubmitted and validated.
    drafted = await drafted_assessment(api, cpip, case["case_id"])
    url = f"/assessments/{drafted['assessment_id']}"
    await ok(await api.post(f"{url}/contributors", headers=cpip, json={"contributor": "psychologue-1"}))
    contributed = await ok(
        await api.post(
            f"{url}/contributions",
            headers=psychologist,
            json={
                "domain": "personality_behaviour",
                "text": "Impulsivité marquée, pas de trouble psychiatrique",
            },
        ),
        201,
    )
    assert [(c["author"], c["author_role"]) for c in contributed["contributions"]] == [
        ("psychologue-1", "psychologue")
    ]
    await ok(await api.post(f"{url}/submit", headers=cpip))
    returned = await ok(
        await api.post(f"{url}/return", headers=dpip, json={"comments": "Préciser le logement"})
    )
    assert returned["status"] == "returned"
    await ok(
        await api.put(
            f"{url}/domains/housing",
            headers=cpip,
            json={"risk_factor": False, "level": "none", "evidence": "Hébergé par sa sœur à la sortie"},
        )
    )
    await ok(await api.post(f"{url}/resubmit", headers=cpip))
    validated = await ok(await api.post(f"{url}/validate", headers=dpip))
    assert validated["status"] == "validated" and validated["overall_risk_level"] == "moderate"

    # IPRO sees the shareable part only.
    shared = await ok(await api.get(url, headers=as_role("ipro_conseiller")))
    assert shared["education_employment"]["level"] == "moderate" and "domains" not in shared

    # The plan, agreed by the person and validated; an interview.
    plan = await ok(
        await api.post(f"{case_url}/plan", headers=cpip, json=plan_body(drafted["assessment_id"], today)), 201
    )
    await ok(
        await api.post(f"/plans/{plan['plan_id']}/agreement", json={"agreement": "agreed"}, headers=cpip)
    )
    plan = await ok(await api.post(f"/plans/{plan['plan_id']}/validate", headers=dpip))
    assert plan["validated"] and plan["agreement"] == "agreed"
    clock.advance(days=20)
    await ok(
        await api.post(
            f"{case_url}/interviews",
            headers=cpip,
            json={
                "held_on": str(clock.now.date()),
                "interview_type": "follow_up",
                "notes": "Démarches de soins engagées",
            },
        ),
        201,
    )

    # A significant event: a re-assessment; then the release closes the case.
    reassessment = await drafted_assessment(
        api, cpip, case["case_id"], kind="reassessment", trigger="Incident disciplinaire du 15 décembre"
    )
    assert reassessment["kind"] == "reassessment" and reassessment["status"] == "draft"
    closed = await ok(
        await api.post(
            f"{case_url}/close", headers=cpip, json={"reason": "release", "closed_on": str(clock.now.date())}
        )
    )
    assert closed["closure_reason"] == "release"
    refused = await api.post(
        f"{case_url}/interviews",
        headers=cpip,
        json={"held_on": str(clock.now.date()), "interview_type": "pre_release"},
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "case-closed"

    # Downstream: shareable events on assessment.events, restricted ones on assessment.restricted only.
    shared_events, restricted_events = await published_and_valid(
        assessment_settings, assessment_dsn, "assessment"
    )
    assert len(restricted_events) >= 6  # evidence, contributions, return comments, interview notes...
    for secret in ("Préciser le logement", "Impulsivité", "Démarches de soins", "Consommation quotidienne"):
        assert secret not in json.dumps(shared_events)
    # The SPIP-only facts too (ADR 25): what happened, who was asked, who submitted, the offences.
    spip_only = {
        "assessment.assessment.trigger_recorded",
        "assessment.assessment.contribution_requested",
        "assessment.assessment.submitted",
        "assessment.case.offences_recorded",
    }
    assert spip_only <= {e["event_type"] for e in restricted_events}
    for event in shared_events:
        assert event["payload"].keys().isdisjoint({"trigger", "contributor", "submitted_by"}), event
        assert "offence_categories" not in json.dumps(event["payload"]), event
    types = {e["event_type"] for e in shared_events}
    assert {
        "assessment.case.opened",
        "assessment.assessment.validated",
        "assessment.plan.adopted",
        "assessment.interview.held",
        "assessment.case.closed",
    } <= types
    assert all(e["subject"] == subject for e in shared_events)


async def test_every_event_type_of_the_service_is_published_on_its_topic_valid_against_its_schema(
    app_with_relay, api_with_relay, as_role, clock, assessment_settings, assessment_dsn
):
    api, today, cpip, dpip = api_with_relay, clock.now.date(), as_role("cpip"), as_role("dpip")
    case = await opened_case(api, as_role, today)
    case_url = f"/cases/{case['case_id']}"
    sentence = {
        **case_body(today)["sentence"],
        "conditional_release_eligibility_date": str(today + timedelta(days=200)),
    }
    await ok(await api.post(f"{case_url}/sentence", json=sentence, headers=cpip))
    await ok(
        await api.post(f"{case_url}/espace-notes", json={"text": "Pas de signalement"}, headers=dpip), 201
    )
    drafted = await drafted_assessment(api, cpip, case["case_id"])
    url = f"/assessments/{drafted['assessment_id']}"
    await ok(await api.put(f"{url}/protective-factors", json={"factors": ["Soutien familial"]}, headers=cpip))
    await ok(await api.put(f"{url}/receptivity", json={"motivation_stage": "contemplation"}, headers=cpip))
    corrected = {**case_body(today)["identity"], "first_names": "Lucas Pierre Jean"}
    await ok(
        await api.put(
            f"{case_url}/identity", json={"identity": corrected, "reason": "Acte de naissance"}, headers=dpip
        )
    )
    await ok(await api.post(f"{url}/contributors", json={"contributor": "assistant_social-1"}, headers=cpip))
    await ok(
        await api.post(
            f"{url}/contributions", json={"text": "Bilan social"}, headers=as_role("assistant_social")
        ),
        201,
    )
    await ok(await api.post(f"{url}/submit", headers=cpip))
    await ok(await api.post(f"{url}/return", json={"comments": "Compléter"}, headers=dpip))
    await ok(await api.post(f"{url}/resubmit", headers=cpip))
    await ok(await api.post(f"{url}/validate", headers=dpip))
    await drafted_assessment(api, cpip, case["case_id"], kind="reassessment", trigger="Nouvelle condamnation")
    plan = await ok(
        await api.post(f"{case_url}/plan", json=plan_body(drafted["assessment_id"], today), headers=cpip), 201
    )
    plan_url = f"/plans/{plan['plan_id']}"
    await ok(await api.post(f"{plan_url}/agreement", json={"agreement": "could_not_answer"}, headers=cpip))
    await ok(await api.post(f"{plan_url}/validate", headers=dpip))
    await ok(await api.post(f"{plan_url}/objectives/obj-1/status", json={"status": "achieved"}, headers=cpip))
    await ok(
        await api.post(
            f"{case_url}/interviews",
            json={
                "held_on": str(today),
                "interview_type": "motivational",
                "notes": "RAS",
                "confidential": True,
            },
            headers=cpip,
        ),
        201,
    )
    soon = clock.now + timedelta(days=3)
    convened = await ok(
        await api.post(f"{case_url}/appointments", json=appointment_body(soon), headers=cpip), 201
    )
    appointment_url = f"{case_url}/appointments/{convened['interview_id']}"
    moved = {"starts_at": (soon + timedelta(days=1)).isoformat(), "place": "Bureau SPIP 1"}
    await ok(await api.post(f"{appointment_url}/move", json=moved, headers=cpip))
    await ok(await api.post(f"{appointment_url}/cancel", headers=cpip))
    clock.advance(days=200)  # the plan review (180 days) is now overdue
    assert await deadlines.publish_missed(app_with_relay.state.event_store) == 1
    await ok(
        await api.post(
            f"{case_url}/transfer",
            headers=dpip,
            json={
                "establishment": "Centre pénitentiaire de Lille-Annœullin",
                "transferred_on": str(clock.now.date()),
            },
        )
    )
    await ok(
        await api.post(
            f"{case_url}/close",
            headers=dpip,
            json={"reason": "end_of_measure", "closed_on": str(clock.now.date())},
        )
    )
    await ok(await api.post(f"{case_url}/hold", json={"reason": "Recours pendant"}, headers=dpip), 201)
    await ok(await api.delete(f"{case_url}/hold", headers=dpip))
    erasure = f"/subjects/{case['subject_id']}/erasure"
    await ok(await api.post(erasure, json={"reason": "court_order"}, headers=dpip), 201)

    shared_events, restricted_events = await published_and_valid(
        assessment_settings, assessment_dsn, "assessment"
    )
    service_types = {cls.event_type for cls in known_events() if cls.service() == "assessment"}
    assert {e["event_type"] for e in shared_events + restricted_events} == service_types
