"""The front-end under REQUIRE_TLS (ADR 35): it refuses to start while it would reach a service or the identity
provider in clear, or let the session cookie travel over plain HTTP."""

import pytest
from pydantic import ValidationError

from web.settings import WebSettings

SERVICES = {
    f"{name}_url": f"https://{name}.passerelle.example.org"
    for name in ("assessment", "programmes", "ipro", "partners", "projections")
}


def settings(**values) -> WebSettings:
    return WebSettings(session_secret="unit-test-secret", **values)


def test_a_production_front_end_reaches_everything_over_https():
    production = settings(
        REQUIRE_TLS=True, session_https_only=True, oidc_issuer="https://auth.example.org", **SERVICES
    )
    assert production.require_tls


def test_each_link_in_clear_is_named():
    with pytest.raises(ValidationError) as refused:
        settings(
            REQUIRE_TLS=True,
            oidc_issuer="http://auth.example.org",
            **{**SERVICES, "ipro_url": "http://ipro.passerelle.example.org"},
        )
    message = str(refused.value)
    assert "WEB_IPRO_URL must be https" in message and "WEB_ASSESSMENT_URL" not in message
    assert "WEB_OIDC_ISSUER must be https" in message
    assert "WEB_SESSION_HTTPS_ONLY must be true" in message


def test_a_service_beside_the_front_end_on_the_loopback_passes():
    assert settings(REQUIRE_TLS=True, session_https_only=True).require_tls  # the defaults: 127.0.0.1


def test_without_the_requirement_development_runs_in_clear():
    assert not settings(**{**SERVICES, "ipro_url": "http://ipro:8003"}).require_tls
