"""The case (prise en charge): opened on admission, followed by a referent CPIP, closed on release or at
the end of the measure. Nothing is recorded on a closed case."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from assessment.domain import errors, names
from assessment.domain.commands import (
    AssignReferent,
    CloseCase,
    Command,
    CorrectIdentity,
    LiftLitigationHold,
    OpenCase,
    PlaceLitigationHold,
    Sentence,
    TransferCase,
    UpdateSentence,
)
from assessment.domain.facts import CaseFacts, SubjectFacts
from contracts import Event
from contracts.assessment import (
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    ClosureReason,
    Identity,
    IdentityCorrected,
    LitigationHoldLifted,
    LitigationHoldPlaced,
    OffenceCategory,
    OffencesRecorded,
    ReferentAssigned,
    SentenceUpdated,
)
from contracts.assessment import Sentence as SentenceDates
from kernel.decider import Decider
from kernel.wording import day


class Case(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_id: str | None = None
    subject_id: str | None = None
    identity: Identity | None = None
    establishment: str | None = None
    admission_date: date | None = None
    sentence: SentenceDates | None = None
    offence_categories: list[OffenceCategory] = []
    referent: str | None = None
    closed_on: date | None = None
    closure_reason: ClosureReason | None = None
    last_transfer_on: date | None = None
    # Why a litigation hold suspends the erasure of the person's data; None: no hold.
    hold: str | None = None

    @property
    def closed(self) -> bool:
        return self.closed_on is not None

    def recorded_sentence(self) -> Sentence:
        """The sentence as the SPIP reads it: its dates and its offence categories, recorded apart."""
        return Sentence(**self.sentence.model_dump(), offence_categories=self.offence_categories)


initial_state = Case()


def facts(state: Case, validated_assessments: int) -> CaseFacts:
    """What the case tells the decisions on its dependants; `validated_assessments` comes from the read
    table of assessments."""
    return CaseFacts(
        case_id=state.case_id,
        closed=state.closed,
        admission_date=state.admission_date,
        validated_assessments=validated_assessments,
        person=names.person_of(state.identity),
        subject_id=state.subject_id or "",
        establishment=state.establishment or "",
    )


def ensure_open(case: CaseFacts) -> None:
    """Nothing is recorded on a closed case: the rule every dependant of a case shares."""
    if case.closed:
        raise errors.CaseClosed(f"the case of {case.person} is closed: nothing more can be recorded on it")


def decide(command: Command, state: Case, facts: SubjectFacts | None = None) -> list[Event]:
    if isinstance(command, OpenCase):
        if state.case_id is not None:
            raise errors.CaseAlreadyOpened(
                f"the case of {names.person_of(state.identity)} is already open",
                existing=f"/cases/{command.case_id}",
                case_id=command.case_id,
            )
        if command.admission_date > command.today:
            raise errors.DateInTheFuture(
                f"the admission date, {day(command.admission_date)}, is in the future"
            )
        if command.identity.birth_date >= command.admission_date:
            raise errors.DatesOutOfOrder(
                f"the birth date, {day(command.identity.birth_date)}, is not before the admission, on "
                f"{day(command.admission_date)}"
            )
        _check_sentence(command.sentence, command.admission_date)
        opened = CaseOpened(
            **command.model_dump(exclude={"today", "referent", "sentence"}), sentence=command.sentence.dates()
        )
        # The offences are for the SPIP and programme eligibility; the other services learn the dates (ADR 25).
        offences = OffencesRecorded(
            case_id=command.case_id, offence_categories=command.sentence.offence_categories
        )
        if command.referent is None:
            return [opened, offences]
        return [opened, offences, ReferentAssigned(case_id=command.case_id, referent=command.referent)]
    if state.case_id is None:
        raise errors.CaseNotFound("no such case")
    if isinstance(command, PlaceLitigationHold | LiftLitigationHold):
        return _hold(command, state)  # a closed case too: that is when retention runs
    if isinstance(command, CorrectIdentity):
        return _correct_identity(command, state, facts or SubjectFacts())  # a closed case too
    if state.closed:
        raise errors.CaseClosed(
            f"the case of {names.person_of(state.identity)} was closed on {day(state.closed_on)}: nothing more "
            "can be recorded on it"
        )
    case_id = state.case_id
    match command:
        case AssignReferent():
            return [ReferentAssigned(case_id=case_id, referent=command.referent)]
        case UpdateSentence():
            _check_sentence(command.sentence, state.admission_date)
            updated = SentenceUpdated(case_id=case_id, sentence=command.sentence.dates())
            offences = command.sentence.offence_categories
            if set(offences) == set(state.offence_categories):
                return [updated]
            return [updated, OffencesRecorded(case_id=case_id, offence_categories=offences)]
        case TransferCase():
            _check_on_or_after_admission(command.transferred_on, state, command.today, "transfer")
            return [
                CaseTransferred(
                    case_id=case_id,
                    establishment=command.establishment,
                    transferred_on=command.transferred_on,
                )
            ]
        case CloseCase():
            _check_on_or_after_admission(command.closed_on, state, command.today, "closing")
            return [CaseClosed(case_id=case_id, reason=command.reason, closed_on=command.closed_on)]
    raise TypeError(f"the case aggregate does not handle {type(command).__name__}")


def _hold(command: PlaceLitigationHold | LiftLitigationHold, state: Case) -> list[Event]:
    person = names.person_of(state.identity)
    if isinstance(command, PlaceLitigationHold):
        if state.hold is not None:
            raise errors.LitigationHoldAlreadyPlaced(
                f"the erasure of the data of {person} is already suspended: {state.hold}"
            )
        return [LitigationHoldPlaced(case_id=state.case_id, reason=command.reason)]
    if state.hold is None:
        raise errors.LitigationHoldMissing(f"no litigation hold suspends the erasure of the data of {person}")
    return [LitigationHoldLifted(case_id=state.case_id)]


def _correct_identity(command: CorrectIdentity, state: Case, facts: SubjectFacts) -> list[Event]:
    if facts.erased_on is not None:
        raise errors.PersonErased(
            f"the data of this person was erased on {day(facts.erased_on)}: there is no identity to correct"
        )
    if command.identity == state.identity:
        raise errors.IdentityUnchanged(f"{names.person_of(state.identity)} is already known by this identity")
    if command.identity.birth_date >= state.admission_date:
        raise errors.DatesOutOfOrder(
            f"the birth date, {day(command.identity.birth_date)}, is not before the admission, on "
            f"{day(state.admission_date)}"
        )
    return [IdentityCorrected(case_id=state.case_id, identity=command.identity, reason=command.reason)]


def _check_sentence(sentence: SentenceDates, admission_date: date) -> None:
    if sentence.expected_end_date < admission_date:
        raise errors.DatesOutOfOrder(
            f"the sentence's expected end, {day(sentence.expected_end_date)}, is before the admission, on "
            f"{day(admission_date)}"
        )
    eligibility = sentence.conditional_release_eligibility_date
    if eligibility is not None and not admission_date <= eligibility <= sentence.expected_end_date:
        raise errors.DatesOutOfOrder(
            f"conditional-release eligibility, on {day(eligibility)}, falls between the admission, on "
            f"{day(admission_date)}, and the sentence's expected end, on {day(sentence.expected_end_date)}"
        )


def _check_on_or_after_admission(on: date, state: Case, today: date, what: str) -> None:
    if on < state.admission_date:
        raise errors.DatesOutOfOrder(
            f"the {what} date, {day(on)}, is before the admission of {names.person_of(state.identity)}, on "
            f"{day(state.admission_date)}"
        )
    if state.last_transfer_on is not None and on < state.last_transfer_on:
        raise errors.DatesOutOfOrder(
            f"the {what} date, {day(on)}, is before the last transfer of {names.person_of(state.identity)}, on "
            f"{day(state.last_transfer_on)}"
        )
    if on > today:
        raise errors.DateInTheFuture(f"the {what} date, {day(on)}, is in the future")


def evolve(state: Case, event: Event) -> Case:
    match event:
        case CaseOpened():
            return Case(**event.model_dump())
        case ReferentAssigned():
            return state.model_copy(update={"referent": event.referent})
        case SentenceUpdated():
            return state.model_copy(update={"sentence": event.sentence})
        case OffencesRecorded():
            return state.model_copy(update={"offence_categories": event.offence_categories})
        case CaseTransferred():
            return state.model_copy(
                update={"establishment": event.establishment, "last_transfer_on": event.transferred_on}
            )
        case CaseClosed():
            return state.model_copy(update={"closed_on": event.closed_on, "closure_reason": event.reason})
        case IdentityCorrected():
            return state.model_copy(update={"identity": event.identity})
        case LitigationHoldPlaced():
            return state.model_copy(update={"hold": event.reason})
        case LitigationHoldLifted():
            return state.model_copy(update={"hold": None})
    return state


case = Decider(stream_type="case", initial_state=initial_state, decide=decide, evolve=evolve)
