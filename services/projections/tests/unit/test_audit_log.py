"""The audit-log view's pure parts (issue 16 item 4, ADR 30): what it keeps of a payload (every personal
value masked, the rest as published) and which streams an auditor reaches (ADR 26)."""

from devinfra.testkit import assert_answers_problem, assert_names_its_rule, errors_of
from kernel.access import Principal
from kernel.sealing import plan_for
from projections.audit_log import http
from projections.audit_log.access import reaches_stream, stream_establishment
from projections.audit_log.ingest import SEALED_MARK, masked

ARRAS, LILLE = "CP d'Arras", "CP de Lille-Annœullin"
SEALED = {"enc": "v1", "kid": "person-1", "ct": "bm9uY2UuLi4="}


def an_auditor(*establishments: str) -> Principal:
    return Principal(
        subject="auditeur-1", roles=frozenset({"auditeur"}), establishments=frozenset(establishments)
    )


def test_every_personal_value_of_a_case_opened_is_masked_and_the_rest_kept_as_published():
    payload = {
        "case_id": "case-1",
        "subject_id": "person-1",
        "identity": {
            "last_name": "Lefèvre",
            "first_names": "Marie",
            "birth_date": "1990-01-01",
            "ecrou_number": SEALED,  # sealed or opened, a personal value reads the same
        },
        "establishment": ARRAS,
        "admission_date": "2031-01-06",
        "sentence": {"ends_on": "2032-01-01"},
    }

    kept = masked(payload, plan_for("assessment.case.opened", 2))

    assert kept["identity"] == dict.fromkeys(
        ("last_name", "first_names", "birth_date", "ecrou_number"), SEALED_MARK
    )
    assert {k: v for k, v in kept.items() if k != "identity"} == {
        k: v for k, v in payload.items() if k != "identity"
    }
    assert payload["identity"]["last_name"] == "Lefèvre"  # the envelope's payload is not changed


def test_a_sealed_value_the_contract_does_not_name_is_masked_too_and_none_says_nothing():
    kept = masked({"note": SEALED, "items": [{"x": SEALED}], "reason": None}, plan_for("no.such.type", 1))
    assert kept == {"note": SEALED_MARK, "items": [{"x": SEALED_MARK}], "reason": None}


def event(subject: str | None, **payload) -> dict:
    return {"subject": subject, "payload": payload}


def test_a_person_s_stream_is_reached_by_the_person_s_establishment_now():
    case = [event("person-1", establishment=ARRAS), event("person-1", establishment=LILLE)]
    assert reaches_stream(an_auditor(LILLE), case, {"person-1": LILLE})
    assert not reaches_stream(an_auditor(ARRAS), case, {"person-1": LILLE})
    assert not reaches_stream(an_auditor(ARRAS, LILLE), case, {})  # case not in the log: no one


def test_a_group_is_reached_only_if_its_establishment_and_every_participant_are():
    group = [event(None, establishment=ARRAS), event("person-1"), event("person-2")]
    placed = {"person-1": ARRAS, "person-2": LILLE}
    assert stream_establishment(group) == ARRAS
    assert reaches_stream(an_auditor(ARRAS, LILLE), group, placed)
    assert not reaches_stream(an_auditor(ARRAS), group, placed)  # person-2 moved away: the whole stream
    assert not reaches_stream(an_auditor(LILLE), [event(None, establishment=ARRAS)], {})


def test_a_stream_that_names_no_establishment_nor_person_is_not_limited():
    organisation = [event(None, name="Mission locale"), event(None, reason="fermeture")]
    assert reaches_stream(an_auditor(ARRAS), organisation, {})
    assert reaches_stream(an_auditor(), organisation, {})


def test_each_refusal_names_its_rule_and_answers_404():
    for error in errors_of(http):
        assert_names_its_rule(error)
        assert_answers_problem(error, 404)
