"""`passerelle`: the auditors' and operators' commands on a running system's log (issue 16).

`passerelle audit verify` checks every service's log (the events tables, the topics, or both compared);
`passerelle audit export --service S [--checkpoints FILE] > log.jsonl` writes a log (and its signed checkpoints)
for the independent verifier (`tools/verify_log.py`); `passerelle audit stream <id>` and `passerelle audit
subject <id> [--as-of T]` print the log as recorded (`devinfra.audit_log`). `passerelle audit archive [--once]`
keeps the restricted events in the audit archive (`devinfra.audit_archive`, ADR 28), which `verify --source
archive` and `stream --source archive` read. docs/audit.md says what they check and what each finding means.
`passerelle subject export <subject_id> --operator NAME` gathers what every service holds about a person
(issue 17 #6, `devinfra.subject_export`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from devinfra import audit_log
from devinfra.cli import rebuild
from devinfra.infra import SERVICES, Infrastructure

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
audit = typer.Typer(
    no_args_is_help=True,
    help="Vérifier et exporter le journal des événements.",
    callback=lambda: logging.getLogger("aiokafka").setLevel(logging.CRITICAL),
)
app.add_typer(audit, name="audit")
# A view emptied and replayed from offset 0, with its progress and events/s (issue 16 #4): `passerelle-dev
# rebuild` under the issue's name, in the operators' tool.
app.command("replay")(rebuild)


class Bar:
    """A rich progress bar on stderr (stdout carries the report or the export), only on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self.tasks: dict[str, int] = {}

    def __call__(self, what: str, n: int) -> None:
        if what.endswith("-total"):
            source = what.removesuffix("-total")
            self.tasks[source] = self.progress.add_task(f"lecture {source}", total=n)
        elif what in self.tasks:
            self.progress.advance(self.tasks[what], n)


def _settings(service: str, infra: Infrastructure):
    from devinfra.operators import settings_of

    try:
        return settings_of(service, infra)
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


@audit.command("verify")
def verify(
    service: Annotated[
        str | None, typer.Option(help=f"un seul service ({', '.join(SERVICES)}); défaut : tous")
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            help="db, kafka, both (la table comparée aux topics) ou archive (la table comparée à l'archive "
            "d'audit des événements restreints)"
        ),
    ] = "both",
    json_file: Annotated[
        Path | None, typer.Option("--json", help="écrire le rapport JSON dans ce fichier")
    ] = None,
    allow_redelivered: Annotated[
        bool, typer.Option(help="tolérer les copies identiques qu'un relais relancé republie")
    ] = False,
    checkpoint_keys: Annotated[
        Path | None,
        typer.Option(
            help="dossier des clés publiques des points de contrôle (<service>.pub) ; défaut : "
            "CHECKPOINT_PUBLIC_KEYS, sinon var/keys/checkpoints"
        ),
    ] = None,
) -> None:
    """Chaînes de hash, continuité des versions, positions, table events comparée aux topics (ou à l'archive
    d'audit), et table confrontée aux points de contrôle signés. Code de sortie 1 à la moindre anomalie."""
    from devinfra import audit_archive
    from devinfra.checkpoint_keys import public_keys_directory
    from kernel import audit as kernel_audit
    from kernel import database
    from kernel.checkpoints import public_keys

    sources = (*kernel_audit.SOURCES, kernel_audit.ARCHIVE_SOURCE)
    if source not in sources:
        typer.echo(f"--source : {', '.join(sources)}", err=True)
        raise typer.Exit(2)
    infra = Infrastructure.from_env()
    services = [service] if service else list(SERVICES)
    keys_directory = checkpoint_keys or public_keys_directory()

    async def run() -> list:
        reports = []
        archive = None
        if source == kernel_audit.ARCHIVE_SOURCE:
            archive = await database.connect(_archive_url(infra, archiver=False))
        try:
            for name in services:
                reports.append(await verify_one(name, archive))
        finally:
            if archive is not None:
                await archive.close()
        return reports

    async def verify_one(name: str, archive) -> kernel_audit.Report:
        settings = _settings(name, infra)
        archived = None
        if archive is not None:
            archived = await audit_archive.records_of(archive, [settings.topic(f"{name}.restricted")])
        connection = None
        if source != "kafka":
            connection = await database.connect(settings.database_url)
        try:
            with (bar := Bar()).progress:
                return await kernel_audit.verify(
                    name,
                    source,
                    connection=connection,
                    bootstrap_servers=settings.kafka_bootstrap_servers,
                    security=settings.kafka_security(),
                    topic=settings.topic,
                    allow_redelivered=allow_redelivered,
                    checkpoint_keys=public_keys(keys_directory, name),
                    archived=archived,
                    progress=bar,
                    dsn=settings.database_url,
                )
        finally:
            if connection is not None:
                await connection.close()

    reports = asyncio.run(run())
    for report in reports:
        typer.echo(report.summary())
    if json_file is not None:
        document = {"ok": all(r.ok for r in reports), "services": [r.as_json() for r in reports]}
        json_file.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    if not all(r.ok for r in reports):
        raise typer.Exit(1)


@audit.command("export")
def export(
    service: Annotated[str, typer.Option(help=", ".join(SERVICES))],
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            help="écrire aussi dans ce fichier les points de contrôle signés du service, un par ligne"
        ),
    ] = None,
) -> None:
    """Le journal d'un service sur la sortie standard, un événement JSON par ligne dans l'ordre des positions
    (format : docs/audit.md), pour le vérificateur indépendant tools/verify_log.py."""
    from kernel import audit as kernel_audit
    from kernel import checkpoints as kernel_checkpoints
    from kernel import database

    settings = _settings(service, Infrastructure.from_env())

    async def run() -> None:
        if checkpoints is not None:
            records = await kernel_audit.topic_records(
                settings.kafka_bootstrap_servers,
                [kernel_checkpoints.topic_of(service, settings.topic)],
                security=settings.kafka_security(),
            )
            checkpoints.write_bytes(b"".join(record.value + b"\n" for record in records))
        connection = await database.connect(settings.database_url)
        try:
            bar = Bar()
            with bar.progress:
                bar("db-total", await kernel_audit.count_events(connection))
                out = sys.stdout
                async for row in kernel_audit.table_rows(connection, lambda n: bar("db", n)):
                    out.write(kernel_audit.export_line(row) + "\n")
                out.flush()
        finally:
            await connection.close()

    asyncio.run(run())


@audit.command("stream")
def stream(
    stream_id: Annotated[str, typer.Argument(help="l'identifiant du flux (stream_id)")],
    service: Annotated[str | None, typer.Option(help="un seul service; défaut : tous")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="un événement JSON par ligne")] = False,
    source: Annotated[
        str,
        typer.Option(help="db (les tables des services) ou archive (l'archive d'audit, restreints seuls)"),
    ] = "db",
) -> None:
    """Chaque événement d'un flux tel que le journal le garde (ou tel que l'archive d'audit l'a reçu) : auteur,
    dates, hashes (valeurs scellées masquées)."""
    if source == "archive":
        _print_archived(stream_id, service, as_json)
    elif source == "db":
        _print_log(service, as_json, lambda c: audit_log.events_of_stream(c, stream_id))
    else:
        typer.echo("--source : db, archive", err=True)
        raise typer.Exit(2)


@audit.command("archive")
def archive(
    once: Annotated[
        bool,
        typer.Option("--once", help="lire jusqu'à la fin actuelle des topics puis s'arrêter (cron, tests)"),
    ] = False,
    service: Annotated[str | None, typer.Option(help="un seul service; défaut : tous")] = None,
) -> None:
    """Archive les événements restreints de chaque service (<service>.restricted) tels que publiés, dans la
    base audit_archive, lisible des seuls auditeurs : sans --once, suit les topics. Se connecte à Kafka avec
    les identifiants de l'environnement (le principal audit en production) et à la base avec
    AUDIT_ARCHIVE_DATABASE_URL (défaut : le serveur local de make up)."""
    from aiokafka.errors import TopicAuthorizationFailedError

    from devinfra import audit_archive

    infra = Infrastructure.from_env()
    names = [service] if service else list(SERVICES)
    settings = [_settings(name, infra) for name in names]
    topics = audit_archive.restricted_topics(names, settings[0].topic)
    try:
        done = asyncio.run(
            audit_archive.archive(
                _archive_url(infra, archiver=True),
                topics,
                settings[0].kafka_bootstrap_servers,
                security=settings[0].kafka_security(),
                once=once,
                on_batch=lambda batch: None if once else typer.echo(_archived(batch), err=True),
            )
        )
    except (audit_archive.TopicRewound, TopicAuthorizationFailedError) as error:
        typer.echo(f"archive arrêtée : {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(_archived(done))


def _archived(progress) -> str:
    return (
        f"{progress.records} message(s) lu(s), {progress.archived} événement(s) archivé(s), "
        f"{progress.conflicts} conflit(s)."
    )


def _archive_url(infra: Infrastructure, *, archiver: bool) -> str:
    from devinfra import audit_archive

    try:
        return audit_archive.database_url(infra, archiver=archiver)
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


def _print_archived(stream_id: str, service: str | None, as_json: bool) -> None:
    from devinfra import audit_archive
    from kernel import database

    url = _archive_url(Infrastructure.from_env(), archiver=False)

    async def run() -> list[dict]:
        connection = await database.connect(url)
        try:
            rows = await audit_archive.events_of_stream(connection, stream_id, service)
        finally:
            await connection.close()
        return [audit_log.as_json(name, row) for name, row in rows]

    events = asyncio.run(run())
    if as_json:
        for event in events:
            typer.echo(json.dumps(event, ensure_ascii=False))
    else:
        typer.echo(audit_log.readable(events))


@audit.command("subject")
def subject_log(
    subject_id: Annotated[str, typer.Argument(help="l'identifiant de la personne (subject_id)")],
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="le journal tel qu'il était à cet instant (ISO 8601, UTC sans fuseau)"),
    ] = None,
    service: Annotated[str | None, typer.Option(help="un seul service; défaut : tous")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="un événement JSON par ligne")] = False,
) -> None:
    """Chaque événement concernant une personne, dans chaque service, tel qu'enregistré au plus tard à
    `--as-of` : auteur, dates, hashes (valeurs scellées masquées ; leur contenu : `passerelle subject
    export`)."""
    instant = as_of.replace(tzinfo=UTC) if as_of and as_of.tzinfo is None else as_of
    _print_log(service, as_json, lambda c: audit_log.events_of_subject(c, subject_id, instant))


def _print_log(service: str | None, as_json: bool, read) -> None:
    from kernel import database

    infra = Infrastructure.from_env()

    async def run() -> list[dict]:
        events = []
        for name in [service] if service else list(SERVICES):
            connection = await database.connect(_settings(name, infra).database_url)
            try:
                events += [audit_log.as_json(name, row) for row in await read(connection)]
            finally:
                await connection.close()
        return events

    events = asyncio.run(run())
    if as_json:
        for event in events:
            typer.echo(json.dumps(event, ensure_ascii=False))
    else:
        typer.echo(audit_log.readable(events))


subject = typer.Typer(no_args_is_help=True, help="Les données détenues sur une personne (droit d'accès).")
app.add_typer(subject, name="subject")


@subject.command("export")
def subject_export(
    subject_id: Annotated[str, typer.Argument(help="l'identifiant de la personne (subject_id)")],
    operator: Annotated[
        str, typer.Option(help="qui fait l'export (nom de l'opérateur), inscrit au manifeste")
    ],
    out: Annotated[Path, typer.Option(help="le dossier où écrire le JSON et la page HTML")] = Path("."),
    purpose: Annotated[
        str, typer.Option(help="le motif, inscrit au journal des consultations")
    ] = "Droit d'accès de la personne",
) -> None:
    """Tout ce que les services détiennent sur une personne (événements déchiffrés, vues, consultations) :
    subject-<id>.json et subject-<id>.html, une page en français pour la personne. L'export est inscrit au
    journal des consultations avant d'être écrit. Code de sortie 1 si aucun service ne connaît la personne
    (docs/audit.md)."""
    from devinfra import subject_export as exporting
    from kernel.journal import JournalUnavailable
    from kernel.keyring import UnknownDataKey

    infra = Infrastructure.from_env()
    urls = {service: infra.owner_database_url(service) for service in SERVICES}
    try:
        keyring_settings = asyncio.run(_keyring_settings(infra))
        bundle = asyncio.run(
            exporting.export_subject(
                subject_id, database_urls=urls, keyring_settings=keyring_settings, operator=operator
            )
        )
    except exporting.SubjectUnknown as error:
        typer.echo(f"{error}: nothing exported", err=True)
        raise typer.Exit(1) from error
    except UnknownDataKey as error:
        typer.echo(f"{error}: is KEYRING_DATABASE_URL the deployment's keyring?", err=True)
        raise typer.Exit(2) from error
    except OSError as error:
        typer.echo(f"a database could not be reached ({error}): is PostgreSQL up (`make up`)?", err=True)
        raise typer.Exit(2) from error
    try:
        asyncio.run(exporting.journaled(bundle, purpose, _settings("projections", infra)))
    except JournalUnavailable as error:
        typer.echo(f"the consultation journal did not record the export ({error}): nothing written", err=True)
        raise typer.Exit(2) from error
    json_path, html_path = exporting.write(bundle, out)
    counts = bundle["manifest"]["counts"]
    typer.echo(
        f"{sum(counts['events'].values())} event(s), "
        f"{sum(sum(rows.values()) for rows in counts['rows'].values())} view row(s), "
        f"{counts['consultations']} consultation(s) of {subject_id} exported to {json_path} and {html_path}"
    )


async def _keyring_settings(infra: Infrastructure):
    """The deployment's keyring as the services find it (KEYRING_*), else the local one `make up` made."""
    import os

    from devinfra.keyring import keyring_environment
    from devinfra.paths import VAR_DIR
    from kernel.keyring import KeyringSettings

    if os.environ.get("KEYRING_DATABASE_URL"):
        return KeyringSettings()
    local = await keyring_environment(infra, VAR_DIR / "keys")
    return KeyringSettings(
        KEYRING_DATABASE_URL=local["KEYRING_DATABASE_URL"], KEYRING_KEK=local["KEYRING_KEK"]
    )
