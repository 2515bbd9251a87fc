"""`passerelle-dev`: run the whole system locally (what `make up`, `make down`, `make token` call)."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Annotated

import typer

from devinfra.infra import SERVICES, Infrastructure, database_url_variable
from devinfra.kafka import console_consumer_command
from devinfra.paths import VAR_DIR
from devinfra.postgres import psql_command
from devinfra.services import ServiceProcess, ServiceStartError, stop_all
from devinfra.tokens import AUDIENCE, ISSUER, DevKeys

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

KEYS_DIR = VAR_DIR / "keys"
STARTUP_DEADLINE_SECONDS = 120


def _services() -> list[ServiceProcess]:
    return [ServiceProcess.in_var(name) for name in SERVICES]


@app.command()
def up() -> None:
    """Start PostgreSQL, Kafka and the five services in the background (already running ones are kept)."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logging.getLogger("devinfra").setLevel(logging.INFO)  # say so when the Kafka jars are being fetched
    infra = Infrastructure.from_env()
    try:
        infra.start()
    except RuntimeError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from error
    asyncio.run(infra.ensure_databases())
    keys = DevKeys.load_or_create(KEYS_DIR)
    services = _services()
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    for service in services:
        service.start(
            {
                **infra.kafka_environment(),
                database_url_variable(service.name): infra.database_url(service.name),
                "AUTH_JWKS_FILE": str(keys.jwks_path),
                "AUTH_ISSUER": ISSUER,
                "AUTH_AUDIENCE": AUDIENCE,
                "LOG_LEVEL": "INFO",
            }
        )
    for service in services:
        try:
            service.wait_until_healthy(deadline)
        except ServiceStartError as error:
            typer.echo(f"{error}\n--- last lines of {service.log_file}:\n{service.log_tail()}", err=True)
            typer.echo("Other processes are left running; `make down` stops everything.", err=True)
            raise typer.Exit(1) from error

    typer.echo("Passerelle is up.\n")
    for service in services:
        typer.echo(f"  {service.name:<12} {service.url}/docs")
    typer.echo(f"\n  Kafka        {infra.bootstrap_servers}")
    typer.echo(f"  PostgreSQL   {infra.database_url(SERVICES[0])} (one database per service)")
    typer.echo("\nA token:  make token ROLE=cpip   (or: uv run passerelle-dev token cpip --organisation ORG)")
    typer.echo('Then:     curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8001/...')
    typer.echo("Stop:     make down")


@app.command()
def down() -> None:
    """Stop the services, then Kafka, then PostgreSQL (data under var/ is kept)."""
    stop_all(_services())
    Infrastructure.from_env().stop()
    typer.echo("Passerelle is down.")


@app.command()
def status() -> None:
    """Show what runs."""
    infra = Infrastructure.from_env()
    if infra.postgres is None:
        typer.echo("  postgres     external")
    else:
        typer.echo(
            f"  postgres     {'running' if infra.postgres.is_running() else 'stopped'}"
            f"  127.0.0.1:{infra.postgres.port}"
        )
    if infra.kafka is None:
        typer.echo(f"  kafka        external  {infra.bootstrap_servers}")
    else:
        state = "running" if infra.kafka.is_running() else "stopped"
        typer.echo(f"  kafka        {state}  {infra.bootstrap_servers}")
    for service in _services():
        process = service.process()
        state = (
            "stopped" if process is None else ("healthy" if service.is_healthy() else "starting/unhealthy")
        )
        typer.echo(
            f"  {service.name:<12} {state}  {service.url}" + (f"  pid {process.pid}" if process else "")
        )


@app.command()
def token(
    role: Annotated[
        str,
        typer.Argument(
            help="cpip, dpip, psychologue, assistant_social, ipro_conseiller, "
            "ipro_chef, ripro, direction, partenaire, auditeur"
        ),
    ],
    subject: Annotated[str, typer.Option(help="the `sub` claim")] = "dev-user",
    organisation: Annotated[
        str | None, typer.Option(help="the `org` claim (partner organisation id)")
    ] = None,
) -> None:
    """Print a signed development JWT accepted by the locally running services."""
    typer.echo(DevKeys.load_or_create(KEYS_DIR).mint(role, subject=subject, organisation_id=organisation))


@app.command()
def consume(topic: str) -> None:
    """Print every record value of TOPIC from the beginning, with Kafka's console consumer (Ctrl-C stops)."""
    argv = console_consumer_command(Infrastructure.from_env().bootstrap_servers, topic)
    os.execvp(argv[0], argv)


@app.command()
def psql(service: str) -> None:
    """Open psql on SERVICE's database."""
    argv = psql_command(Infrastructure.from_env().database_url(service))
    os.execvp(argv[0], argv)
