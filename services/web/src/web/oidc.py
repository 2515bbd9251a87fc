"""Production login: OpenID Connect authorization code with PKCE (S256) against the identity provider that
issues the services' access tokens (ADR 32), through authlib's Starlette client. authlib keeps the state,
nonce and code verifier in the session between the redirect and the callback."""

from __future__ import annotations

import base64
import json
from typing import Any

from web.settings import WebSettings


def oidc_client(settings: WebSettings, **http_options: Any):
    """authlib's client for the provider (imported here: the local login never loads it). `http_options` go
    to its httpx client (tests give a transport standing for the provider)."""
    from authlib.integrations.starlette_client import OAuth

    if not (settings.oidc_issuer and settings.oidc_client_id):
        raise ValueError("WEB_LOGIN_MODE=oidc needs WEB_OIDC_ISSUER and WEB_OIDC_CLIENT_ID")
    oauth = OAuth()
    oauth.register(
        "passerelle",
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256", **http_options},
    )
    return oauth.create_client("passerelle")


def unverified_claims(access_token: str) -> dict[str, Any]:
    """The access token's claims, read to show the user's name and pick their menu, never to grant anything:
    the services verify the token on every call (signature, issuer, audience, lifetime) and decide."""
    try:
        payload = access_token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
