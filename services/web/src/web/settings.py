"""The front-end's settings, from the environment (`WEB_…`): where the services answer, how users log in."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LoginMode(StrEnum):
    DEV = "dev"  # pick a demo identity; the app mints its token with the development keys (var/keys)
    OIDC = "oidc"  # authorization code with PKCE against the identity provider (ADR 32)


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", frozen=True)

    # The services' JSON APIs (ARCHITECTURE.md §8). The pages hold no rule: every fact comes from these.
    assessment_url: str = "http://127.0.0.1:8001"
    programmes_url: str = "http://127.0.0.1:8002"
    ipro_url: str = "http://127.0.0.1:8003"
    partners_url: str = "http://127.0.0.1:8004"
    projections_url: str = "http://127.0.0.1:8005"
    api_timeout_seconds: float = Field(10.0, gt=0)
    # How often a file shown today asks whether it changed (projections' `/persons/{id}/file/changes`).
    file_poll_seconds: float = Field(20.0, gt=0)

    # Signs the session cookie. `make up` passes one kept under var/keys; a deployment mounts its own secret.
    session_secret: SecretStr
    # Behind TLS in production: the cookie is then sent over HTTPS only.
    session_https_only: bool = False
    session_max_age_seconds: int = Field(8 * 3600, gt=0)  # a working day, as the tokens live

    login_mode: LoginMode = LoginMode.DEV
    # DEV: the directory of the development key pair (`DevKeys`, what `make token` uses).
    dev_keys_dir: Path = Path("var/keys")
    # OIDC: the provider's issuer (its /.well-known/openid-configuration is read), this client's credentials.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid profile"

    # Production (ADR 35): refuse to start while the services or the provider are reached in clear, or the
    # session cookie could be sent over plain HTTP. The deployment-wide REQUIRE_TLS, as the services read it.
    require_tls: bool = Field(False, validation_alias=AliasChoices("REQUIRE_TLS", "WEB_REQUIRE_TLS"))

    @model_validator(mode="after")
    def _tls_when_required(self) -> WebSettings:
        if not self.require_tls:
            return self
        problems = [
            f"WEB_{name.upper()}_URL must be https"
            for name, url in self.service_urls().items()
            if not _encrypted(url)
        ]
        if self.oidc_issuer is not None and not _encrypted(self.oidc_issuer):
            problems.append("WEB_OIDC_ISSUER must be https")
        if not self.session_https_only:
            problems.append("WEB_SESSION_HTTPS_ONLY must be true")
        if problems:
            raise ValueError(f"REQUIRE_TLS is set, but: {'; '.join(problems)}")
        return self

    def service_urls(self) -> dict[str, str]:
        return {
            "assessment": self.assessment_url,
            "programmes": self.programmes_url,
            "ipro": self.ipro_url,
            "partners": self.partners_url,
            "projections": self.projections_url,
        }


def _encrypted(url: str) -> bool:
    """HTTPS, or a link that stays on this host (a sidecar carries it on)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or parts.hostname in ("localhost", "127.0.0.1", "::1")
