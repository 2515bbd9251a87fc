"""The infrastructure the services need: one PostgreSQL database each and one Kafka cluster.

Locally both run as real processes under one folder; environment variables point at external ones
instead (KAFKA_BOOTSTRAP_SERVERS, <SERVICE>_DATABASE_URL), in which case nothing is started for them.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from devinfra.kafka import LocalKafka
from devinfra.paths import VAR_DIR
from devinfra.postgres import OWNER_ROLE, LocalPostgres, create_database, freeze_template, service_role

SERVICES = ("assessment", "programmes", "ipro", "partners", "projections")
# The local broker is one node: its topics cannot have more than one replica (production: 3 and 2, ADR 14).
ONE_NODE_KAFKA = {"KAFKA_REPLICATION_FACTOR": "1", "KAFKA_MIN_INSYNC_REPLICAS": "1"}


def database_url_variable(service: str) -> str:
    return f"{service.upper()}_DATABASE_URL"


def migration_url_variable(service: str) -> str:
    return f"{service.upper()}_MIGRATION_DATABASE_URL"


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it), for test servers."""
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports nobody listens on right now. Each probe stays bound until all are chosen:
    the OS may hand back a port it has just given, and two servers told the same port collide (a service
    failed to bind while its twin answered its health check; Kafka found PostgreSQL on its port)."""
    with contextlib.ExitStack() as probes:
        sockets = [
            probes.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) for _ in range(count)
        ]
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in sockets]


@dataclass(frozen=True)
class Ports:
    postgres: int = 5432
    kafka: int = 9092
    kafka_controller: int = 9093

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Ports:
        return cls(
            postgres=int(environ.get("PG_PORT", cls.postgres)),
            kafka=int(environ.get("KAFKA_PORT", cls.kafka)),
            kafka_controller=int(environ.get("KAFKA_CONTROLLER_PORT", cls.kafka_controller)),
        )

    @classmethod
    def free(cls) -> Ports:
        postgres, kafka, kafka_controller = free_ports(3)
        return cls(postgres=postgres, kafka=kafka, kafka_controller=kafka_controller)


class Infrastructure:
    def __init__(
        self,
        postgres: LocalPostgres | None,
        kafka: LocalKafka | None,
        external_database_urls: Mapping[str, str],
        external_bootstrap_servers: str | None,
        external_owner_urls: Mapping[str, str] | None = None,
    ) -> None:
        self.postgres = postgres
        self.kafka = kafka
        self._external_database_urls = dict(external_database_urls)
        self._external_owner_urls = dict(external_owner_urls or {})
        self._external_bootstrap_servers = external_bootstrap_servers

    @classmethod
    def local(cls, root: Path, ports: Ports) -> Infrastructure:
        """Everything runs here, under `root`, whatever the environment says."""
        return cls(
            LocalPostgres(root / "postgres", ports.postgres),
            LocalKafka(root / "kafka", ports.kafka, ports.kafka_controller),
            {},
            None,
        )

    @classmethod
    def from_env(
        cls, root: Path = VAR_DIR, ports: Ports | None = None, environ: Mapping[str, str] = os.environ
    ) -> Infrastructure:
        """Local processes only for what the environment does not point elsewhere."""
        ports = ports or Ports.from_env(environ)
        urls = {
            service: environ[database_url_variable(service)]
            for service in SERVICES
            if environ.get(database_url_variable(service))
        }
        owner_urls = {
            service: environ[migration_url_variable(service)]
            for service in urls
            if environ.get(migration_url_variable(service))
        }
        bootstrap_servers = environ.get("KAFKA_BOOTSTRAP_SERVERS") or None
        postgres = None if len(urls) == len(SERVICES) else LocalPostgres(root / "postgres", ports.postgres)
        kafka = None if bootstrap_servers else LocalKafka(root / "kafka", ports.kafka, ports.kafka_controller)
        return cls(postgres, kafka, urls, bootstrap_servers, owner_urls)

    @property
    def bootstrap_servers(self) -> str:
        if self.kafka is not None:
            return self.kafka.bootstrap_servers
        assert self._external_bootstrap_servers is not None
        return self._external_bootstrap_servers

    def kafka_environment(self) -> dict[str, str]:
        """What a service needs to use this Kafka: where it is and, for the local broker, how to replicate."""
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers, **(ONE_NODE_KAFKA if self.kafka else {})}

    def database_url(self, service: str) -> str:
        """What the service runs with: locally its own login role, which may not rewrite history (ADR 20)."""
        return self._database_url(service, service_role(service))

    def owner_database_url(self, service: str) -> str:
        """What migrations and operators use: the role owning the service's database."""
        if service in self._external_database_urls:
            return self._external_owner_urls.get(service, self._external_database_urls[service])
        return self._database_url(service, OWNER_ROLE)

    def _database_url(self, service: str, local_role: str) -> str:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
        if service in self._external_database_urls:
            return self._external_database_urls[service]
        assert self.postgres is not None
        return self.postgres.dsn(service, user=local_role)

    def start(self) -> None:
        """Start the local servers; if one fails, stop the other so nothing is left behind."""
        try:
            if self.postgres is not None:
                self.postgres.start()
            if self.kafka is not None:
                self.kafka.start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.kafka is not None:
            self.kafka.stop()
        if self.postgres is not None:
            self.postgres.stop()

    async def ensure_databases(self) -> None:
        """Create each locally served service's database (external ones are provisioned elsewhere), and the
        audit archive's (ADR 28) beside them."""
        from devinfra import audit_archive

        if self.postgres is None:
            return
        for service in SERVICES:
            if service not in self._external_database_urls:
                await self.postgres.provision_service_database(service)
        await audit_archive.provision(self.postgres)

    async def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a fresh database `name` (on the local server, else on the first external one), a copy of
        database `template` if given; its DSN."""
        if self.postgres is not None:
            return await self.postgres.create_database(name, template=template)
        await create_database(self._admin_dsn(), name, template=template)
        return urlunsplit(self._some_external_url()._replace(path=f"/{name}"))

    async def freeze_template(self, name: str) -> None:
        """Database `name`, made by `create_database`, becomes a template others are copied from."""
        await freeze_template(self.postgres.dsn() if self.postgres is not None else self._admin_dsn(), name)

    def _some_external_url(self):
        return urlsplit(next(iter(self._external_database_urls.values())))

    def _admin_dsn(self) -> str:
        return urlunsplit(self._some_external_url()._replace(path="/postgres"))
