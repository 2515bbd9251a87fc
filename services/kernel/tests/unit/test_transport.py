"""A service that must use TLS refuses to start on a link that would carry data in clear (ADR 35, security
review M6): database DSNs without verify-full, Kafka without SSL, a key set fetched over plain HTTP."""

import pytest

from contracts.roles import ESTABLISHMENT
from kernel.errors import InfrastructureMisconfigured
from kernel.keyring import KeyringSettings
from kernel.service import ServiceDefinition, create_service_app
from kernel.settings import ServiceSettings
from kernel.transport import plaintext_links

SAFE_DB = (
    "postgresql://assessment_service@db.internal:5432/assessment?sslmode=verify-full&sslrootcert=/ca.crt"
)
SAFE_KEYRING = "postgresql://keyring@db.internal/keyring?sslmode=verify-full"


def settings(**overrides) -> ServiceSettings:
    values = {
        "database_url": SAFE_DB,
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "AUTH_JWKS_URL": "https://auth.example.org/jwks.json",
        **overrides,
    }
    return ServiceSettings(**values)


def keyring(url: str | None = SAFE_KEYRING) -> KeyringSettings:
    return KeyringSettings(KEYRING_DATABASE_URL=url)


def test_a_production_configuration_has_no_link_in_clear():
    assert plaintext_links(settings(), keyring(), environ={}) == []


def test_each_link_in_clear_is_named():
    problems = plaintext_links(
        settings(
            database_url="postgresql://assessment_service@db.internal/assessment",
            migration_database_url="postgresql://owner@db.internal/assessment?sslmode=require",
            KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
            AUTH_JWKS_URL="http://auth.example.org/jwks.json",
        ),
        keyring("postgresql://keyring@db.internal/keyring?sslmode=prefer"),
        environ={},
    )
    assert [problem.split(" must")[0].split(" is")[0] for problem in problems] == [
        "the database URL",
        "the migration database URL",  # require encrypts but checks no certificate: a proxy could read it
        "KEYRING_DATABASE_URL",
        "KAFKA_SECURITY_PROTOCOL",
        "AUTH_JWKS_URL",
    ]


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://svc@127.0.0.1:6432/assessment",  # a pooler beside the service, in the pod
        "postgresql://svc@localhost/assessment",
        "postgresql://svc@/assessment?host=/var/run/postgresql",
        "postgresql:///assessment",
        "host=db.internal dbname=assessment sslmode=verify-full",
    ],
)
def test_a_link_that_stays_in_the_pod_or_is_verified_passes(dsn):
    assert plaintext_links(settings(database_url=dsn), keyring(), environ={}) == []


def test_pgsslmode_counts_for_a_dsn_that_names_no_mode_as_the_drivers_read_it():
    bare = settings(database_url="postgresql://svc@db.internal/assessment")
    assert plaintext_links(bare, keyring(), environ={"PGSSLMODE": "verify-full"}) == []
    assert len(plaintext_links(bare, keyring(), environ={"PGSSLMODE": "verify-ca"})) == 1


def test_a_service_that_requires_tls_refuses_to_start_on_a_link_in_clear(monkeypatch):
    monkeypatch.setenv("KEYRING_DATABASE_URL", SAFE_KEYRING)
    monkeypatch.delenv("PGSSLMODE", raising=False)
    definition = ServiceDefinition(name="sample", roles=ESTABLISHMENT)
    with pytest.raises(InfrastructureMisconfigured, match="KAFKA_SECURITY_PROTOCOL is PLAINTEXT"):
        create_service_app(definition, settings(REQUIRE_TLS=True, KAFKA_SECURITY_PROTOCOL="PLAINTEXT"))
    assert create_service_app(definition, settings(REQUIRE_TLS=True)) is not None
    # Development and the tests run everything on the loopback, in clear: the check is off unless asked.
    assert create_service_app(definition, settings(KAFKA_SECURITY_PROTOCOL="PLAINTEXT")) is not None
