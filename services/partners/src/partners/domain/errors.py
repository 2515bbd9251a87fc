"""Rules of the partners domain, each with a stable code that API clients can rely on."""

from kernel.errors import AlreadyExists, DomainError


class InvalidSiret(DomainError):
    code = "siret-invalid"


class PartnerAlreadyRegistered(AlreadyExists):
    code = "partner-already-registered"


class SiretAlreadyRegistered(AlreadyExists):
    code = "siret-already-registered"
