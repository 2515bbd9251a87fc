"""Rules of the programmes domain: `<Thing><Problem>`, each with a stable code that spells its name and
that API clients rely on; the base class is its kind (`kernel.problems` maps kinds to statuses)."""

from kernel.errors import AlreadyExists, Conflict, DomainError, Forbidden, NotFound


# --- programmes (catalogue) ---
class ProgrammeNotFound(NotFound):
    code = "programme-not-found"


class ProgrammeCodeTaken(AlreadyExists):
    code = "programme-code-taken"


class ProgrammeWithdrawn(DomainError):
    code = "programme-withdrawn"


class ProgrammeSensitivityFixed(DomainError):
    code = "programme-sensitivity-fixed"


class GroupSizeMinAboveMax(DomainError):
    code = "group-size-min-above-max"


# --- groups and sessions ---
class GroupNotFound(NotFound):
    code = "group-not-found"


class GroupAlreadyExists(AlreadyExists):
    code = "group-already-exists"


class CapacityOutsideProgrammeLimits(DomainError):
    code = "capacity-outside-programme-limits"


class GroupPeriodInvalid(DomainError):
    code = "group-period-invalid"


class SessionOutsideGroupPeriod(DomainError):
    code = "session-outside-group-period"


class RoomDoubleBooked(Conflict):
    code = "room-double-booked"


class RoomUnknown(DomainError):
    """A place that is not one of the establishment's rooms, once it has a list (ADR 29)."""

    code = "room-unknown"


class FacilitatorDoubleBooked(Conflict):
    code = "facilitator-double-booked"


class GroupNotPlanned(DomainError):
    code = "group-not-planned"


class GroupNotOpenForEnrolment(DomainError):
    code = "group-not-open-for-enrolment"


class GroupNotStarted(DomainError):
    code = "group-not-started"


class GroupClosed(DomainError):
    code = "group-closed"


class GroupBelowMinimum(DomainError):
    code = "group-below-minimum"


class OverrideNeedsDpip(Forbidden):
    code = "override-needs-dpip"


class SessionNotFound(NotFound):
    code = "session-not-found"


class SessionCancelled(DomainError):
    code = "session-cancelled"


class SessionAlreadyHeld(DomainError):
    code = "session-already-held"


class SessionNotYetStarted(DomainError):
    code = "session-not-yet-started"


class SessionInThePast(DomainError):
    code = "session-in-the-past"


class SessionsNotRecorded(DomainError):
    code = "sessions-not-recorded"


class AttendanceNonParticipant(DomainError):
    code = "attendance-non-participant"


class AttendanceIncomplete(DomainError):
    code = "attendance-incomplete"


class ReasonRequired(DomainError):
    code = "reason-required"


# --- referrals and enrolment ---
class ReferralNotFound(NotFound):
    code = "referral-not-found"


class ReferralAlreadyExists(AlreadyExists):
    code = "referral-already-exists"


class ReferralAlreadyOpen(AlreadyExists):
    code = "referral-already-open"


class CaseNotFound(NotFound):
    code = "case-not-found"


class CaseClosed(DomainError):
    code = "case-closed"


class ObjectiveNotInPlan(DomainError):
    code = "objective-not-in-plan"


class ReferralNotRefused(DomainError):
    code = "referral-not-refused"


class ReferralNotEligible(DomainError):
    code = "referral-not-eligible"


class ConsentMissing(DomainError):
    code = "consent-missing"


class ConsentAlreadyRecorded(DomainError):
    code = "consent-already-recorded"


class ReferralAlreadyPlaced(DomainError):
    code = "referral-already-placed"


class GroupOfAnotherProgramme(DomainError):
    code = "group-of-another-programme"


class GroupFull(DomainError):
    code = "group-full"


class GroupHasSeats(DomainError):
    code = "group-has-seats"


class EnrolmentOverlap(Conflict):
    code = "enrolment-overlap"


class ReferralNotStarted(DomainError):
    code = "referral-not-started"


class ReferralEnded(DomainError):
    code = "referral-ended"


class CertificateNotFound(NotFound):
    code = "certificate-not-found"


class PeriodInvalid(DomainError):
    code = "period-invalid"
