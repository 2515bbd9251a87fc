"""Errors every layer can raise. Each carries a stable code naming the broken rule; `http` maps them to
RFC 9457 problem+json in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused a command. Subclasses set `code` (the rule) and may change `status`."""

    code: str = "domain-rule-broken"
    status: int = 422

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidValue(DomainError):
    """A value the event contract refuses (empty, too long, too many): bad input, named, never a 500."""

    code = "value-invalid"


class NotFound(DomainError):
    code = "not-found"
    status = 404


class ConcurrencyConflict(DomainError):
    """The stream moved on since it was read: the caller should reload and retry."""

    code = "concurrent-modification"
    status = 409


class AlreadyExists(DomainError):
    code = "already-exists"
    status = 409


class Forbidden(DomainError):
    """The caller is authenticated but may not touch this resource (e.g. another organisation's)."""

    code = "forbidden"
    status = 403


class InfrastructureMisconfigured(RuntimeError):
    """Fatal for the loop that meets it: retrying cannot help, an operator must act (a topic that would lose
    history, a database restored into another cluster). The message says what to do."""
