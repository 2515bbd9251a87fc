"""Kafka clients authenticate as their service and check the brokers' certificate, all through one object."""

import ast
import ssl
from pathlib import Path

import pytest

from kernel.errors import InfrastructureMisconfigured
from kernel.kafka import PLAINTEXT, KafkaSecurity
from kernel.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[4]
CLIENTS = {"AIOKafkaConsumer", "AIOKafkaProducer", "AIOKafkaAdminClient"}
# The kernel's helpers that build clients: a caller hands them its `KafkaSecurity`.
BUILDERS = {
    "ensure_topics",
    "partitions_of",
    "idempotent_producer",
    "ConsumerRunner",
    "Relay",
    "dead_letters",
    "redrive",
    "topic_records",
}
# What runs against a production cluster: the services, and the operators' and auditors' commands.
PRODUCTION_CODE = [
    *sorted(ROOT.glob("services/*/src/**/*.py")),
    ROOT / "deploy/src/devinfra/audit.py",
    ROOT / "deploy/src/devinfra/cli.py",
]


def test_the_local_broker_needs_no_option():
    assert PLAINTEXT.client_options() == {}
    assert ServiceSettings(database_url="postgresql://x").kafka_security() == PLAINTEXT


def test_sasl_ssl_authenticates_with_scram_and_verifies_the_brokers_certificate():
    settings = ServiceSettings(
        database_url="postgresql://x",
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_USERNAME="partners",
        KAFKA_SASL_PASSWORD="s3cret",
    )

    options = settings.kafka_security().client_options()

    context = options.pop("ssl_context")
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "partners",
        "sasl_plain_password": "s3cret",
    }


def test_sasl_plaintext_has_no_tls_context():
    security = KafkaSecurity("SASL_PLAINTEXT", username="audit", password="pw")

    assert "ssl_context" not in security.client_options()
    assert security.client_options()["security_protocol"] == "SASL_PLAINTEXT"


def test_sasl_without_credentials_is_refused_at_start_up():
    settings = ServiceSettings(database_url="postgresql://x", KAFKA_SECURITY_PROTOCOL="SASL_SSL")

    with pytest.raises(InfrastructureMisconfigured, match="KAFKA_SASL_USERNAME"):
        settings.kafka_security()


def test_the_password_stays_out_of_logs():
    settings = ServiceSettings(
        database_url="postgresql://x",
        KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        KAFKA_SASL_USERNAME="ipro",
        KAFKA_SASL_PASSWORD="s3cret",
    )

    assert "s3cret" not in repr(settings) and "s3cret" not in repr(settings.kafka_security())


def test_every_kafka_client_built_for_production_takes_the_security_options():
    """A client built with its bootstrap servers alone would connect without credentials: with the authorizer
    on, it fails; worse, a deployment "fixes" that by opening a PLAINTEXT listener."""
    bare = []
    for path in PRODUCTION_CODE:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _name(node.func) in CLIENTS:
                spread = [k.value for k in node.keywords if k.arg is None]
                if not any(_calls_client_options(value) for value in spread):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bare == []


def test_every_client_the_kernel_builds_for_a_caller_is_given_its_security():
    bare = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in PRODUCTION_CODE
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call) and _name(node.func) in BUILDERS and "security" not in ast.unparse(node)
    ]
    assert bare == []


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _calls_client_options(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and _name(value.func) == "client_options"
