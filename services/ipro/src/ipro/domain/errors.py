"""Rules of the IPRO domain: `<Thing><Problem>` names, each with a stable code (its name in kebab case)
that API clients rely on, and its kind as base class (`kernel.problems` maps kinds to statuses)."""

from kernel.errors import AlreadyExists, Conflict, DomainError, NotFound, NotYetKnown


# --- pathway ---
class PathwayNotFound(NotFound):
    code = "pathway-not-found"


class PathwayAlreadyOpen(AlreadyExists):
    code = "pathway-already-open"


class PathwayClosed(DomainError):
    code = "pathway-closed"


class CaseNotFound(NotFound):
    code = "case-not-found"


class CaseClosed(DomainError):
    code = "case-closed"


class DateInTheFuture(DomainError):
    code = "date-in-the-future"


class DatesOutOfOrder(DomainError):
    code = "dates-out-of-order"


class DateBeforeOpening(DomainError):
    """An interview of the pathway is not dated before the pathway opened (the person's admission)."""

    code = "date-before-opening"


class SynthesisAlreadyWritten(DomainError):
    code = "synthesis-already-written"


class ReadinessUnchanged(DomainError):
    code = "readiness-unchanged"


class NoRightToWork(DomainError):
    code = "no-right-to-work"


class ReasonRequired(DomainError):
    code = "reason-required"


class GoalNotFound(NotFound):
    code = "goal-not-found"


class GoalAlreadySet(AlreadyExists):
    code = "goal-already-set"


class GoalClosed(DomainError):
    code = "goal-closed"


class FranceTravailTooEarly(DomainError):
    code = "france-travail-too-early"


class FranceTravailAlreadyRegistered(DomainError):
    code = "france-travail-already-registered"


class LeaveNotFound(NotFound):
    code = "leave-not-found"


class LeaveAlreadyRequested(AlreadyExists):
    code = "leave-already-requested"


class LeaveNotPending(DomainError):
    code = "leave-not-pending"


class LeaveNotApproved(DomainError):
    code = "leave-not-approved"


class ContractTypeRequired(DomainError):
    code = "contract-type-required"


# --- work ---
class ClassementAlreadyRequested(DomainError):
    code = "classement-already-requested"


class AlreadyClassed(DomainError):
    code = "already-classed"


class ClassementNotRequested(DomainError):
    code = "classement-not-requested"


class RegimesRequired(DomainError):
    code = "regimes-required"


class CpuOpinionMissing(DomainError):
    code = "cpu-opinion-missing"


class CpuOpinionAlreadyRecorded(DomainError):
    code = "cpu-opinion-already-recorded"


class AffectationWithoutClassement(DomainError):
    """A post is assigned for a regime the person is classed for."""

    code = "affectation-without-classement"


class NotClassedForRegime(DomainError):
    """An employer interview is for a regime the person is classed for."""

    code = "not-classed-for-regime"


class NotClassed(DomainError):
    code = "not-classed"


class EmployerInterviewMissing(DomainError):
    code = "employer-interview-missing"


class AlreadyAffected(DomainError):
    code = "already-affected"


class ContractWithoutAffectation(DomainError):
    """A contract is signed for a current affectation that has none yet."""

    code = "contract-without-affectation"


class ContractAlreadyActive(DomainError):
    code = "contract-already-active"


class TrialPeriodTooLong(DomainError):
    code = "trial-period-too-long"


class ContractNotActive(DomainError):
    code = "contract-not-active"


class ContractAlreadySuspended(DomainError):
    code = "contract-already-suspended"


class ContractNotSuspended(DomainError):
    code = "contract-not-suspended"


class PreliminaryInterviewMissing(DomainError):
    code = "preliminary-interview-missing"


class AdversarialHearingMissing(DomainError):
    code = "adversarial-hearing-missing"


class ContractStillActive(DomainError):
    code = "contract-still-active"


class BookingOverlap(Conflict):
    code = "booking-overlap"


# --- training ---
class TrainingNotFound(NotFound):
    code = "training-not-found"


class TrainingAlreadyExists(AlreadyExists):
    code = "training-already-exists"


class TrainingNotEnrolled(DomainError):
    code = "training-not-enrolled"


class TrainingStartsLater(DomainError):
    """A training is not started before its start date."""

    code = "training-starts-later"


class TrainingNotInProgress(DomainError):
    code = "training-not-in-progress"


class TrainingEnded(DomainError):
    code = "training-ended"


# --- positioning ---
class PositioningNotFound(NotFound):
    code = "positioning-not-found"


class PositioningAlreadyExists(AlreadyExists):
    code = "positioning-already-exists"


class ActionSessionNotFound(NotFound):
    code = "action-session-not-found"


class ActionSessionNotYetKnown(NotYetKnown):
    """The catalogue replica does not know the session yet but has not read the partners' events of its action
    to their end: it may have been published a moment ago, so the client retries (503, `Retry-After`)."""

    code = "action-session-not-yet-known"


class ActionSessionNotOpen(DomainError):
    code = "action-session-not-open"


class PositioningOverCapacity(Conflict):
    code = "positioning-over-capacity"


class AlreadyPositioned(AlreadyExists):
    code = "already-positioned"


class PositioningNotProposed(DomainError):
    code = "positioning-not-proposed"


class PositioningNotConfirmed(DomainError):
    code = "positioning-not-confirmed"


class ActionSessionNotYetHeld(DomainError):
    code = "action-session-not-yet-held"


class PositioningNotAttended(DomainError):
    code = "positioning-not-attended"


class OutcomeAlreadyRecorded(DomainError):
    code = "outcome-already-recorded"


class PositioningEnded(DomainError):
    code = "positioning-ended"
