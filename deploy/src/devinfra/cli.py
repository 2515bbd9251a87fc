"""`passerelle-dev`: run the whole system locally (what `make up`, `make down`, `make token` call)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import time
from typing import Annotated

import typer

from devinfra.checkpoint_keys import checkpoint_key_variable, dev_checkpoint_keys, public_keys_directory
from devinfra.infra import SERVICES, Infrastructure, database_url_variable, migration_url_variable
from devinfra.kafka import console_consumer_command
from devinfra.keyring import service_keyring_environments
from devinfra.paths import VAR_DIR
from devinfra.postgres import psql_command
from devinfra.pseudonyms import pseudonym_environment
from devinfra.rooms import rooms_environment
from devinfra.services import ServiceProcess, ServiceStartError, stop_all
from devinfra.subject_ids import VARIABLE as SUBJECT_ID_VARIABLE
from devinfra.subject_ids import subject_id_environment
from devinfra.tokens import AUDIENCE, DEV_ESTABLISHMENTS, ISSUER, DevKeys
from devinfra.web import web_environment

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

KEYS_DIR = VAR_DIR / "keys"
STARTUP_DEADLINE_SECONDS = 120


def _services() -> list[ServiceProcess]:
    return [ServiceProcess.in_var(name) for name in SERVICES]


def _web() -> ServiceProcess:
    """The front-end (port 8000): no database, no broker; the services' APIs only."""
    return ServiceProcess.in_var("web")


@app.command()
def up(
    demo: Annotated[
        bool, typer.Option(help="load the demo establishment into an empty system first (devinfra.demo)")
    ] = True,
) -> None:
    """Start PostgreSQL, Kafka, the five services and the web front-end in the background (already running
    ones are kept); on an empty system, the demo establishment is loaded before the services start."""
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
    # The KEK kept in var/keys, like the JWT keys; each service on the keyring with its own rights (ADR 24).
    keyrings = asyncio.run(service_keyring_environments(infra, KEYS_DIR))
    # Each service gets its own checkpoint signing key only (ADR 27).
    signing_keys = dev_checkpoint_keys(KEYS_DIR, SERVICES)
    # The subject ids' secret is the assessment service's alone: it makes the ids, the others only read them.
    own_secrets = {"assessment": subject_id_environment(KEYS_DIR)}
    # The pseudonyms' key is every service's: a person reads the same pseudonym in all five (ADR 31).
    pseudonyms = pseudonym_environment(KEYS_DIR)
    services = _services()
    # The services publish the demo's events when they start; none may run while it is written (its reactions
    # are the demo's own), which a running one means the system was up before: not empty, or loaded already.
    if demo and not any(service.process() for service in services):
        _load_demo(infra, keyrings["assessment"], own_secrets["assessment"])
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    for service in services:
        service.start(
            {
                **infra.kafka_environment(),
                database_url_variable(service.name): infra.database_url(service.name),
                migration_url_variable(service.name): infra.owner_database_url(service.name),
                **keyrings[service.name],
                checkpoint_key_variable(service.name): signing_keys[checkpoint_key_variable(service.name)],
                # Projections checks every service's checkpoints for auditors with the keys verify trusts.
                "PROJECTIONS_CHECKPOINT_PUBLIC_KEYS": str(public_keys_directory()),
                **own_secrets.get(service.name, {}),
                **pseudonyms,
                **rooms_environment(service.name),
                "AUTH_JWKS_FILE": str(keys.jwks_path),
                "AUTH_ISSUER": ISSUER,
                "AUTH_AUDIENCE": AUDIENCE,
                "LOG_LEVEL": "INFO",
            }
        )
    web = _web()
    web.start(web_environment(services, KEYS_DIR))
    for service in [*services, web]:
        try:
            service.wait_until_healthy(deadline)
        except ServiceStartError as error:
            typer.echo(f"{error}\n--- last lines of {service.log_file}:\n{service.log_tail()}", err=True)
            typer.echo("Other processes are left running; `make down` stops everything.", err=True)
            raise typer.Exit(1) from error

    typer.echo("Passerelle is up.\n")
    for service in services:
        typer.echo(f"  {service.name:<12} {service.url}/docs")
    typer.echo(f"\n  web          {web.url}   (the pages: log in as a demo user)")
    typer.echo(f"  Kafka        {infra.bootstrap_servers}")
    typer.echo(f"  PostgreSQL   {infra.database_url(SERVICES[0])} (one database per service)")
    typer.echo("\nA token:  make token ROLE=cpip   (or: uv run passerelle-dev token cpip --organisation ORG)")
    typer.echo('Then:     curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8001/...')
    typer.echo("Stop:     make down")


@app.command("demo")
def demo_command() -> None:
    """Load the demo establishment (some sixty people, a few months of history) into an empty system, with
    the services stopped (`make down` first); `make up` then publishes it. A system with people is kept."""
    if any(service.process() for service in _services()):
        typer.echo("The services run: `make down` first (the demo is written with them stopped).", err=True)
        raise typer.Exit(1)
    infra = Infrastructure.from_env()
    infra.start()
    asyncio.run(infra.ensure_databases())
    keyrings = asyncio.run(service_keyring_environments(infra, KEYS_DIR))
    if not _load_demo(infra, keyrings["assessment"], subject_id_environment(KEYS_DIR)):
        typer.echo("The system holds people already: no demo loaded (`make demo-reset` starts afresh).")
    typer.echo("PostgreSQL and Kafka run: `make up` starts the services, `make down` stops everything.")


def _load_demo(infra: Infrastructure, keyring: dict[str, str], subject_secret: dict[str, str]) -> bool:
    """The demo loaded if the system is empty; False when it holds people already."""
    from devinfra import demo
    from kernel.keyring import KeyringSettings

    writers = demo.WRITERS
    # As the owners: the demo migrates each store, as its service would, before writing to it.
    owners = {service: infra.owner_database_url(service) for service in writers}
    settings = KeyringSettings(
        KEYRING_DATABASE_URL=keyring.get("KEYRING_MIGRATION_DATABASE_URL", keyring["KEYRING_DATABASE_URL"]),
        KEYRING_MIGRATION_DATABASE_URL=keyring.get("KEYRING_MIGRATION_DATABASE_URL"),
        KEYRING_KEK=keyring["KEYRING_KEK"],
    )
    if asyncio.run(demo.holds_people(owners["assessment"])):
        return False
    typer.echo(f"Loading the demo establishment ({demo.SITE_NAME}, {demo.PEOPLE} people) ...")
    started = time.monotonic()
    loaded = asyncio.run(demo.load(owners, settings, subject_secret[SUBJECT_ID_VARIABLE].encode()))
    if loaded is None:
        return False
    typer.echo(
        f"Demo loaded in {time.monotonic() - started:.0f} s: {loaded.people} people followed from "
        f"{loaded.first_day:%d/%m/%Y} to {loaded.last_day:%d/%m/%Y}, {sum(loaded.events.values()):,} events; "
        "the services publish them as they start."
    )
    typer.echo("Log in on the web as cpip-1, dpip-1, ipro_conseiller-1 ...; a partner with its organisation:")
    for number, (partner_id, name) in enumerate(loaded.partners, start=1):
        typer.echo(f"  partenaire-{number}  {partner_id}  {name}")
    return True


@app.command()
def reset() -> None:
    """Stop everything and delete the local PostgreSQL's and Kafka's data (var/postgres, var/kafka): the next
    `make up` starts from an empty system, with a fresh demo. Keys, logs and the Kafka jars are kept."""
    infra = Infrastructure.from_env()
    if infra.postgres is None or infra.kafka is None:
        typer.echo("PostgreSQL or Kafka is external: its data is not this command's to delete.", err=True)
        raise typer.Exit(1)
    stop_all([_web(), *_services()])
    infra.stop()
    for data in (infra.postgres.data_dir, infra.kafka.data_dir):
        shutil.rmtree(data, ignore_errors=True)
    typer.echo("Passerelle is down and its data deleted.")


@app.command()
def down() -> None:
    """Stop the web front-end and the services, then Kafka, then PostgreSQL (data under var/ is kept)."""
    stop_all([_web(), *_services()])
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
    for service in [*_services(), _web()]:
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
    establishment: Annotated[
        list[str] | None,
        typer.Option(
            help="an establishment of the `establishments` claim (repeat for several); "
            "default: the development sites"
        ),
    ] = None,
) -> None:
    """Print a signed development JWT accepted by the locally running services."""
    keys = DevKeys.load_or_create(KEYS_DIR)
    sites = establishment or DEV_ESTABLISHMENTS
    typer.echo(keys.mint(role, subject=subject, organisation_id=organisation, establishments=sites))


@app.command()
def consume(topic: str) -> None:
    """Print every record value of TOPIC from the beginning, with Kafka's console consumer (Ctrl-C stops)."""
    argv = console_consumer_command(Infrastructure.from_env().bootstrap_servers, topic)
    os.execvp(argv[0], argv)


@app.command()
def psql(service: str) -> None:
    """Open psql on SERVICE's database, as its owner."""
    argv = psql_command(Infrastructure.from_env().owner_database_url(service))
    os.execvp(argv[0], argv)


# --- operators' commands (docs/operations.md) -----------------------------------------------------------------

dlq = typer.Typer(
    no_args_is_help=True,
    help="A subscription's dead letters: list them, re-drive them.",
    callback=lambda: logging.getLogger("aiokafka").setLevel(logging.CRITICAL),
)  # its retries are noise here
relay = typer.Typer(no_args_is_help=True, help="The outbox relay of a service's database.")
app.add_typer(dlq, name="dlq")
app.add_typer(relay, name="relay")


@dlq.command("list")
def dlq_list(subscription: str) -> None:
    """Every message SUBSCRIPTION parked on a dead-letter topic, with its origin and the rule it broke."""
    from kernel.dead_letters import dead_letters

    infra = Infrastructure.from_env()
    found = _subscription(subscription, infra)
    letters = asyncio.run(
        dead_letters(infra.bootstrap_servers, found.subscription, found.settings.kafka_security())
    )
    for letter in letters:
        state = "re-driven" if letter.redriven else "parked"
        typer.echo(
            f"{letter.where}  {state:<9}  from {letter.origin}  {letter.event_type} {letter.event_id}\n"
            f"    {letter.error}"
        )
    typer.echo(
        f"{len(letters)} dead letter(s), {sum(not letter.redriven for letter in letters)} not re-driven"
    )


@dlq.command("redrive")
def dlq_redrive(subscription: str) -> None:
    """Send SUBSCRIPTION's dead letters back to it alone (once the cause is fixed): each goes back once."""
    from kernel.dead_letters import redrive

    infra = Infrastructure.from_env()
    found = _subscription(subscription, infra)
    policy, security = found.settings.topic_policy(), found.settings.kafka_security()
    count = asyncio.run(redrive(infra.bootstrap_servers, found.subscription, policy, security))
    typer.echo(f"{count} dead letter(s) re-driven to {found.subscription.redrive_topic}")


@app.command()
def rebuild(
    view: str, wait: Annotated[bool, typer.Option(help="follow the replay until it caught up")] = True
) -> None:
    """Empty VIEW (a subscription that declares its tables) and replay its topics from offset 0."""
    from kernel.database import create_pool
    from kernel.views import CannotRebuild
    from kernel.views import rebuild as reset

    infra = Infrastructure.from_env()
    found = _subscription(view, infra)

    async def run() -> None:
        pool = await create_pool(found.settings.database_url)
        try:
            await reset(pool, found.subscription)
            typer.echo(f"{view}: emptied, replaying from offset 0")
            if wait:
                await _follow_replay(pool, found, infra)
        finally:
            await pool.close()

    try:
        asyncio.run(run())
    except CannotRebuild as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


# Issue 16 calls it `replay`: the same command under a second name (`passerelle replay` too, devinfra.audit).
app.command("replay")(rebuild)


@relay.command("rebase")
def relay_rebase(service: str) -> None:
    """After restoring SERVICE's database into another PostgreSQL cluster: adopt that cluster (service stopped)."""
    from kernel import cluster, database

    async def run() -> int:
        connection = await database.connect(Infrastructure.from_env().owner_database_url(service))
        try:
            return await cluster.rebase(connection)
        finally:
            await connection.close()

    shift = asyncio.run(run())
    typer.echo(
        f"{service}: rebased on this cluster; transaction ids shifted by {shift}. The service may start."
    )


def _subscription(name: str, infra: Infrastructure):
    from devinfra.operators import subscription_named

    try:
        return subscription_named(name, infra)
    except LookupError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from error


async def _follow_replay(pool, found, infra: Infrastructure) -> None:
    """A progress bar until the view's checkpoints reach the topics' ends, as they stood at the reset."""
    from aiokafka import AIOKafkaConsumer
    from rich.progress import Progress

    from kernel import kafka, views

    security = found.settings.kafka_security()
    partitions = await kafka.partitions_of(infra.bootstrap_servers, found.subscription.topics, security)
    consumer = AIOKafkaConsumer(bootstrap_servers=infra.bootstrap_servers, **security.client_options())
    await consumer.start()
    try:
        ends = {(p.topic, p.partition): end for p, end in (await consumer.end_offsets(partitions)).items()}
    finally:
        await consumer.stop()
    started = time.monotonic()
    with Progress() as progress:
        task = progress.add_task(f"replaying {found.subscription.name}", total=1.0)
        while (done := await views.progress(pool, found.subscription, ends)) < 1.0:
            progress.update(task, completed=done)
            if time.monotonic() - started > 10 and not done:
                typer.echo(f"nothing replayed yet: is {found.service} running? It replays when it starts.")
                return
            await asyncio.sleep(0.5)
        progress.update(task, completed=1.0)
    events = sum(ends.values())
    elapsed = time.monotonic() - started
    typer.echo(
        f"{found.subscription.name}: {events} messages replayed in {elapsed:.1f} s ({events / elapsed:.0f}/s)"
    )
