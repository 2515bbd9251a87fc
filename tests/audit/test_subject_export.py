"""`passerelle subject export` (issue 17 #6): a person followed in assessment, referred in programmes and read
once in projections, each service its real app on its own database; the export gathers their events opened
through the keyring, the rows naming them, and the consultation; an erased person exports as [effacé]; the
command journals the export itself."""

import asyncio
import json
from itertools import pairwise
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from assessment.bootstrap import create_app as create_assessment_app
from assessment.settings import AssessmentSettings
from contracts import Actor, parse_payload
from contracts.programmes import AttendanceMark, AttendanceRecorded, Mark
from devinfra.audit import app as passerelle
from devinfra.infra import SERVICES, database_url_variable
from devinfra.subject_export import EXPORT_ROUTE, SubjectUnknown, export_subject, render_html
from devinfra.testkit import (
    followed_with_a_plan,
    ok,
    query_value,
    read_topic,
    service_settings,
    serving,
    wait_for,
)
from ipro.bootstrap import DEFINITION as IPRO
from kernel import database
from kernel.clock import local_date
from kernel.database import create_pool, migrate
from kernel.eventstore import COLUMNS, NEW_STREAM, EventStore, Metadata, envelope_from_row
from kernel.keyring import Keyring, KeyringSettings
from kernel.sealing import ERASED_TEXT, Sealer
from partners.bootstrap import DEFINITION as PARTNERS
from programmes.bootstrap import create_app as create_programmes_app
from programmes.settings import ProgrammesSettings
from projections.bootstrap import create_app as create_projections_app
from projections.person_file import ingest
from projections.settings import ProjectionsSettings

pytestmark = pytest.mark.integration

IDENTITY = {
    "last_name": "Quesnoy-Abadie",
    "first_names": "Ysaline Berthe",
    "birth_date": "1988-02-29",
    "ecrou_number": "84127",
}
PURPOSE = "Préparation de la commission pluridisciplinaire"
EXCUSED = AttendanceMark.ABSENT_EXCUSED


@pytest.fixture
async def followed(new_database, infrastructure, dev_keys, topic_prefix, clock, as_role, isolated_keyring):
    """A person with a case, a validated assessment and a plan in assessment, a referral in programmes, and
    their person file read once in projections. Returns (subject id, database URLs, the assessment app). On a
    keyring of its own: the person's key is destroyed, and the same écrou number gives the same id each run."""
    today = local_date(clock())
    urls = {service: await new_database(service) for service in SERVICES}
    for service, definition in (("ipro", IPRO), ("partners", PARTNERS)):  # not running: nothing of theirs
        await migrate(urls[service], definition.migrations)
    settings = {
        "assessment": service_settings(
            AssessmentSettings, urls["assessment"], infrastructure, dev_keys, topic_prefix, run_relay=True
        ),
        "programmes": service_settings(
            ProgrammesSettings, urls["programmes"], infrastructure, dev_keys, topic_prefix, run_relay=True
        ),
        # The person file from the topics, and the journal's loop (a background task) storing the read.
        "projections": service_settings(
            ProjectionsSettings,
            urls["projections"],
            infrastructure,
            dev_keys,
            topic_prefix,
            run_background=True,
        ),
    }
    assessment_app = create_assessment_app(settings["assessment"], clock=clock)
    async with (
        serving(assessment_app) as assessment,
        serving(create_programmes_app(settings["programmes"], clock=clock)) as programmes,
        serving(create_projections_app(settings["projections"], clock=clock)) as projections,
    ):
        case_id, plan_id, subject = await followed_with_a_plan(assessment, as_role, today, identity=IDENTITY)
        await wait_for(
            lambda: query_value(
                urls["programmes"],
                """SELECT 1 FROM followed_cases JOIN followed_plans USING (case_id) JOIN followed_risks
                   USING (case_id) WHERE case_id = $1""",
                case_id,
            ),
            timeout=30,
            message="the case and its plan in the programmes replica",
        )
        await ok(
            await programmes.post(
                "/referrals",
                headers=as_role("cpip"),
                json={
                    "case_id": case_id,
                    "programme_id": "programme-parcours",
                    "plan_id": plan_id,
                    "objective_id": "obj-1",
                },
            ),
            201,
        )
        await person_file_fed(urls["projections"], [urls["assessment"], urls["programmes"]], assessment_app)
        await ok(
            await projections.get(
                f"/persons/{subject}/file", headers={**as_role("dpip"), "Purpose": quote(PURPOSE)}
            )
        )
        await wait_for(
            lambda: query_value(
                urls["projections"], "SELECT 1 FROM access_journal WHERE subject_ids @> ARRAY[$1]", subject
            ),
            timeout=30,
            message="the consultation in the journal",
        )
        yield subject, urls, assessment_app


async def person_file_fed(projections_url: str, from_urls: list[str], assessment_app) -> None:
    """The person file given every event of these databases, opened as its consumer would open them."""
    envelopes = []
    for url in from_urls:
        connection = await database.connect(url)
        try:
            rows = await connection.fetch(f"SELECT {COLUMNS} FROM events ORDER BY position")
        finally:
            await connection.close()
        envelopes += await Sealer(assessment_app.state.keyring).open([envelope_from_row(r) for r in rows])
    pool = await create_pool(projections_url)
    try:
        for envelope in envelopes:
            event = parse_payload(envelope.event_type, envelope.schema_version, envelope.payload)
            async with pool.acquire() as connection, connection.transaction():
                await ingest.apply(connection, envelope, event)
    finally:
        await pool.close()


async def test_the_export_gathers_a_persons_events_views_and_consultations_and_erasure_shows(
    followed, infrastructure, topic_prefix, tmp_path
):
    subject, urls, assessment_app = followed

    bundle = await export_subject(
        subject, database_urls=urls, keyring_settings=KeyringSettings(), operator="Camille Roche (DPO)"
    )

    assert bundle["identity"] == IDENTITY
    events = bundle["events"]
    opened = next(e for e in events["assessment"] if e["event_type"] == "assessment.case.opened")
    assert (opened["payload"]["identity"], opened["actor_role"]) == (IDENTITY, "dpip")
    assert {e["stream"] for e in events["assessment"]} >= {"case", "assessment", "plan"}
    assert any(e["event_type"].startswith("programmes.referral.") for e in events["programmes"])
    assert (events["ipro"], events["partners"]) == ([], [])
    views = bundle["views"]
    assert [r["last_name"] for r in views["assessment"]["cases"]] == [IDENTITY["last_name"]]
    assert [r["last_name"] for r in views["programmes"]["followed_cases"]] == [IDENTITY["last_name"]]
    assert [r["subject_id"] for r in views["programmes"]["referrals"]] == [subject]
    assert [r["first_names"] for r in views["projections"]["person_identities"]] == [IDENTITY["first_names"]]
    assert views["projections"]["person_file_events"]  # the file's own history, found by its streams
    [consultation] = [c for c in bundle["consultations"] if c["route"] == "/persons/{subject_id}/file"]
    assert (consultation["user_id"], consultation["role"], consultation["purpose"]) == (
        "dpip-1",
        "dpip",
        PURPOSE,
    )
    manifest = bundle["manifest"]
    assert (manifest["operator"], manifest["subject_id"], manifest["erased_at"]) == (
        "Camille Roche (DPO)",
        subject,
        None,
    )
    assert set(manifest["databases"]) == set(SERVICES)
    assert manifest["counts"]["events"]["assessment"] == len(events["assessment"])
    assert manifest["counts"]["consultations"] == len(bundle["consultations"])

    page = render_html(bundle)
    assert '<html lang="fr">' in page and "Données personnelles détenues par Passerelle" in page
    assert IDENTITY["last_name"] in page and "Préparation de la commission pluridisciplinaire" in page
    assert "Consultations du dossier" in page and "CPIP" in page

    # Erased: the key destroyed, every sealed value of the person reads [effacé] in the export too.
    assert await assessment_app.state.keyring.destroy(subject)
    erased = await export_subject(
        subject, database_urls=urls, keyring_settings=KeyringSettings(), operator="Camille Roche (DPO)"
    )
    assert erased["identity"] == dict.fromkeys(IDENTITY, ERASED_TEXT) and erased["manifest"]["erased_at"]
    assert IDENTITY["first_names"] not in json.dumps(erased["events"], ensure_ascii=False)
    assert "effacées le" in render_html(erased)

    # The command line, once: files written; an unknown person is said so, with exit code 1.
    environment = {database_url_variable(service): url for service, url in urls.items()}
    # The export is journaled: the command writes to this test's journal topic.
    environment |= {
        "KAFKA_BOOTSTRAP_SERVERS": infrastructure.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
    }
    runner = CliRunner()
    done = await asyncio.to_thread(
        runner.invoke,
        passerelle,
        ["subject", "export", subject, "--operator", "Camille Roche", "--out", str(tmp_path)],
        env=environment,
    )
    assert done.exit_code == 0, done.output
    written = json.loads((tmp_path / f"subject-{subject}.json").read_text(encoding="utf-8"))
    assert written["manifest"]["operator"] == "Camille Roche" and written["events"]["programmes"]
    assert "Historique des événements" in (tmp_path / f"subject-{subject}.html").read_text(encoding="utf-8")
    journal = await read_topic(infrastructure.bootstrap_servers, f"{topic_prefix}access.journal", at_least=2)
    [entry] = [e for e in map(json.loads, (r.value for r in journal)) if e["route"] == EXPORT_ROUTE]
    assert (entry["user"], entry["subject_ids"], entry["purpose"]) == (
        "Camille Roche",
        [subject],
        "Droit d'accès de la personne",
    )

    unknown = await asyncio.to_thread(
        runner.invoke,
        passerelle,
        ["subject", "export", "nobody-here", "--operator", "Camille Roche"],
        env=environment,
    )
    assert unknown.exit_code == 1
    assert "no service holds anything about subject 'nobody-here'" in unknown.output
    with pytest.raises(SubjectUnknown):
        await export_subject(
            "nobody-here", database_urls=urls, keyring_settings=KeyringSettings(), operator="Camille Roche"
        )


async def test_the_log_about_a_person_prints_as_recorded_with_its_hashes_and_sealed_values_masked(followed):
    """`passerelle audit subject` and `audit stream` (issue 16 #4): what an auditor checks a report against."""
    subject, urls, _ = followed
    environment = {database_url_variable(service): url for service, url in urls.items()}

    def passerelle_lines(*arguments: str) -> list[dict]:
        done = CliRunner().invoke(passerelle, [*arguments, "--json"], env=environment)
        assert done.exit_code == 0, done.output
        return [json.loads(line) for line in done.output.splitlines()]

    about = await asyncio.to_thread(passerelle_lines, "audit", "subject", subject)
    assert {"assessment", "programmes"} <= {e["service"] for e in about}
    opened = next(e for e in about if e["event_type"] == "assessment.case.opened")
    assert opened["actor"]["role"] == "dpip" and opened["recorded_at"] and len(opened["hash"]) == 64
    assert opened["payload"]["identity"]["last_name"] == "[scellé]"
    assert IDENTITY["last_name"] not in json.dumps(about, ensure_ascii=False)
    assert any(e["restricted"] for e in about)  # the offence categories, at least: for the audit principal

    stream = await asyncio.to_thread(
        passerelle_lines, "audit", "stream", opened["stream_id"], "--service", "assessment"
    )
    assert [e["stream_version"] for e in stream] == list(range(1, len(stream) + 1))
    assert all(later["previous_hash"] == earlier["hash"] for earlier, later in pairwise(stream))

    # As the log stood before the person's first event: nothing about them yet.
    first = min(e["recorded_at"] for e in about)
    before = await asyncio.to_thread(
        CliRunner().invoke,
        passerelle,
        ["audit", "subject", subject, "--as-of", "2000-01-01T00:00:00"],
        env=environment,
    )
    assert before.exit_code == 0 and "aucun événement" in before.output
    listing = await asyncio.to_thread(
        CliRunner().invoke,
        passerelle,
        ["audit", "subject", subject, "--service", "assessment"],
        env=environment,
    )
    assert "assessment.case.opened" in listing.output and f"enregistré {first}" in listing.output


async def test_of_a_groups_attendance_the_export_holds_the_persons_own_marks_only(new_database, unique_name):
    """Issue 17: a group's events have no subject; each mark names its participant. The person's marks are
    theirs, with their reason opened; another participant's are neither opened nor exported."""
    url = await new_database("programmes")
    mine, other = unique_name("person"), unique_name("person")
    theirs = "Parloir avec sa fille ce jour-là"
    keyring = await Keyring.open(KeyringSettings())
    pool = await create_pool(url)
    try:
        async with EventStore(pool, keyring=keyring).transaction() as session:
            await session.append(
                "group",
                "group-1",
                NEW_STREAM,
                [
                    AttendanceRecorded(
                        group_id="group-1",
                        session_id="group-1-s1",
                        marks=[
                            Mark(
                                referral_id="r-1",
                                subject_id=mine,
                                mark=EXCUSED,
                                reason="Audience au tribunal",
                            ),
                            Mark(referral_id="r-2", subject_id=other, mark=EXCUSED, reason=theirs),
                        ],
                    )
                ],
                Metadata(actor=Actor(subject="anim-1", role="cpip")),
            )
    finally:
        await pool.close()
        await keyring.close()

    bundle = await export_subject(
        mine, database_urls={"programmes": url}, keyring_settings=KeyringSettings(), operator="DPO"
    )

    [attendance] = bundle["events"]["programmes"]
    assert attendance["payload"]["marks"] == [
        {"referral_id": "r-1", "subject_id": mine, "mark": "absent_excused", "reason": "Audience au tribunal"}
    ]
    assert theirs not in json.dumps(bundle, ensure_ascii=False) and other not in json.dumps(bundle)
