"""Errors every layer can raise. Each carries a stable code naming the broken rule (`<thing>-<problem>`);
its kind (the base class) says what went wrong, and `problems` maps kinds to HTTP statuses in one place.
Domain code never names a status."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused a command (422). Subclasses set `code`, the rule. `members` join the
    problem's body: what a client needs to act on the refusal (the existing resource a unique rule
    protects: `existing="/cases/<id>"`)."""

    code: str = "domain-rule-broken"

    def __init__(self, message: str, *, code: str | None = None, **members: object) -> None:
        super().__init__(message)
        self.message = message
        self.members = members
        if code:
            self.code = code


class InvalidValue(DomainError):
    """A value the event contract refuses (empty, too long, too many): bad input, named, never a 500."""

    code = "value-invalid"


class TextWithNulCharacter(InvalidValue):
    """PostgreSQL stores no NUL character (U+0000) in text or JSON: such a value is refused as bad input."""

    code = "text-with-nul-character"


class BadRequest(DomainError):
    """The request itself is malformed in a way no schema catches (400)."""

    code = "request-invalid"


class NotFound(DomainError):
    """Nothing there, or nothing the caller may see: both answer the same (404), so that an id leaks
    nothing about what exists."""

    code = "not-found"


class Conflict(DomainError):
    """The command clashes with the current state of something else: a taken value, a booked slot (409)."""

    code = "conflict"


class ConcurrencyConflict(Conflict):
    """The stream moved on since it was read: the caller should reload and retry."""

    code = "concurrent-modification"


class AlreadyExists(Conflict):
    code = "already-exists"


class NotYetKnown(DomainError):
    """Something the caller may just have seen elsewhere has not reached this service's replica yet (503 with
    `Retry-After`): a client retries shortly, instead of being told it does not exist."""

    code = "not-yet-known"
    retry_after_seconds = 1


class NotAuthenticated(DomainError):
    """No token, or one that cannot be trusted (401)."""

    code = "not-authenticated"


class Forbidden(DomainError):
    """The caller is authenticated and may see the resource, but not do this with it (403)."""

    code = "forbidden"


class TooManyRequests(DomainError):
    """The caller spent their request budget, or their address its authentication failures (429 with
    `Retry-After`)."""

    code = "too-many-requests"

    def __init__(self, message: str, *, retry_after_seconds: int, **members: object) -> None:
        super().__init__(message, **members)
        self.retry_after_seconds = retry_after_seconds


class InfrastructureMisconfigured(RuntimeError):
    """Fatal for the loop that meets it: retrying cannot help, an operator must act (a topic that would lose
    history, a database restored into another cluster). The message says what to do."""
