"""Free ports for local servers: distinct within one choice. Two services of a test run were once told the same
port: one failed to bind, and its health check was answered by the other."""

import socket

from devinfra.infra import Ports, free_ports
from devinfra.testkit import LocalSystem


def test_ports_chosen_together_are_distinct_and_each_can_be_bound():
    ports = free_ports(64)

    assert len(set(ports)) == 64
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", port))


def test_the_infrastructure_and_a_local_system_never_give_one_port_twice(tmp_path):
    for _ in range(200):
        chosen = Ports.free()
        assert len({chosen.postgres, chosen.kafka, chosen.kafka_controller}) == 3
    system = LocalSystem(tmp_path, {}, ["assessment", "programmes", "ipro", "partners", "projections", "web"])
    assert len({service.port for service in system.services.values()}) == 6
