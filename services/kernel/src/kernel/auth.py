"""Who is calling, and may they call this route?

Tokens are bearer JWTs signed by the identity provider and verified against its JWKS. Every route declares
its policy with `allow(...)` (or `public()`); an app with a route that declares none refuses to start.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kernel.errors import DomainError, Forbidden

# The roles of ARCHITECTURE.md §6.
ROLES = frozenset(
    {"cpip", "dpip", "psychologue", "assistant_social", "ipro_conseiller", "ipro_chef", "ripro", "direction",
     "partenaire", "auditeur"}
)
SPIP_STAFF = frozenset({"cpip", "dpip", "psychologue", "assistant_social"})
IPRO_STAFF = frozenset({"ipro_conseiller", "ipro_chef", "ripro"})


class NotAuthenticated(DomainError):
    code = "not-authenticated"
    status = 401


class RoleNotAllowed(DomainError):
    code = "role-not-allowed"
    status = 403


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[str]
    organisation_id: str | None = None

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)

    @property
    def role(self) -> str:
        """The role recorded as the actor of events (tokens carry one role in practice)."""
        return sorted(self.roles)[0]


class TokenVerifier:
    CACHE_SIZE = 10_000

    def __init__(self, keys: jwt.PyJWKSet, *, issuer: str, audience: str) -> None:
        self._keys = keys
        self.issuer = issuer
        self.audience = audience
        # Front-ends send the same token on every call: checking its signature once per token, not per
        # request, saves most of a request's CPU. An entry is only used until the token expires.
        self._verified: dict[str, tuple[Principal, float]] = {}

    @classmethod
    def from_settings(cls, settings) -> TokenVerifier:
        if settings.auth_jwks_file:
            keys = jwt.PyJWKSet.from_dict(json.loads(settings.auth_jwks_file.read_text()))
        elif settings.auth_jwks_url:
            keys = jwt.PyJWKClient(settings.auth_jwks_url).get_jwk_set()
        else:
            raise RuntimeError("set AUTH_JWKS_FILE or AUTH_JWKS_URL: without keys no token can be trusted")
        return cls(keys, issuer=settings.auth_issuer, audience=settings.auth_audience)

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
                token, key=key, algorithms=["RS256", "ES256", "EdDSA"], audience=self.audience,
                issuer=self.issuer, options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise NotAuthenticated(f"invalid token: {error}") from None
        roles = frozenset(claims.get("roles") or []) & ROLES
        return Principal(subject=claims["sub"], roles=roles, organisation_id=claims.get("org")), claims["exp"]


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
        principal = request.app.state.token_verifier.verify(token.strip())
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
    flat = frozenset(r for group in roles for r in ([group] if isinstance(group, str) else group))
    unknown = flat - ROLES
    if unknown or not flat:
        raise ValueError(f"unknown roles {sorted(unknown)}" if unknown else "allow() needs at least one role")
    return Policy(flat)


def public() -> Policy:
    return Policy(None)


def organisation_scope(principal: Principal) -> str | None:
    """The organisation a partner's lists are limited to (filtered, never leaked); None for staff."""
    if "partenaire" not in principal.roles:
        return None
    return principal.organisation_id or ""


def ensure_organisation(principal: Principal, organisation_id: str) -> None:
    """Partners act on their own organisation only; staff are not limited by organisation."""
    if "partenaire" in principal.roles and principal.organisation_id != organisation_id:
        raise Forbidden("a partner may only access its own organisation")
