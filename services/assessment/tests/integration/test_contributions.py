"""Who reads a contribution (security review M1, medical confidentiality): a psychologist's is theirs and the
other psychologists' asked, unless they share it; a social worker's, or one shared, is read by everyone who
reads the assessment in full."""

import pytest

from .flows import drafted_assessment, ok, opened_case

pytestmark = pytest.mark.integration


async def test_a_psychologists_contribution_stays_with_psychologists_unless_shared(api, as_role, clock):
    today, cpip, dpip = clock.now.date(), as_role("cpip"), as_role("dpip")
    case_id = (await opened_case(api, as_role, today))["case_id"]
    url = "/assessments/" + (await drafted_assessment(api, cpip, case_id))["assessment_id"]
    asked = ("psychologue-1", "psychologue-2", "assistant_social-1")
    for contributor in asked:
        await ok(await api.post(f"{url}/contributors", json={"contributor": contributor}, headers=cpip))
    psychologist = as_role("psychologue", "psychologue-1")
    clinical = await ok(
        await api.post(f"{url}/contributions", json={"text": "Bilan psychologique"}, headers=psychologist),
        201,
    )
    assert [(c["text"], c["shared"]) for c in clinical["contributions"]] == [("Bilan psychologique", False)]
    await ok(
        await api.post(
            f"{url}/contributions",
            json={"text": "Conclusion partagée : suivi CMP", "shared": True},
            headers=psychologist,
        ),
        201,
    )
    await ok(
        await api.post(
            f"{url}/contributions", json={"text": "Bilan social"}, headers=as_role("assistant_social")
        ),
        201,
    )

    async def read_by(headers: dict) -> set[str]:
        return {c["text"] for c in (await ok(await api.get(url, headers=headers)))["contributions"]}

    everyone = {"Conclusion partagée : suivi CMP", "Bilan social"}
    assert await read_by(psychologist) == everyone | {"Bilan psychologique"}
    assert await read_by(as_role("psychologue", "psychologue-2")) == everyone | {"Bilan psychologique"}
    for reader in (cpip, dpip, as_role("assistant_social")):
        assert await read_by(reader) == everyone
