"""The deployment files give each service the settings `make up` gives it (issue 17): its database, the keyring of
per-person keys on the service's own role (with that role's rights) and its key-encryption key, the pseudonyms'
key, its checkpoint signing key, and assessment alone the subject ids' secret. Without the keyring or that secret
a service does not start, so a file missing one is a deployment that cannot run. The services that book or key a
room get the establishments' room list (ADR 29): without it they start and accept any place, so a file missing it
is a deployment that silently drops the rule."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml

from contracts.rooms import load_rooms
from devinfra import compose_secrets, demo, pseudonyms, subject_ids
from devinfra.checkpoint_keys import checkpoint_key_variable
from devinfra.infra import SERVICES, database_url_variable, migration_url_variable
from devinfra.keyring import DATABASE as KEYRING_DATABASE
from devinfra.keyring import KEYRING_ROLES
from devinfra.postgres import OWNER_ROLE, service_role
from devinfra.rooms import READERS, ROOMS_FILE, rooms_environment, rooms_file_variable
from devinfra.year.cast import ACTION_PLACES, PROGRAMME_SLOTS

DEPLOY = Path(__file__).resolve().parents[1]
KEYRING = {"KEYRING_DATABASE_URL", "KEYRING_KEK"}


def given_by_make_up(service: str) -> set[str]:
    """The names `make up` sets for a service, but the infrastructure's own (Kafka, the token issuer, logging),
    which each deployment sets its way."""
    return {
        database_url_variable(service),
        migration_url_variable(service),
        *KEYRING,
        "KEYRING_MIGRATION_DATABASE_URL",
        checkpoint_key_variable(service),
        pseudonyms.VARIABLE,
        *([subject_ids.VARIABLE] if service == "assessment" else []),
        *rooms_environment(service),
    }


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """What compose's `keys` container writes, from a fresh keys folder."""
    root = tmp_path_factory.mktemp("compose")
    compose_secrets.write(root / "keys", root / "secrets")
    return root / "secrets"


def sourced(env_file: Path) -> dict[str, str]:
    """The variables a service's shell gets from its env file (as its command sources it)."""
    script = f"set -a && . {shlex.quote(str(env_file))} && env -0"
    out = subprocess.run(["sh", "-c", script], env={}, capture_output=True, check=True).stdout.decode()
    return dict(line.split("=", 1) for line in out.split("\0") if "=" in line)


@pytest.mark.parametrize("service", SERVICES)
def test_compose_gives_a_service_what_make_up_gives_it(compose, written, service):
    container = compose[service]
    secrets = sourced(written / service / compose_secrets.ENV_FILE)
    given = set(container["environment"]) | set(secrets)
    assert given >= given_by_make_up(service)
    assert (subject_ids.VARIABLE in given) == (service == "assessment")  # that secret is assessment's alone
    # Each service on the keyring as its own role, migrated by the owner, as `make up` runs it.
    environment = container["environment"]
    assert environment["KEYRING_DATABASE_URL"].startswith(f"postgresql://{service_role(service)}@")
    assert environment["KEYRING_DATABASE_URL"].endswith(f"/{KEYRING_DATABASE}")
    assert environment["KEYRING_MIGRATION_DATABASE_URL"].startswith(f"postgresql://{OWNER_ROLE}@")
    # The secrets reach this service's container alone, which its command reads before starting.
    assert f"secrets-{service}:/secrets:ro" in container["volumes"]
    assert ". /secrets/service.env" in container["command"][-1]
    assert secrets[checkpoint_key_variable(service)] == f"/secrets/{compose_secrets.CHECKPOINT_FILE}"
    assert (written / service / compose_secrets.CHECKPOINT_FILE).read_bytes().startswith(b"-----BEGIN")


def test_compose_gives_every_service_the_same_kek_and_pseudonyms_key(written):
    secrets = [sourced(written / service / compose_secrets.ENV_FILE) for service in SERVICES]
    assert len({s["KEYRING_KEK"] for s in secrets}) == 1
    assert len({s[pseudonyms.VARIABLE] for s in secrets}) == 1


def test_compose_mounts_each_services_secrets_in_that_service_and_the_key_maker_only(compose):
    for service in SERVICES:
        holders = [
            name
            for name, container in compose.items()
            if any(v.split(":")[0] == f"secrets-{service}" for v in container.get("volumes", []))
        ]
        assert sorted(holders) == sorted(["keys", service])


def test_the_compose_database_server_gives_each_service_role_its_keyring_rights():
    init = (DEPLOY / "postgres" / "init.sql").read_text()
    assert f"CREATE DATABASE {KEYRING_DATABASE} OWNER {OWNER_ROLE};" in init
    granted = dict(
        (login, role) for role, login in re.findall(r"^GRANT (keyring_\w+) TO (\w+);", init, re.MULTILINE)
    )
    assert granted == {service_role(service): role for service, role in KEYRING_ROLES.items()}
    assert f"REVOKE CONNECT ON DATABASE {KEYRING_DATABASE} FROM PUBLIC;" in init


def k8s_containers() -> dict[str, dict]:
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "services.yaml").read_text())
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]["containers"][0]
        for doc in documents
        if doc and doc["kind"] == "Deployment"
    }


@pytest.mark.parametrize("service", SERVICES)
def test_kubernetes_gives_a_service_what_make_up_gives_it_but_the_migrations(service):
    """Production migrates apart, as the owner (ADR 20): a service only checks its migrations, the keyring's
    too, so no pod is given the owner's URL."""
    env = {e["name"]: e for e in k8s_containers()[service]["env"]}
    needed = {name for name in given_by_make_up(service) if "MIGRATION" not in name}
    assert set(env) >= needed
    assert (subject_ids.VARIABLE in env) == (service == "assessment")
    assert not {name for name in env if "MIGRATION" in name}
    # The keyring on the service's own role: a URL of its own, not one shared with readers or writers.
    keyring = env["KEYRING_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert keyring["key"] == service


def test_make_up_gives_every_service_that_books_a_room_the_list_and_ipro_none():
    assert set(READERS) == set(SERVICES) - {"ipro"}
    assert rooms_environment("programmes") == {"PROGRAMMES_ROOMS_FILE": str(ROOMS_FILE)}
    assert rooms_environment("ipro") == {}


def test_the_demo_rooms_list_loads_and_holds_every_room_the_demo_books():
    """`make up` and compose load it for the demo establishment: a room its story books missing from it would
    make the demo's users refused where its own history met."""
    rooms = load_rooms(ROOMS_FILE)
    (site,) = rooms.establishments
    assert site.establishment == demo.SITE_NAME
    booked = {f"Salle {n}" for n in range(1, len(PROGRAMME_SLOTS) + 1)} | set(ACTION_PLACES)
    assert {place for place in booked if rooms.refuses(demo.SITE_NAME, place)} == set()


@pytest.mark.parametrize("service", READERS)
def test_compose_points_a_service_at_the_rooms_list_in_its_image(compose, service):
    path = compose[service]["environment"][rooms_file_variable(service)]
    assert path == f"/app/{ROOMS_FILE.relative_to(DEPLOY.parent)}"


@pytest.mark.parametrize("service", READERS)
def test_kubernetes_mounts_the_sites_rooms_list_where_a_service_reads_it(service):
    container = k8s_containers()[service]
    path = Path({e["name"]: e for e in container["env"]}[rooms_file_variable(service)]["value"])
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == "rooms"]
    assert path.parent == Path(mount["mountPath"]) and mount["readOnly"]
    (volume,) = [v for v in k8s_pod(service)["volumes"] if v["name"] == "rooms"]
    assert volume["configMap"]["name"] == "passerelle-rooms"
    assert (
        "kubectl create configmap passerelle-rooms --from-file=rooms.json="
        in (DEPLOY / "k8s" / "configmap.yaml").read_text()
    )
    assert path.name == "rooms.json"


def k8s_pod(service: str) -> dict:
    documents = yaml.safe_load_all((DEPLOY / "k8s" / "services.yaml").read_text())
    (pod,) = [
        doc["spec"]["template"]["spec"]
        for doc in documents
        if doc and doc["kind"] == "Deployment" and doc["metadata"]["name"] == service
    ]
    return pod
