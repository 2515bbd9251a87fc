"""Who is calling, and may they call this route?

Tokens are bearer access tokens (JWT, RFC 9068 `typ: at+jwt`) signed by the identity provider and verified
against its key set, which is refetched when it ages or names an unknown key (ADR 21). Every route declares
its policy with `allow(...)` (or `public()`); an app with a route that declares none refuses to start.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import time
from collections.abc import Callable
from typing import Annotated, Any, Protocol

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from kernel import logs
from kernel.access import Principal, RoleNotAllowed
from kernel.api import rate_limits, token_verifier
from kernel.errors import NotAuthenticated

log = logs.get_logger(__name__)

ALGORITHMS = ["RS256", "ES256", "EdDSA"]
# RFC 9068 §4: a resource server checks the header's `typ`, which keeps ID tokens and other JWTs the
# identity provider signs from being used as access tokens.
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
# Each reason a token is refused, in our words: never PyJWT's text, which may quote the token's content.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (nbf or iat in the future)"),
    (jwt.InvalidAudienceError, "the token is meant for another audience"),
    (jwt.InvalidIssuerError, "the token comes from an issuer this service does not trust"),
    (jwt.InvalidIssuedAtError, "the token's iat is not a time"),
    (jwt.exceptions.InvalidSubjectError, "the token's sub must be a string"),
    (jwt.exceptions.InvalidJTIError, "the token's jti must be a string"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not accepted"),
    (jwt.DecodeError, "the token is malformed"),
)
_CLAIM_NAMES = ("exp", "iat", "sub", "iss", "aud")


class RoleModel(Protocol):
    """Which roles exist and which are limited to an organisation: the services say (`contracts.roles`)."""

    roles: frozenset[str]
    organisation_roles: frozenset[str]
    organisation_claim: str
    establishment_claim: str


class KeySet:
    """The identity provider's signing keys by `kid`, fetched on first use, refetched once they are older
    than `lifetime` or when a token names a key not in the set: both at most once per `refetch_interval`,
    so a flood of tokens with made-up `kid`s costs the provider one request per interval. Every key of the
    set is trusted: during a rotation the provider publishes the old and the new one. If a refetch fails,
    the keys already known stay in use and the failure is logged."""

    def __init__(
        self,
        fetch: Callable[[], dict[str, Any]],
        *,
        lifetime: float,
        refetch_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.lifetime = lifetime
        self.refetch_interval = refetch_interval
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = -math.inf
        self._attempted_at = -math.inf
        self._lock = asyncio.Lock()
        self.fetches = 0
        self.version = 0  # moves when the set of key ids changes

    async def key(self, kid: str) -> jwt.PyJWK | None:
        # A request arriving while another fetches waits for that fetch: the first requests of a service
        # all arrive before its first key set (a race the kill -9 test's eight concurrent clients lost).
        if self._needs_refresh(kid) or (kid not in self._keys and self._lock.locked()):
            async with self._lock:
                if self._needs_refresh(kid):  # another request may have refreshed while we waited
                    await self._refresh()
        return self._keys.get(kid)

    def _needs_refresh(self, kid: str) -> bool:
        now = self._clock()
        stale = now - self._fetched_at >= self.lifetime or kid not in self._keys
        return stale and now - self._attempted_at >= self.refetch_interval

    async def _refresh(self) -> None:
        self._attempted_at = self._clock()
        self.fetches += 1
        try:
            document = await asyncio.to_thread(self._fetch)
            keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(document).keys if key.key_id}
        except Exception as error:  # the provider away or a broken document: keep the keys we have
            log.warning("the signing keys could not be refreshed", error=type(error).__name__)
            return
        if keys.keys() != self._keys.keys():
            self.version += 1
        self._keys = keys
        self._fetched_at = self._attempted_at


def jwks_file(path) -> Callable[[], dict[str, Any]]:
    return lambda: json.loads(path.read_text())


def jwks_url(url: str, timeout: float = 5.0) -> Callable[[], dict[str, Any]]:
    client = jwt.PyJWKClient(url, cache_jwk_set=False, cache_keys=False, timeout=timeout)
    return client.fetch_data


class TokenVerifier:
    CACHE_SIZE = 10_000

    def __init__(
        self,
        keys: KeySet,
        *,
        issuer: str,
        audience: str,
        roles: RoleModel,
        max_lifetime_seconds: int = 12 * 3600,
        leeway_seconds: int = 30,
    ) -> None:
        if not 0 <= leeway_seconds <= 60:
            raise ValueError("the leeway on token times is at most 60 seconds")
        self.keys = keys
        self.roles = roles
        self.issuer = issuer
        self.audience = audience
        self.max_lifetime_seconds = max_lifetime_seconds
        self.leeway_seconds = leeway_seconds
        # Front-ends send the same token on every call: checking its signature once per token, not per
        # request, saves most of a request's CPU. An entry is used until the token expires, and forgotten
        # when the key set changes (a key the provider withdrew no longer vouches for anything).
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._verified_with = keys.version

    @classmethod
    def from_settings(cls, settings, roles: RoleModel) -> TokenVerifier:
        if settings.auth_jwks_file:
            fetch = jwks_file(settings.auth_jwks_file)
        elif settings.auth_jwks_url:
            fetch = jwks_url(settings.auth_jwks_url)
        else:
            raise RuntimeError("set AUTH_JWKS_FILE or AUTH_JWKS_URL: without keys no token can be trusted")
        keys = KeySet(
            fetch,
            lifetime=settings.auth_jwks_cache_seconds,
            refetch_interval=settings.auth_jwks_refetch_seconds,
        )
        return cls(
            keys,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            roles=roles,
            max_lifetime_seconds=settings.auth_max_token_lifetime_seconds,
            leeway_seconds=settings.auth_leeway_seconds,
        )

    async def verify(self, token: str) -> Principal:
        if self._verified_with != self.keys.version:
            self._verified.clear()
            self._verified_with = self.keys.version
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal, expires_at = await self._verify(token)
        if self._verified_with != self.keys.version:  # the keys changed while we verified
            self._verified.clear()
            self._verified_with = self.keys.version
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, expires_at)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise NotAuthenticated("the token is malformed") from None
        typ = header.get("typ")
        if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
            raise NotAuthenticated("the token is not an access token (its header's typ must be at+jwt)")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise NotAuthenticated("the token does not name its signing key (kid)")
        key = await self.keys.key(kid)
        if key is None:
            raise NotAuthenticated("the token was signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": list(_CLAIM_NAMES)},
            )
        except jwt.MissingRequiredClaimError as error:
            raise NotAuthenticated(f"the token lacks the {_claim_name(error.claim)} claim") from None
        except jwt.PyJWTError as error:
            reason = next(
                (text for kind, text in _REASONS if isinstance(error, kind)), "the token is invalid"
            )
            raise NotAuthenticated(reason) from None
        return self._principal(claims), claims["exp"]

    def _principal(self, claims: dict[str, Any]) -> Principal:
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["iat"], int | float):
            raise NotAuthenticated("the token's exp and iat must be times")
        if not claims["sub"]:
            raise NotAuthenticated("the token's sub is empty")
        if claims["exp"] - claims["iat"] > self.max_lifetime_seconds:
            raise NotAuthenticated(
                f"the token lives longer than the {self.max_lifetime_seconds} seconds this service accepts"
            )
        granted = claims.get("roles", [])
        if not isinstance(granted, list) or not all(isinstance(role, str) for role in granted):
            raise NotAuthenticated("the token's roles must be a list of role names")
        roles = frozenset(granted) & self.roles.roles
        limited = roles & self.roles.organisation_roles
        if limited and roles - limited:
            raise NotAuthenticated(
                f"a role limited to an organisation ({', '.join(sorted(limited))}) cannot be combined with"
                f" another role ({', '.join(sorted(roles - limited))})"
            )
        organisation = claims.get(self.roles.organisation_claim)
        if organisation is not None and not isinstance(organisation, str):
            raise NotAuthenticated(f"the token's {self.roles.organisation_claim} claim must be a string")
        scope = (organisation or "") if limited else None
        return Principal(
            subject=claims["sub"],
            roles=roles,
            organisation_id=organisation,
            organisation_scope=scope,
            establishments=None if limited else self._establishments(claims),
        )

    def _establishments(self, claims: dict[str, Any]) -> frozenset[str]:
        # Without the claim, the caller reaches no establishment's data (ADR 26): never all of them.
        named = claims.get(self.roles.establishment_claim, [])
        if not isinstance(named, list) or not all(isinstance(e, str) and e for e in named):
            raise NotAuthenticated(
                f"the token's {self.roles.establishment_claim} must be a list of establishment names"
            )
        return frozenset(named)


def _claim_name(claim: str) -> str:
    # PyJWT names the claim it misses; we only ever require our own list, so echo nothing else.
    return claim if claim in _CLAIM_NAMES else "required"


# Declares the bearer scheme in OpenAPI (the "Authorize" button of /docs); `Policy.check` reads the header.
_bearer = HTTPBearer(auto_error=False)


class Policy:
    """A route's access rule. The route class runs it before the body is read (see `http.PolicyRoute`)."""

    def __init__(self, roles: frozenset[str] | None) -> None:
        self.roles = roles  # None: public

    @property
    def is_public(self) -> bool:
        return self.roles is None

    async def check(self, request: Request) -> Principal | None:
        if self.is_public:
            return None
        cached = getattr(request.state, "principal", None)
        if cached is not None:
            return cached
        limits = rate_limits(request)
        client = request.client.host if request.client else "unknown"
        if limits is not None:
            limits.before_authentication(client)
        try:
            principal = await self._authenticate(request)
        except NotAuthenticated as refusal:
            if request.headers.get("authorization"):  # a token was tried: not merely a forgotten header
                log.warning("authentication refused", reason=refusal.message, client=client)
                if limits is not None:
                    await limits.authentication_failed(client)
            raise
        if limits is not None:
            await limits.request_by(principal.subject)
        admitted = principal.roles & self.roles
        if not admitted:
            # Which roles would do is the route's description, not the refusal's: a caller probing with
            # tokens learns nothing of the access model from it (security review L2).
            raise RoleNotAllowed("your roles do not allow this action")
        # The role exercised, recorded as the actor of events: the one this policy admitted (ADR 21).
        principal = dataclasses.replace(principal, acting_role=sorted(admitted)[0])
        request.state.principal = principal
        return principal

    async def _authenticate(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("a bearer token is required")
        return await token_verifier(request).verify(token.strip())

    async def __call__(
        self, request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
    ) -> Principal | None:
        return await self.check(request)

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
