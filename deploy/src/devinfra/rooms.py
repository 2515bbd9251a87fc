"""The establishments' rooms every deployment gives the services that book or key a room (ADR 29): `make up`
and compose the demo establishment's list (`deploy/rooms.json`, the rooms its story books), Kubernetes the
site's own from a ConfigMap (deploy/k8s/services.yaml). A service without it accepts any place, so a
deployment missing it silently drops the rule."""

from __future__ import annotations

from devinfra.paths import DEPLOY_DIR

ROOMS_FILE = DEPLOY_DIR / "rooms.json"
READERS = ("assessment", "programmes", "partners", "projections")  # ipro books no room


def rooms_file_variable(service: str) -> str:
    return f"{service.upper()}_ROOMS_FILE"


def rooms_environment(service: str, path=ROOMS_FILE) -> dict[str, str]:
    return {rooms_file_variable(service): str(path)} if service in READERS else {}
