"""The shipped deployment files keep what ADR 35 asks of them (security review M6): pods unprivileged on a
read-only root, images pinned by digest, traffic limited by network policies, the production settings
passing the services' own TLS check; compose publishing nothing beyond the machine and keeping the dev
private key out of the service containers."""

import re
from pathlib import Path

import pytest
import yaml

from kernel.keyring import KeyringSettings
from kernel.settings import ServiceSettings
from kernel.transport import plaintext_links

DEPLOY = Path(__file__).resolve().parents[1]
K8S = DEPLOY / "k8s"
SERVICES = ["assessment", "programmes", "ipro", "partners", "projections"]


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def kinds(kind: str) -> list[dict]:
    resources = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    return [doc for name in resources for doc in documents(K8S / name) if doc["kind"] == kind]


DEPLOYMENTS = {d["metadata"]["name"]: d for d in kinds("Deployment")}


def test_every_service_has_a_deployment():
    assert sorted(DEPLOYMENTS) == sorted(SERVICES)


@pytest.mark.parametrize("name", SERVICES)
def test_a_pod_runs_unprivileged_on_a_read_only_root(name):
    pod = DEPLOYMENTS[name]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    context = pod["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == _dockerfile_uid() != 0
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    (container,) = pod["containers"]
    hardened = container["securityContext"]
    assert hardened["allowPrivilegeEscalation"] is False
    assert hardened["readOnlyRootFilesystem"] is True
    assert hardened["capabilities"] == {"drop": ["ALL"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in volumes[tmp["name"]]  # the one place written


@pytest.mark.parametrize("name", SERVICES)
def test_an_image_is_named_without_a_tag_and_pinned_by_digest_in_the_kustomization(name):
    (container,) = DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"]
    assert ":" not in container["image"]
    pinned = {i["name"]: i for i in yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"]}
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", pinned[container["image"]]["digest"])
    assert "newTag" not in pinned[container["image"]]


def test_every_passerelle_pod_is_denied_all_traffic_but_what_a_policy_allows():
    policies = kinds("NetworkPolicy")
    deny = [
        p
        for p in policies
        if sorted(p["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        and "ingress" not in p["spec"]
        and "egress" not in p["spec"]
    ]
    assert len(deny) == 1
    selected = deny[0]["spec"]["podSelector"]["matchLabels"]
    for deployment in DEPLOYMENTS.values():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selected.items() <= labels.items()
    ingress = [rule for p in policies for rule in p["spec"].get("ingress", [])]
    assert ingress and all(rule["ports"] == [{"port": "http"}] for rule in ingress)
    egress_ports = {
        port["port"] for p in policies for rule in p["spec"].get("egress", []) for port in rule["ports"]
    }
    assert egress_ports == {53, 5432, 9093, 443}  # DNS, PostgreSQL, Kafka over TLS, the key set


def test_the_production_settings_pass_the_services_own_tls_check():
    config = next(c for c in kinds("ConfigMap") if c["metadata"]["name"] == "passerelle-config")["data"]
    assert config["REQUIRE_TLS"] == "true"
    # The database URLs are secrets; the configmap's comment shows their form, which must pass too.
    example = re.search(r"postgresql://\S+sslmode=verify-full\S*", (K8S / "configmap.yaml").read_text())
    settings = ServiceSettings(database_url=example.group(0), **config)
    keyring = KeyringSettings(KEYRING_DATABASE_URL=example.group(0))
    assert settings.require_tls and plaintext_links(settings, keyring, environ={}) == []


@pytest.mark.parametrize("name", SERVICES)
def test_a_pod_is_given_the_keyring_and_the_database_ca(name):
    (container,) = DEPLOYMENTS[name]["spec"]["template"]["spec"]["containers"]
    assert {"KEYRING_DATABASE_URL", "KEYRING_KEK"} <= {e["name"] for e in container["env"]}
    assert "/etc/passerelle/postgres-ca" in {m["mountPath"] for m in container["volumeMounts"]}


def test_compose_publishes_nothing_beyond_this_machine_and_keeps_the_private_key_to_the_key_maker():
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert published and all(port.startswith("127.0.0.1:") for port in published)
    holders = [
        name
        for name, service in services.items()
        if any(volume.split(":")[0] == "keys" for volume in service.get("volumes", []))
    ]
    assert holders == ["keys"]


def _dockerfile_uid() -> int:
    user = re.search(r"^USER (\d+):\d+$", (DEPLOY / "Dockerfile").read_text(), re.MULTILINE)
    return int(user.group(1))
