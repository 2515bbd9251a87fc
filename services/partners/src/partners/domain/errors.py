"""Rules of the partners domain, each with a stable code that API clients can rely on."""

from kernel.errors import AlreadyExists, Conflict, DomainError, NotFound


# --- partner organisations ---
class SiretInvalid(DomainError):
    code = "siret-invalid"


class PartnerAlreadyRegistered(AlreadyExists):
    code = "partner-already-registered"


class SiretAlreadyRegistered(AlreadyExists):
    code = "siret-already-registered"


class PartnerNotFound(NotFound):
    code = "partner-not-found"


class PartnerWithdrawn(DomainError):
    code = "partner-withdrawn"


class AccreditationExpiryInThePast(DomainError):
    code = "accreditation-expiry-in-the-past"


class PartnerNotAccredited(DomainError):
    code = "partner-not-accredited"


class PartnerAccreditationExpired(DomainError):
    code = "partner-accreditation-expired"


class PartnerSuspended(DomainError):
    code = "partner-suspended"


class PartnerNotSuspended(DomainError):
    code = "partner-not-suspended"


class ContactPersonNotFound(NotFound):
    code = "contact-person-not-found"


class ContactPersonAlreadyAdded(AlreadyExists):
    code = "contact-person-already-added"


# --- calls for expression of interest ---
class CallNotFound(NotFound):
    code = "call-not-found"


class CallAlreadyExists(AlreadyExists):
    code = "call-already-exists"


class CallDatesInvalid(DomainError):
    code = "call-dates-invalid"


class CallNotDraft(DomainError):
    code = "call-not-draft"


class CallNotPublished(DomainError):
    code = "call-not-published"


class CallNotYetOpen(DomainError):
    code = "call-not-yet-open"


class CallClosingDatePassed(DomainError):
    code = "call-closing-date-passed"


class CallNotClosed(DomainError):
    code = "call-not-closed"


# --- action proposals ---
class ProposalNotFound(NotFound):
    code = "proposal-not-found"


class ProposalAlreadyExists(AlreadyExists):
    code = "proposal-already-exists"


class CapacityMinAboveMax(DomainError):
    code = "capacity-min-above-max"


class SessionInThePast(DomainError):
    code = "session-in-the-past"


class ActionTypeNotInCallThemes(DomainError):
    code = "action-type-not-in-call-themes"


class ProposalNotEditable(DomainError):
    code = "proposal-not-editable"


class ProposalNotDraft(DomainError):
    code = "proposal-not-draft"


class ProposalNotAwaitingReview(DomainError):
    code = "proposal-not-awaiting-review"


class ProposalNotUnderReview(DomainError):
    code = "proposal-not-under-review"


class ProposalNoChangesRequested(DomainError):
    code = "proposal-no-changes-requested"


class ProposalAlreadyDecided(DomainError):
    code = "proposal-already-decided"


class ProposalWithdrawn(DomainError):
    code = "proposal-withdrawn"


# --- catalogue actions ---
class ActionNotFound(NotFound):
    code = "action-not-found"


class ActionAlreadyExists(AlreadyExists):
    code = "action-already-exists"


class ActionClosed(DomainError):
    code = "action-closed"


class ActionAlreadyPublished(DomainError):
    code = "action-already-published"


class ActionWithoutSession(DomainError):
    code = "action-without-session"


class SessionNotFound(NotFound):
    code = "session-not-found"


class SessionAlreadyExists(AlreadyExists):
    code = "session-already-exists"


class PlaceDoubleBooked(Conflict):
    code = "place-double-booked"


class FacilitatorDoubleBooked(Conflict):
    code = "facilitator-double-booked"


class SessionCancelled(DomainError):
    code = "session-cancelled"


class SessionAlreadyReported(DomainError):
    code = "session-already-reported"


class SessionNotYetHeld(DomainError):
    code = "session-not-yet-held"


class SessionAlreadyStarted(DomainError):
    code = "session-already-started"


class PresentCountInvalid(DomainError):
    code = "present-count-invalid"


class SessionReportMissing(DomainError):
    code = "session-report-missing"


class RoomUnknown(DomainError):
    """A place that is not one of the establishment's rooms, once it has a list (ADR 29)."""

    code = "room-unknown"
