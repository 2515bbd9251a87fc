"""Who is calling, and may they call this route?

Tokens are bearer JWTs signed by the identity provider and verified against its JWKS. Every route declares
its policy with `allow(...)` (or `public()`); an app with a route that declares none refuses to start.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Protocol

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kernel.access import Principal, RoleNotAllowed
from kernel.api import token_verifier
from kernel.errors import NotAuthenticated


class RoleModel(Protocol):
    """Which roles exist and which are limited to an organisation: the services say (`contracts.roles`)."""

    roles: frozenset[str]
    organisation_roles: frozenset[str]
    organisation_claim: str


class TokenVerifier:
    CACHE_SIZE = 10_000

    def __init__(self, keys: jwt.PyJWKSet, *, issuer: str, audience: str, roles: RoleModel) -> None:
        self._keys = keys
        self.roles = roles
        self.issuer = issuer
        self.audience = audience
        # Front-ends send the same token on every call: checking its signature once per token, not per
        # request, saves most of a request's CPU. An entry is only used until the token expires.
        self._verified: dict[str, tuple[Principal, float]] = {}

    @classmethod
    def from_settings(cls, settings, roles: RoleModel) -> TokenVerifier:
        if settings.auth_jwks_file:
            keys = jwt.PyJWKSet.from_dict(json.loads(settings.auth_jwks_file.read_text()))
        elif settings.auth_jwks_url:
            keys = jwt.PyJWKClient(settings.auth_jwks_url).get_jwk_set()
        else:
            raise RuntimeError("set AUTH_JWKS_FILE or AUTH_JWKS_URL: without keys no token can be trusted")
        return cls(keys, issuer=settings.auth_issuer, audience=settings.auth_audience, roles=roles)

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal, expires_at = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires_at)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next((k for k in self._keys.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise NotAuthenticated("the token was signed by an unknown key")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=["RS256", "ES256", "EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise NotAuthenticated(f"invalid token: {error}") from None
        roles = frozenset(claims.get("roles") or []) & self.roles.roles
        organisation = claims.get(self.roles.organisation_claim)
        scope = (organisation or "") if roles & self.roles.organisation_roles else None
        principal = Principal(
            subject=claims["sub"], roles=roles, organisation_id=organisation, organisation_scope=scope
        )
        return principal, claims["exp"]


# Declares the bearer scheme in OpenAPI (the "Authorize" button of /docs); `Policy.check` reads the header.
_bearer = HTTPBearer(auto_error=False)


class Policy:
    """A route's access rule. The route class runs it before the body is read (see `http.PolicyRoute`)."""

    def __init__(self, roles: frozenset[str] | None) -> None:
        self.roles = roles  # None: public

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def check(self, request: Request) -> Principal | None:
        if self.is_public:
            return None
        cached = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("a bearer token is required")
        principal = token_verifier(request).verify(token.strip())
        if not principal.has_any(self.roles):
            raise RoleNotAllowed(f"this action needs one of the roles: {', '.join(sorted(self.roles))}")
        request.state.principal = principal
        return principal

    async def __call__(
        self, request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
    ) -> Principal | None:
        return self.check(request)

    def __repr__(self) -> str:
        return "public()" if self.is_public else f"allow({', '.join(sorted(self.roles))})"


def allow(*roles: str | frozenset[str]) -> Policy:
    """The roles that may call a route; the app refuses to start if one is not a role it knows."""
    flat = frozenset(r for group in roles for r in ([group] if isinstance(group, str) else group))
    if not flat:
        raise ValueError("allow() needs at least one role")
    return Policy(flat)


def public() -> Policy:
    return Policy(None)
