"""Rules of the SPIP follow-up, each named `<Thing><Problem>` with a stable code that spells the name (API
clients rely on it); the base class is the kind of refusal, which `kernel.problems` maps to a status. Who may
see or do what is `assessment.access`."""

from kernel.errors import AlreadyExists, DomainError, Forbidden, NotFound


# --- case ---
class CaseNotFound(NotFound):
    code = "case-not-found"


class CaseAlreadyOpened(AlreadyExists):
    code = "case-already-opened"


class PersonAlreadyFollowed(AlreadyExists):
    code = "person-already-followed"


class CaseClosed(DomainError):
    code = "case-closed"


class DatesOutOfOrder(DomainError):
    code = "dates-out-of-order"


class DateInTheFuture(DomainError):
    code = "date-in-the-future"


class LitigationHoldAlreadyPlaced(AlreadyExists):
    code = "litigation-hold-already-placed"


class LitigationHoldMissing(DomainError):
    code = "litigation-hold-missing"


class IdentityUnchanged(DomainError):
    code = "identity-unchanged"


class PersonErased(DomainError):
    code = "person-erased"


# --- erasure ---
class SubjectNotFound(NotFound):
    code = "subject-not-found"


class SubjectAlreadyErased(AlreadyExists):
    code = "subject-already-erased"


class ErasureOnHold(DomainError):
    code = "erasure-on-hold"


class ErasureWhileFollowed(DomainError):
    code = "erasure-while-followed"


class RetentionNotElapsed(DomainError):
    code = "retention-not-elapsed"


# --- assessment ---
class AssessmentNotFound(NotFound):
    code = "assessment-not-found"


class AssessmentAlreadyStarted(AlreadyExists):
    code = "assessment-already-started"


class AssessmentAlreadyOpen(AlreadyExists):
    code = "assessment-already-open"


class InitialAssessmentAlreadyValidated(DomainError):
    code = "initial-assessment-already-validated"


class NoValidatedAssessment(DomainError):
    code = "no-validated-assessment"


class ReassessmentTriggerMissing(DomainError):
    code = "reassessment-trigger-missing"


class AssessmentNotEditable(DomainError):
    code = "assessment-not-editable"


class AssessmentValidated(DomainError):
    """Validated assessments are immutable: a correction is a new re-assessment."""

    code = "assessment-validated"


class RatingInconsistent(DomainError):
    code = "rating-inconsistent"


class PriorityAxesRepeated(DomainError):
    code = "priority-axes-repeated"


class AssessmentIncomplete(DomainError):
    code = "assessment-incomplete"


class AssessmentNotSubmitted(DomainError):
    code = "assessment-not-submitted"


class AssessmentNotReturned(DomainError):
    code = "assessment-not-returned"


class ContributionAlreadyRequested(AlreadyExists):
    code = "contribution-already-requested"


class AssessmentSelfValidation(Forbidden):
    """Four eyes: whoever submitted an assessment (even before a return) does not validate it."""

    code = "assessment-self-validation"


# --- plan ---
class PlanNotFound(NotFound):
    code = "plan-not-found"


class PlanAlreadyAdopted(AlreadyExists):
    code = "plan-already-adopted"


class AssessmentNotValidated(DomainError):
    code = "assessment-not-validated"


class AssessmentOfAnotherCase(DomainError):
    code = "assessment-of-another-case"


class ObjectiveAxisNotAPriority(DomainError):
    code = "objective-axis-not-a-priority"


class ObjectivesInvalid(DomainError):
    code = "objectives-invalid"


class PlanVersionValidated(DomainError):
    code = "plan-version-validated"


class PlanAgreementMissing(DomainError):
    code = "plan-agreement-missing"


class PlanNotValidated(DomainError):
    code = "plan-not-validated"


class ObjectiveNotFound(NotFound):
    code = "objective-not-found"


class ObjectiveNotActive(DomainError):
    code = "objective-not-active"


class ReasonMissing(DomainError):
    code = "reason-missing"


# --- interview ---
class InterviewAlreadyRecorded(AlreadyExists):
    code = "interview-already-recorded"


class InterviewNotFound(NotFound):
    code = "interview-not-found"


class InterviewAlreadyScheduled(AlreadyExists):
    code = "interview-already-scheduled"


class InterviewInThePast(DomainError):
    """An appointment is made (or moved) for a time still to come."""

    code = "interview-in-the-past"


class InterviewCancelled(DomainError):
    """A cancelled appointment is neither moved, cancelled again nor held: a new one is scheduled."""

    code = "interview-cancelled"


class InterviewAlreadyHeld(DomainError):
    """An interview that took place is no longer an appointment to move or cancel."""

    code = "interview-already-held"


class InterviewUnchanged(DomainError):
    code = "interview-unchanged"


class RoomUnknown(DomainError):
    """Once an establishment has a list of rooms, an interview is held in one of them (ADR 29)."""

    code = "room-unknown"
