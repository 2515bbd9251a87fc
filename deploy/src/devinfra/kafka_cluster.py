"""Several real Kafka nodes on loopback, each broker and controller, for tests of what survives a lost broker.

Every partition has three replicas and needs two in sync to accept a write (acks=all), so the cluster keeps
accepting writes, and loses none it acknowledged, while any one node is down.
"""

from __future__ import annotations

from pathlib import Path

from devinfra.infra import free_ports
from devinfra.kafka import JAR_CACHE_DIR, KafkaNode, random_cluster_id, stop_nodes, wait_until_serving

REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2


class ClusterNode(KafkaNode):
    """A node of a static KRaft quorum: every node votes, and the voters are fixed when it is formatted."""

    # Three JVMs share a small machine.
    heap_options = ("-Xms128m", "-Xmx384m")

    def __init__(
        self,
        data_dir: Path,
        node_id: int,
        port: int,
        controller_port: int,
        quorum_voters: str,
        cluster_id_file: Path,
        jar_cache_dir: Path = JAR_CACHE_DIR,
    ) -> None:
        super().__init__(data_dir, node_id, port, controller_port, jar_cache_dir)
        self.quorum_voters = quorum_voters
        self.cluster_id_file = cluster_id_file

    def _cluster_settings(self) -> dict[str, str]:
        replicas, min_insync = str(REPLICATION_FACTOR), str(MIN_INSYNC_REPLICAS)
        return {
            "controller.quorum.voters": self.quorum_voters,
            "default.replication.factor": replicas,
            "min.insync.replicas": min_insync,
            "offsets.topic.replication.factor": replicas,
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": min_insync,
            # An out-of-sync replica must never become leader: the writes it missed were acknowledged.
            "unclean.leader.election.enable": "false",
            # The controller fences a silent broker (and drops it from every ISR) after the session timeout,
            # a leader drops a follower that stopped fetching after the lag time: seconds, not the default
            # 9 s and 30 s, during which acks=all writes to the dead broker's partitions wait.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
            "replica.lag.time.max.ms": "5000",
        }

    def _format_options(self) -> list[str]:
        # No --standalone nor --initial-controllers: with controller.quorum.voters set, the quorum is static.
        return ["-t", _shared_cluster_id(self.cluster_id_file)]


class LocalKafkaCluster:
    """`nodes` Kafka nodes under `data_dir`, numbered 1..nodes (their node.id, the numbers `kill` and
    `start_node` take); `ports` gives each its (broker port, controller port), free ones by default."""

    def __init__(
        self,
        data_dir: Path,
        nodes: int = 3,
        ports: list[tuple[int, int]] | None = None,
        jar_cache_dir: Path = JAR_CACHE_DIR,
    ) -> None:
        if nodes < REPLICATION_FACTOR:
            raise ValueError(f"each partition has {REPLICATION_FACTOR} replicas: it takes as many nodes")
        ports = ports if ports is not None else _distinct_free_port_pairs(nodes)
        if len(ports) != nodes:
            raise ValueError(f"{nodes} nodes need {nodes} port pairs, not {len(ports)}")
        self.data_dir = data_dir.resolve()
        voters = ",".join(
            f"{node_id}@127.0.0.1:{controller}" for node_id, (_, controller) in enumerate(ports, 1)
        )
        self.nodes = {
            node_id: ClusterNode(
                self.data_dir / f"node-{node_id}",
                node_id,
                port,
                controller_port,
                voters,
                self.data_dir / "cluster.id",
                jar_cache_dir,
            )
            for node_id, (port, controller_port) in enumerate(ports, 1)
        }

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(node.bootstrap_servers for node in self.nodes.values())

    def start(self, timeout: float = 120) -> None:
        """Start every node (reusing those already running) and wait until all serve as brokers."""
        try:
            for node in self.nodes.values():
                node.launch()
            wait_until_serving(list(self.nodes.values()), timeout)
        except BaseException:
            self.stop()  # the caller gets no cluster to stop: what did start would outlive the test run
            raise

    def stop(self, timeout: float = 30) -> None:
        stop_nodes(list(self.nodes.values()), timeout)

    def kill(self, node_id: int) -> None:
        """SIGKILL one node: a crash, with no controlled shutdown to hand its leaderships over first."""
        self._node(node_id).kill()

    def start_node(self, node_id: int, timeout: float = 120) -> None:
        """Start one node again on its data and wait until it serves as a broker again."""
        node = self._node(node_id)
        node.launch()
        # `node` itself is waited for even if it exited at once: the wait must then fail, not skip it.
        others = [other for other in self.nodes.values() if other is not node and other.is_running()]
        wait_until_serving([node, *others], timeout)

    def is_running(self, node_id: int) -> bool:
        return self._node(node_id).is_running()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(
            f"=== node {node_id}\n{node.log_tail(lines)}" for node_id, node in self.nodes.items()
        )

    def _node(self, node_id: int) -> ClusterNode:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise ValueError(f"no node {node_id}: nodes are numbered {sorted(self.nodes)}") from None


def _shared_cluster_id(cluster_id_file: Path) -> str:
    """The id every node is formatted with: a node formatted with another would not join the quorum."""
    if not cluster_id_file.exists():
        cluster_id_file.parent.mkdir(parents=True, exist_ok=True)
        cluster_id_file.write_text(random_cluster_id())
    return cluster_id_file.read_text().strip()


def _distinct_free_port_pairs(count: int) -> list[tuple[int, int]]:
    ports = free_ports(2 * count)
    return list(zip(ports[::2], ports[1::2], strict=True))
