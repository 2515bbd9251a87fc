"""Request budgets (ADR 21, ADR 34): each user's requests, and each client address's failed authentications.

A service's processes share its budgets through its database (`SharedBuckets`, kernel migration 0008), so a
user gets the same budget whether one worker or ten answer them. An app without a database (the unit tests'
apps) keeps them in memory (`Buckets`). Both answer the same question, `take(key)`: was this request within
the budget, and for how long is the budget empty now. Each process remembers the second answer, so a caller
already out of budget is refused without asking the database again, and an address whose failures are spent
is refused before its token is even verified."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg

from kernel.errors import TooManyRequests


@dataclass(frozen=True)
class Taken:
    """`refused_for`: 0 if the request was within the budget, else how many seconds until it would have been.
    `empty_for`: how many seconds until the budget grants another request (0 if it can now)."""

    refused_for: float
    empty_for: float

    @property
    def granted(self) -> bool:
        return self.refused_for == 0


class Budget(Protocol):
    rate: float

    async def take(self, key: str) -> Taken: ...


@dataclass
class TokenBucket:
    """`capacity` requests at once, then `rate` per second. A bucket left alone refills to full."""

    capacity: float
    rate: float
    tokens: float = math.inf
    updated: float = 0.0

    def take(self, now: float) -> float:
        """Spend one token: 0 if there was one, else how many seconds until there is."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return self.wait(now)

    def wait(self, now: float) -> float:
        """How long until the next token, without spending one."""
        tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        if tokens >= 1:
            return 0.0
        return (1 - tokens) / self.rate if self.rate > 0 else math.inf

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.rate >= self.capacity


@dataclass
class Buckets:
    """One process's buckets, a bucket per key. Full buckets are dropped now and then, so the table holds
    only the keys active in the last few refill periods, not every key ever seen."""

    capacity: float
    rate: float
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    MAX_KEYS = 100_000

    async def take(self, key: str) -> Taken:
        now = self.clock()
        if len(self.buckets) >= self.MAX_KEYS:
            self.buckets = {k: b for k, b in self.buckets.items() if not b.full(now)}
        bucket = self.buckets.setdefault(key, TokenBucket(self.capacity, self.rate, self.capacity, now))
        refused_for = bucket.take(now)
        return Taken(refused_for, refused_for or bucket.wait(now))


@dataclass
class SharedBuckets:
    """The buckets of every process of a service, in its database: one row per key, updated by one call of
    `rate_limit_take` (migration 0008: GCRA, the token bucket kept as one timestamp, on the database's clock
    so that processes on different hosts agree)."""

    pool: asyncpg.Pool
    budget: str  # which of the service's budgets: "user", "auth-failures"
    capacity: float
    rate: float

    async def take(self, key: str) -> Taken:
        row = await self.pool.fetchrow(
            "SELECT refused_for, empty_for FROM rate_limit_take($1, $2, $3, $4)",
            self.budget,
            key,
            float(self.capacity),
            float(self.rate),
        )
        return Taken(row["refused_for"], row["empty_for"])


class RateLimits:
    """What `auth.Policy.check` applies: each user's requests, and each client address's failed
    authentications, checked before a request's token is, so a flood of bad tokens from one address is
    refused before its signatures are verified."""

    MAX_REMEMBERED = 100_000

    def __init__(
        self, per_user: Budget, auth_failures: Budget, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_user = per_user
        self.auth_failures = auth_failures
        self.clock = clock
        # (budget, key) -> until when (this process's clock) the budget is known to be empty.
        self.empty_until: dict[tuple[str, str], float] = {}

    @classmethod
    def in_memory(cls, settings, clock: Callable[[], float] = time.monotonic) -> RateLimits:
        return cls(
            Buckets(settings.rate_limit_user_burst, settings.rate_limit_user_per_second, clock),
            Buckets(
                settings.rate_limit_auth_failures_burst,
                settings.rate_limit_auth_failures_per_minute / 60,
                clock,
            ),
            clock,
        )

    @classmethod
    def shared(cls, settings, pool: asyncpg.Pool) -> RateLimits:
        return cls(
            SharedBuckets(pool, "user", settings.rate_limit_user_burst, settings.rate_limit_user_per_second),
            SharedBuckets(
                pool,
                "auth-failures",
                settings.rate_limit_auth_failures_burst,
                settings.rate_limit_auth_failures_per_minute / 60,
            ),
        )

    def before_authentication(self, client: str) -> None:
        if (wait := self._known_empty("auth-failures", client)) > 0:
            raise _failures_spent(wait)

    async def authentication_failed(self, client: str) -> None:
        """Count a failed authentication; refuse it (429, not 401) if the address had none left."""
        if self.auth_failures.rate > 0:
            taken = self._remember("auth-failures", client, await self.auth_failures.take(client))
            if not taken.granted:
                raise _failures_spent(taken.refused_for)

    async def request_by(self, subject: str) -> None:
        if self.per_user.rate <= 0:
            return
        wait = self._known_empty("user", subject)
        if wait == 0:
            taken = self._remember("user", subject, await self.per_user.take(subject))
            wait = taken.refused_for
        if wait > 0:
            raise TooManyRequests(
                "too many requests from this user; slow down", retry_after_seconds=_seconds(wait)
            )

    def _known_empty(self, budget: str, key: str) -> float:
        until = self.empty_until.get((budget, key))
        if until is None:
            return 0.0
        wait = until - self.clock()
        if wait <= 0:
            del self.empty_until[(budget, key)]
            return 0.0
        return wait

    def _remember(self, budget: str, key: str, taken: Taken) -> Taken:
        if taken.empty_for > 0:
            now = self.clock()
            if len(self.empty_until) >= self.MAX_REMEMBERED:
                self.empty_until = {k: until for k, until in self.empty_until.items() if until > now}
            self.empty_until[(budget, key)] = now + taken.empty_for
        return taken


def _failures_spent(wait: float) -> TooManyRequests:
    return TooManyRequests(
        "too many failed authentications from this address; try again later",
        retry_after_seconds=_seconds(wait),
    )


def _seconds(wait: float) -> int:
    return max(1, math.ceil(min(wait, 3600)))
