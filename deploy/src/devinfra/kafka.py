"""A real Apache Kafka broker (KRaft, single node: broker + controller) run from Maven Central jars."""

from __future__ import annotations

import asyncio
import base64
import fcntl
import logging
import os
import shutil
import socket
import subprocess
import uuid
import xml.etree.ElementTree as ElementTree
from abc import ABC, abstractmethod
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil
from aiokafka.admin import AIOKafkaAdminClient
from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_delay, wait_fixed

from devinfra.paths import DEPLOY_DIR, VAR_DIR
from devinfra.processes import kill, live_process, terminate
from kernel.kafka import PLAINTEXT, KafkaSecurity

log = logging.getLogger(__name__)

KAFKA_POM = DEPLOY_DIR / "kafka" / "pom.xml"
BROKER_LOG4J = DEPLOY_DIR / "kafka" / "log4j2.properties"
TOOLS_LOG4J = DEPLOY_DIR / "kafka" / "log4j2-tools.properties"
ACLS_SCRIPT = DEPLOY_DIR / "kafka" / "acls.sh"
ACL_BATCH = DEPLOY_DIR / "kafka" / "AclBatch.java"
JAR_CACHE_DIR = VAR_DIR / "cache"
_COMPLETE_MARKER = ".complete"


class KafkaStartError(RuntimeError):
    pass


def kafka_version() -> str:
    version = ElementTree.parse(KAFKA_POM).find(
        "pom:properties/pom:kafka.version", {"pom": "http://maven.apache.org/POM/4.0.0"}
    )
    if version is None or not version.text:
        raise RuntimeError(f"no <kafka.version> in {KAFKA_POM}")
    return version.text.strip()


def ensure_jars(cache_dir: Path = JAR_CACHE_DIR) -> Path:
    """Return the folder holding the broker's classpath, fetching it with Maven the first time.

    The folder is shared by `make up`, the tests and the benchmarks; a lock keeps concurrent callers from
    downloading twice, and the marker file (written last) makes an interrupted download start over.
    """
    libs = cache_dir / f"kafka-libs-{kafka_version()}"
    if (libs / _COMPLETE_MARKER).exists():
        return libs
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(cache_dir / f"{libs.name}.lock"):
        if (libs / _COMPLETE_MARKER).exists():
            return libs
        shutil.rmtree(libs, ignore_errors=True)
        if shutil.which("mvn") is None:
            raise RuntimeError("Maven (mvn) is needed to fetch the Kafka jars: apt-get install maven")
        log.info("Fetching the Kafka %s jars into %s (once)", kafka_version(), libs)
        maven = subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-Dstyle.color=never",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={libs}",
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if maven.returncode != 0:
            raise RuntimeError(f"mvn could not fetch the Kafka jars:\n{maven.stdout}\n{maven.stderr}")
        (libs / _COMPLETE_MARKER).write_text(kafka_version())
    return libs


def console_consumer_command(
    bootstrap_servers: str, topic: str, from_beginning: bool = True, jars: Path | None = None
) -> list[str]:
    """argv of Kafka's own console consumer: prints each record value (our JSON events) on stdout."""
    argv = [
        *_java(jars or ensure_jars(), TOOLS_LOG4J),
        "org.apache.kafka.tools.consumer.ConsoleConsumer",
        "--bootstrap-server",
        bootstrap_servers,
        "--topic",
        topic,
    ]
    return argv + ["--from-beginning"] if from_beginning else argv


@dataclass(frozen=True)
class BrokerSasl:
    """A node that authenticates and authorizes as a production cluster does: SASL/SCRAM-SHA-512 on the
    client listener, the KRaft StandardAuthorizer, nothing allowed without an ACL. `users` (name: password)
    are created when the storage is formatted; `admin` is one of them, the super user the broker itself
    connects as and an operator applies the ACLs with. The controller listener (loopback, the node talking
    to itself) authenticates with SASL/PLAIN: a KRaft controller cannot check SCRAM, whose credentials live
    in the metadata it serves."""

    users: dict[str, str]
    admin: str = "admin"

    def __post_init__(self) -> None:
        if self.admin not in self.users:
            raise ValueError(f"the admin user {self.admin!r} needs a password in `users`")

    def client_security(self, user: str) -> KafkaSecurity:
        return KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", user, self.users[user])

    def settings(self) -> dict[str, str]:
        admin, password = self.admin, self.users[self.admin]
        return {
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{admin}",
            "sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config": _jaas(
                "scram.ScramLoginModule", username=admin, password=password
            ),
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": _jaas(
                "plain.PlainLoginModule", username=admin, password=password, **{f"user_{admin}": password}
            ),
        }

    def client_properties(self, user: str) -> str:
        """A Java client's configuration (kafka-acls' --command-config) authenticating as `user`."""
        login = _jaas("scram.ScramLoginModule", username=user, password=self.users[user])
        return f"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config={login}\n"

    def format_options(self) -> list[str]:
        return [
            option
            for name, password in self.users.items()
            for option in ("--add-scram", f"SCRAM-SHA-512=[name={name},password={password}]")
        ]


def _jaas(module: str, **options: str) -> str:
    settings = " ".join(f'{key}="{value}"' for key, value in options.items())
    return f"org.apache.kafka.common.security.{module} required {settings};"


# What every local node gets, whatever cluster it belongs to.
_SHARED_SETTINGS = {
    "num.partitions": "3",
    # Topics are declared explicitly; a typo must fail rather than create a new topic.
    "auto.create.topics.enable": "false",
    # Consumers in tests join one by one; do not make each group wait 3 s for more members.
    "group.initial.rebalance.delay.ms": "0",
    # The event log is the source of truth: never delete it.
    "log.retention.ms": "-1",
}


class KafkaNode(ABC):
    """One Kafka process, broker and controller at once, with its own data dir and two loopback ports.

    A subclass says how the node joins its KRaft quorum and how much it replicates: `_cluster_settings()`
    and `_format_options()`.
    """

    heap_options: tuple[str, ...] = ("-Xms256m", "-Xmx512m")

    def __init__(
        self,
        data_dir: Path,
        node_id: int,
        port: int,
        controller_port: int,
        jar_cache_dir: Path = JAR_CACHE_DIR,
        sasl: BrokerSasl | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.node_id = node_id
        self.port = port
        self.controller_port = controller_port
        self.jar_cache_dir = jar_cache_dir
        self.sasl = sasl
        self.properties_file = self.data_dir / "server.properties"
        self.log_file = self.data_dir / "server.log"
        self.stdout_file = self.data_dir / "kafka.out"
        self.pid_file = self.data_dir / "kafka.pid"
        self._child: subprocess.Popen | None = None  # the process this object launched, if it did

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def controller_address(self) -> str:
        return f"127.0.0.1:{self.controller_port}"

    @property
    def listener(self) -> str:
        return "SASL_PLAINTEXT" if self.sasl else "PLAINTEXT"

    def admin_security(self) -> KafkaSecurity:
        """How a client connects with every right: the admin user's SCRAM credentials, or none at all."""
        return self.sasl.client_security(self.sasl.admin) if self.sasl else PLAINTEXT

    def launch(self) -> None:
        """Start the process unless one already runs on this data dir; does not wait for it to serve."""
        if self._process() is not None:
            if f"listeners={self.listener}://127.0.0.1:{self.port}," not in self.properties_file.read_text():
                raise KafkaStartError(
                    f"a broker already runs on {self.data_dir} with other ports; stop it first"
                )
            return
        for port in (self.port, self.controller_port):
            if _is_listening(port):  # else the broker would only die after ~15 s, deep in its log
                raise KafkaStartError(f"port {port} is already in use by another process")
        jars = ensure_jars(self.jar_cache_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.properties_file.write_text(self._server_properties())
        if not (self.data_dir / "logs" / "meta.properties").exists():
            self._format_storage(jars)
        self._launch(jars)

    def stop(self, timeout: float = 30) -> None:
        stop_nodes([self], timeout)

    def kill(self) -> None:
        """End the process with SIGKILL, as a crash would: no controlled shutdown, no flush."""
        process = self._process()
        if process is not None:
            kill([process])
        self.pid_file.unlink(missing_ok=True)

    def is_running(self) -> bool:
        # Our own child is asked directly: reading a busy JVM's command line from /proc can come back empty
        # for a moment, which made a starting node look gone.
        if self._child is not None:
            return self._child.poll() is None
        return self._process() is not None

    def apply_acls(self, topic_prefix: str = "", script: Path = ACLS_SCRIPT) -> None:
        """Apply the production ACLs (deploy/kafka/acls.sh) as the admin user. The script's kafka-acls
        invocations are recorded, then run by Kafka's own AclCommand in one JVM (AclBatch.java): a JVM per
        invocation, as an operator runs them, would take a minute. Without a JDK to compile the batch runner,
        they run one JVM each."""
        if self.sasl is None:
            raise ValueError("a node without SASL has no principals to grant anything to")
        config = self.data_dir / "admin.properties"
        config.write_text(self.sasl.client_properties(self.sasl.admin))
        recorder = self.data_dir / "record-acls.sh"
        recorder.write_text("#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\t' \"$arg\"; done; printf '\\n'\n")
        recorder.chmod(0o700)
        environment = {
            "PATH": os.environ["PATH"],
            "BOOTSTRAP": self.bootstrap_servers,
            "CONFIG": str(config),
            "KAFKA_TOPIC_PREFIX": topic_prefix,
            "KAFKA_ACLS": str(recorder),
        }
        recorded = _checked(subprocess.run([str(script)], env=environment, capture_output=True, text=True))
        jars = ensure_jars(self.jar_cache_dir)
        if shutil.which("javac") is not None:
            batch = [*_java(jars, TOOLS_LOG4J), *_SHORT_LIVED_JVM, str(ACL_BATCH)]
            _checked(subprocess.run(batch, input=recorded, **_TEXT))
            return
        for line in recorded.splitlines():
            acl_command = [*_java(jars, TOOLS_LOG4J), *_SHORT_LIVED_JVM, "org.apache.kafka.tools.AclCommand"]
            _checked(subprocess.run(acl_command + line.rstrip("\t").split("\t"), **_TEXT))

    def log_tail(self, lines: int = 40) -> str:
        tails = []
        for path in (self.log_file, self.stdout_file):
            if path.exists():
                tails.append(
                    f"--- {path}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
                )
        return "\n".join(tails) or "(no broker log)"

    @abstractmethod
    def _cluster_settings(self) -> dict[str, str]: ...

    @abstractmethod
    def _format_options(self) -> list[str]: ...

    def _server_properties(self) -> str:
        listener, controller = self.listener, "SASL_PLAINTEXT" if self.sasl else "PLAINTEXT"
        listeners = f"{listener}://{self.bootstrap_servers},CONTROLLER://{self.controller_address}"
        settings = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            "listeners": listeners,
            "advertised.listeners": listeners,
            "listener.security.protocol.map": f"{listener}:{listener},CONTROLLER:{controller}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": listener,
            "log.dirs": str(self.data_dir / "logs"),
            **_SHARED_SETTINGS,
            **self._cluster_settings(),
            **(self.sasl.settings() if self.sasl else {}),
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def _format_storage(self, jars: Path) -> None:
        formatting = subprocess.run(
            [
                *_java(jars, TOOLS_LOG4J),
                *_SHORT_LIVED_JVM,
                "kafka.tools.StorageTool",
                "format",
                *self._format_options(),
                *(self.sasl.format_options() if self.sasl else []),
                "-c",
                str(self.properties_file),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if formatting.returncode != 0:
            raise KafkaStartError(f"kafka storage format failed:\n{formatting.stdout}\n{formatting.stderr}")

    def _launch(self, jars: Path) -> None:
        argv = [
            *_java(jars, BROKER_LOG4J),
            *self.heap_options,
            f"-Dkafka.logs.dir={self.data_dir}",
            "kafka.Kafka",
            str(self.properties_file),
        ]
        with open(self.stdout_file, "ab") as output:
            # A session of its own: the broker outlives `make up` and ignores the terminal's Ctrl-C.
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        self._child = process

    def _process(self) -> psutil.Process | None:
        """The live broker process of this data dir, if any."""
        return live_process(self.pid_file, "kafka.Kafka", str(self.properties_file))


class LocalKafka(KafkaNode):
    """A single node: its own one-voter quorum, every topic unreplicated."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        controller_port: int,
        jar_cache_dir: Path = JAR_CACHE_DIR,
        sasl: BrokerSasl | None = None,
    ) -> None:
        super().__init__(data_dir, 1, port, controller_port, jar_cache_dir, sasl)

    def start(self, timeout: float = 90) -> None:
        """Start the broker (or reuse the one already running on this data dir) and wait until it serves."""
        self.launch()
        wait_until_serving([self], timeout)

    def console_consumer_command(self, topic: str, from_beginning: bool = True) -> list[str]:
        return console_consumer_command(
            self.bootstrap_servers, topic, from_beginning, ensure_jars(self.jar_cache_dir)
        )

    def _cluster_settings(self) -> dict[str, str]:
        return {
            "controller.quorum.bootstrap.servers": self.controller_address,
            # One node: internal topics cannot be replicated more than once.
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
        }

    def _format_options(self) -> list[str]:
        # --standalone makes this node the single voter of a dynamic KRaft quorum.
        return ["--standalone", "-t", random_cluster_id()]


def stop_nodes(nodes: Sequence[KafkaNode], timeout: float = 30) -> None:
    # SIGTERM first, all at once: each controlled shutdown closes its logs cleanly, and they overlap.
    terminate([process for node in nodes if (process := node._process()) is not None], timeout)
    for node in nodes:
        node.pid_file.unlink(missing_ok=True)


def wait_until_serving(nodes: Sequence[KafkaNode], timeout: float) -> None:
    """Return once the cluster lists every one of `nodes` as a live broker; raise KafkaStartError with their
    logs if one of them exits or `timeout` passes first."""
    _run_blocking(_wait_until_serving(nodes, timeout))


async def _wait_until_serving(nodes: Sequence[KafkaNode], timeout: float) -> None:
    bootstrap_servers = ",".join(node.bootstrap_servers for node in nodes)
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(timeout),
            wait=wait_fixed(0.5),
            retry=retry_if_not_exception_type(KafkaStartError),
            reraise=True,
        ):
            with attempt:
                _raise_if_one_exited(nodes)
                live = await _live_broker_ids(bootstrap_servers, nodes[0].admin_security())
                missing = {node.node_id for node in nodes} - live
                if missing:
                    raise ConnectionError(f"brokers {sorted(missing)} not registered yet")
    except Exception as error:
        tails = "\n".join(node.log_tail() for node in nodes)
        raise KafkaStartError(f"Kafka on {bootstrap_servers} not ready ({error!r}):\n{tails}") from error


def _raise_if_one_exited(nodes: Sequence[KafkaNode]) -> None:
    for node in nodes:
        if not node.is_running():
            raise KafkaStartError(f"the broker process of node {node.node_id} exited")


async def _live_broker_ids(bootstrap_servers: str, security: KafkaSecurity) -> set[int]:
    # A bare TCP probe first: aiokafka logs every refused connection at ERROR level, which would
    # flood the output while the JVM is still starting.
    for server in bootstrap_servers.split(","):
        host, port = server.rsplit(":", 1)
        _, writer = await asyncio.open_connection(host, int(port))
        writer.close()
        await writer.wait_closed()
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=5000, **security.client_options()
    )
    try:
        await admin.start()
        cluster = await admin.describe_cluster()
        return {broker["node_id"] for broker in cluster["brokers"]}
    finally:
        await admin.close()


# A tool that runs for seconds spends them compiling: the quick compiler alone starts it about twice as fast.
_SHORT_LIVED_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_TEXT: dict[str, Any] = {"capture_output": True, "text": True}


def _checked(completed: subprocess.CompletedProcess) -> str:
    if completed.returncode != 0:
        raise RuntimeError(f"{completed.args[0]} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def _is_listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _java(jars: Path, log4j_config: Path) -> list[str]:
    if shutil.which("java") is None:
        raise RuntimeError("Java 17+ is needed to run Kafka: apt-get install openjdk-17-jre-headless")
    return ["java", "-cp", f"{jars}/*", f"-Dlog4j2.configurationFile={log4j_config}"]


def random_cluster_id() -> str:
    # Kafka's Uuid.randomUuid(): 16 random bytes in unpadded base64url, never starting with "-"
    # (it would read as a command-line option).
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


T = TypeVar("T")


def _run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion from synchronous code, even if the caller sits inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()
