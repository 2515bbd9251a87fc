"""Crypto-shredding end to end (issue 17 #1): a person's identity, recorded by the assessment service, is sealed
in its event store and on its topic, opened by the programmes service's replica, and erased everywhere it is
read from once their key is destroyed; the audit still verifies every hash chain."""

import asyncio
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from devinfra.audit import app as passerelle
from devinfra.testkit import ok, query_value, read_topic, service_settings, serving, wait_for
from kernel.clock import local_date
from kernel.sealing import ERASED_DATE, ERASED_TEXT
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings

pytestmark = pytest.mark.integration

IDENTITY = {"last_name": "Vasseur", "first_names": "Maëlys", "birth_date": "1991-07-23"}


def case_body(identity: dict, today) -> dict:
    return {
        "referent": "cpip-1",
        "establishment": "InSERRE Arras",
        "admission_date": str(today - timedelta(days=10)),
        "identity": identity,
        "sentence": {
            "short_sentence": False,
            "total_length_months": 30,
            "offence_categories": ["theft"],
            "expected_end_date": str(today + timedelta(days=700)),
        },
    }


def clear_values_in(data: bytes, identity: dict) -> list[str]:
    return [value for value in identity.values() if value.encode() in data]


async def replica_name(dsn: str, case_id: str) -> str | None:
    return await query_value(dsn, "SELECT last_name FROM followed_cases WHERE case_id = $1", case_id)


async def test_an_identity_travels_sealed_is_read_in_clear_and_is_erased_once_its_key_is_destroyed(
    new_database, infrastructure, dev_keys, topic_prefix, clock, as_role, unique_name
):
    # An écrou number of its own: the run's keyring is shared, and this person's key is destroyed below.
    identity, today = {**IDENTITY, "ecrou_number": unique_name("e")}, local_date(clock())
    assessment_settings = service_settings(
        AssessmentSettings,
        await new_database("assessment"),
        infrastructure,
        dev_keys,
        topic_prefix,
        run_relay=True,
    )
    programmes_settings, later_settings = [
        service_settings(
            ProgrammesSettings, await new_database("programmes"), infrastructure, dev_keys, topic_prefix
        )
        for _ in range(2)
    ]
    assessment_app = create_assessment_app(assessment_settings, clock=clock)
    async with (
        serving(assessment_app) as assessment,
        serving(create_programmes_app(programmes_settings, clock=clock)),
    ):
        case = await ok(
            await assessment.post("/cases", headers=as_role("dpip"), json=case_body(identity, today)), 201
        )
        case_id, subject = case["case_id"], case["subject_id"]

        # Stored and published sealed: no byte of the identity in the events table nor on the topic.
        stored = await query_value(
            assessment_settings.database_url, "SELECT string_agg(e::text, '') FROM events e"
        )
        assert clear_values_in(stored.encode(), identity) == []
        records = await read_topic(
            assessment_settings.kafka_bootstrap_servers,
            assessment_settings.topic("assessment.events"),
            at_least=2,
        )
        assert [clear_values_in(r.value, identity) for r in records] == [[] for _ in records]
        # Opened by the other service: its replica knows the name.
        assert (
            await wait_for(
                lambda: replica_name(programmes_settings.database_url, case_id),
                timeout=30,
                message="the replica",
            )
            == identity["last_name"]
        )
        assert (await ok(await assessment.get(f"/cases/{case_id}", headers=as_role("dpip"))))[
            "identity"
        ] == identity

        assert await assessment_app.state.keyring.destroy(subject)

        erased = (await ok(await assessment.get(f"/cases/{case_id}", headers=as_role("dpip"))))["identity"]
        assert erased == {
            "last_name": ERASED_TEXT,
            "first_names": ERASED_TEXT,
            "birth_date": ERASED_DATE,
            "ecrou_number": ERASED_TEXT,
        }
        # Nothing personal in a transfer: an erased person's case still takes it.
        await ok(
            await assessment.post(
                f"/cases/{case_id}/transfer",
                headers=as_role("dpip"),
                json={"establishment": "CD Bapaume", "transferred_on": str(today)},
            )
        )

    # A replica fed afterwards (a rebuild, a new service) reads the same topic from offset 0: erased.
    async with serving(create_programmes_app(later_settings, clock=clock)):
        assert (
            await wait_for(
                lambda: replica_name(later_settings.database_url, case_id),
                timeout=30,
                message="the later replica",
            )
            == ERASED_TEXT
        )

    # The hash chains cover the ciphertext: erasure changed nothing the audit checks.
    environment = {
        "ASSESSMENT_DATABASE_URL": assessment_settings.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": assessment_settings.kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
    }
    verified = await asyncio.to_thread(
        CliRunner().invoke,
        passerelle,
        ["audit", "verify", "--service", "assessment", "--allow-redelivered"],
        env=environment,
    )
    assert verified.exit_code == 0, verified.output
