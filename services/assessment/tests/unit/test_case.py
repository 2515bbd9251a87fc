from datetime import timedelta

import pytest

from assessment.domain import case as case_module
from assessment.domain import errors
from assessment.domain.case import case, ensure_open
from assessment.domain.errors import CaseAlreadyOpened, CaseNotFound, DateInTheFuture, DatesOutOfOrder
from assessment.domain.facts import CaseFacts
from contracts.assessment import (
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    ClosureReason,
    OffenceCategory,
    OffencesRecorded,
    ReferentAssigned,
    SentenceUpdated,
)
from kernel.errors import DomainError
from kernel.testing import given

from ..builders import (
    ADMISSION,
    ESTABLISHMENT,
    PERSON,
    SENTENCE_END,
    TODAY,
    a_case_closed,
    a_case_opened,
    a_case_transferred,
    a_referent_assigned,
    a_sentence_updated,
    an_offences_recorded,
    an_updated_sentence,
    assign_referent,
    case_facts,
    close_case,
    days_from_today,
    identity,
    open_case,
    sentence,
    start_assessment,
    transfer_case,
    update_sentence,
)

OPENED = (a_case_opened(), an_offences_recorded())
FOLLOWED = (*OPENED, a_referent_assigned())
TRANSFERRED = (*FOLLOWED, a_case_transferred())
CLOSED = (*FOLLOWED, a_case_closed())

OPEN_HISTORIES = [
    pytest.param(OPENED, id="just opened"),
    pytest.param(FOLLOWED, id="followed by a referent"),
    pytest.param(TRANSFERRED, id="transferred"),
]

COMMANDS_ON_A_CASE = [
    pytest.param(assign_referent(), id="assign a referent"),
    pytest.param(update_sentence(), id="update the sentence"),
    pytest.param(transfer_case(), id="transfer"),
    pytest.param(close_case(), id="close"),
]

THE_DAY_BEFORE_ADMISSION = ADMISSION - timedelta(days=1)
TOMORROW = days_from_today(1)

SENTENCES_OUT_OF_ORDER = [
    pytest.param(
        sentence(expected_end_date=THE_DAY_BEFORE_ADMISSION, conditional_release_eligibility_date=None),
        id="ends before the admission",
    ),
    pytest.param(
        sentence(conditional_release_eligibility_date=THE_DAY_BEFORE_ADMISSION),
        id="eligible before the admission",
    ),
    pytest.param(
        sentence(conditional_release_eligibility_date=SENTENCE_END + timedelta(days=1)),
        id="eligible after the end",
    ),
]


# --- opening ---


def test_a_person_admitted_is_followed_from_the_opening_of_a_case():
    assert given(case).when(open_case()) == [
        CaseOpened(
            case_id="case-1",
            subject_id="person-1",
            identity=identity(),
            establishment=ESTABLISHMENT,
            admission_date=ADMISSION,
            sentence=sentence().dates(),
        ),
        OffencesRecorded(case_id="case-1", offence_categories=[OffenceCategory.THEFT]),
    ]


def test_the_offences_are_recorded_apart_from_the_case_every_service_learns_of():
    """ADR 25: the opening shared with every service says nothing of the offences."""
    opened, offences = given(case).when(open_case())
    assert "offence_categories" not in opened.model_dump()["sentence"]
    assert not opened.restricted and offences.restricted


def test_the_referent_named_at_opening_follows_the_person_from_the_start():
    assert given(case).when(open_case(referent="cpip-1")) == [*OPENED, a_referent_assigned()]
    assert case.fold([*OPENED, a_referent_assigned()]).referent == "cpip-1"


def test_a_case_is_opened_on_the_day_of_the_admission():
    assert given(case).when(open_case(admission_date=TODAY)) == [
        a_case_opened(admission_date=TODAY),
        an_offences_recorded(),
    ]


def test_a_sentence_may_have_no_conditional_release_eligibility_date():
    no_eligibility = sentence(conditional_release_eligibility_date=None)
    assert given(case).when(open_case(sentence=no_eligibility)) == [
        a_case_opened(sentence=no_eligibility),
        an_offences_recorded(),
    ]


@pytest.mark.parametrize(
    "boundary",
    [
        sentence(expected_end_date=ADMISSION, conditional_release_eligibility_date=None),
        sentence(conditional_release_eligibility_date=ADMISSION),
        sentence(conditional_release_eligibility_date=SENTENCE_END),
    ],
    ids=["ends on the admission day", "eligible from the admission", "eligible on the last day"],
)
def test_the_sentence_dates_may_fall_on_the_admission_or_the_end_of_the_sentence(boundary):
    assert given(case).when(open_case(sentence=boundary)) == [
        a_case_opened(sentence=boundary),
        an_offences_recorded(),
    ]


@pytest.mark.parametrize("history", [OPENED, CLOSED], ids=["open", "closed"])
def test_a_case_is_not_opened_twice(history):
    with pytest.raises(CaseAlreadyOpened) as refused:
        given(case, *history).when(open_case())
    assert refused.value.code == "case-already-opened"
    assert refused.value.members == {"existing": "/cases/case-1", "case_id": "case-1"}  # issue 13 #14


def test_an_admission_in_the_future_is_refused():
    with pytest.raises(DateInTheFuture) as refused:
        given(case).when(open_case(admission_date=TOMORROW))
    assert refused.value.code == "date-in-the-future"


@pytest.mark.parametrize("out_of_order", SENTENCES_OUT_OF_ORDER)
def test_a_case_is_not_opened_with_a_sentence_whose_dates_are_out_of_order(out_of_order):
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case).when(open_case(sentence=out_of_order))
    assert refused.value.code == "dates-out-of-order"


# --- referent ---


@pytest.mark.parametrize("history", OPEN_HISTORIES)
def test_a_referent_cpip_is_assigned_to_an_open_case(history):
    assert given(case, *history).when(assign_referent(referent="cpip-2")) == [
        ReferentAssigned(case_id="case-1", referent="cpip-2")
    ]


def test_a_reassignment_replaces_the_referent():
    assert case.fold([*FOLLOWED, a_referent_assigned(referent="cpip-2")]).referent == "cpip-2"


# --- sentence ---


@pytest.mark.parametrize("history", OPEN_HISTORIES)
def test_the_sentence_of_an_open_case_is_updated(history):
    assert given(case, *history).when(update_sentence()) == [
        SentenceUpdated(case_id="case-1", sentence=an_updated_sentence().dates()),
        OffencesRecorded(
            case_id="case-1", offence_categories=[OffenceCategory.THEFT, OffenceCategory.VIOLENCE]
        ),
    ]


def test_an_update_that_keeps_the_offences_records_only_the_dates():
    same_offences = an_updated_sentence(offence_categories=[OffenceCategory.THEFT])
    assert given(case, *FOLLOWED).when(update_sentence(sentence=same_offences)) == [
        a_sentence_updated(sentence=same_offences)
    ]


def test_the_offences_listed_in_another_order_are_the_same_offences():
    history = (
        *FOLLOWED,
        an_offences_recorded(offence_categories=[OffenceCategory.THEFT, OffenceCategory.FRAUD]),
    )
    reordered = an_updated_sentence(offence_categories=[OffenceCategory.FRAUD, OffenceCategory.THEFT])
    assert given(case, *history).when(update_sentence(sentence=reordered)) == [
        a_sentence_updated(sentence=reordered)
    ]


def test_an_update_of_the_offences_alone_records_them_with_the_unchanged_dates():
    other_offences = sentence(offence_categories=[OffenceCategory.DRUGS])
    assert given(case, *FOLLOWED).when(update_sentence(sentence=other_offences)) == [
        a_sentence_updated(sentence=sentence()),
        an_offences_recorded(offence_categories=[OffenceCategory.DRUGS]),
    ]


def test_an_unchanged_sentence_is_recorded_again_as_an_update_of_its_dates():
    """As before the offences moved: confirming the sentence is an update, with nothing restricted to say."""
    assert given(case, *FOLLOWED).when(update_sentence(sentence=sentence())) == [
        a_sentence_updated(sentence=sentence())
    ]


@pytest.mark.parametrize("out_of_order", SENTENCES_OUT_OF_ORDER)
def test_an_updated_sentence_follows_the_same_date_rules_as_on_admission(out_of_order):
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case, *FOLLOWED).when(update_sentence(sentence=out_of_order))
    assert refused.value.code == "dates-out-of-order"


def test_the_updated_sentence_replaces_the_previous_one():
    updated = [
        a_sentence_updated(),
        an_offences_recorded(offence_categories=an_updated_sentence().offence_categories),
    ]
    assert case.fold([*FOLLOWED, *updated]).recorded_sentence() == an_updated_sentence()


def test_the_dates_updated_alone_keep_the_offences_recorded_before():
    state = case.fold([*FOLLOWED, a_sentence_updated()])
    assert state.recorded_sentence() == an_updated_sentence(offence_categories=[OffenceCategory.THEFT])


# --- transfer ---


@pytest.mark.parametrize("history", OPEN_HISTORIES)
def test_a_case_is_transferred_to_another_establishment(history):
    command = transfer_case(establishment="Maison d'arrêt de Lille", transferred_on=days_from_today(-2))
    assert given(case, *history).when(command) == [
        CaseTransferred(
            case_id="case-1", establishment="Maison d'arrêt de Lille", transferred_on=days_from_today(-2)
        )
    ]


def test_a_case_is_transferred_on_the_day_of_the_admission():
    assert given(case, *FOLLOWED).when(transfer_case(transferred_on=ADMISSION)) == [
        a_case_transferred(transferred_on=ADMISSION)
    ]


def test_a_transfer_before_the_admission_is_refused():
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case, *FOLLOWED).when(transfer_case(transferred_on=THE_DAY_BEFORE_ADMISSION))
    assert refused.value.code == "dates-out-of-order"


def test_a_transfer_in_the_future_is_refused():
    with pytest.raises(DateInTheFuture) as refused:
        given(case, *FOLLOWED).when(transfer_case(transferred_on=TOMORROW))
    assert refused.value.code == "date-in-the-future"


def test_the_case_is_followed_in_the_establishment_it_was_transferred_to():
    assert case.fold(TRANSFERRED).establishment == "Centre de détention de Bapaume"


# --- closing ---


@pytest.mark.parametrize("reason", list(ClosureReason))
@pytest.mark.parametrize("history", OPEN_HISTORIES)
def test_a_case_is_closed_on_release_or_at_the_end_of_the_measure(history, reason):
    assert given(case, *history).when(close_case(reason=reason, closed_on=days_from_today(-1))) == [
        CaseClosed(case_id="case-1", reason=reason, closed_on=days_from_today(-1))
    ]


def test_a_case_is_closed_on_the_day_of_the_admission():
    assert given(case, *FOLLOWED).when(close_case(closed_on=ADMISSION)) == [
        a_case_closed(closed_on=ADMISSION)
    ]


def test_a_closing_before_the_admission_is_refused():
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case, *FOLLOWED).when(close_case(closed_on=THE_DAY_BEFORE_ADMISSION))
    assert refused.value.code == "dates-out-of-order"


def test_a_closing_in_the_future_is_refused():
    with pytest.raises(DateInTheFuture) as refused:
        given(case, *FOLLOWED).when(close_case(closed_on=TOMORROW))
    assert refused.value.code == "date-in-the-future"


@pytest.mark.parametrize("command", COMMANDS_ON_A_CASE)
def test_nothing_more_is_recorded_on_a_closed_case(command):
    with pytest.raises(errors.CaseClosed) as refused:
        given(case, *CLOSED).when(command)
    assert refused.value.code == "case-closed"


# --- unknown case, unknown command ---


@pytest.mark.parametrize("command", COMMANDS_ON_A_CASE)
def test_a_case_that_was_never_opened_is_not_found(command):
    with pytest.raises(CaseNotFound) as refused:
        given(case).when(command)
    assert refused.value.code == "case-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(case, *FOLLOWED).when(start_assessment())


# --- state and facts ---


def test_the_state_of_an_open_case():
    state = case.fold(FOLLOWED)
    assert (state.case_id, state.subject_id, state.identity, state.establishment) == (
        "case-1",
        "person-1",
        identity(),
        ESTABLISHMENT,
    )
    assert (state.admission_date, state.recorded_sentence(), state.referent) == (
        ADMISSION,
        sentence(),
        "cpip-1",
    )
    assert state.sentence == sentence().dates()
    assert not state.closed
    assert (state.closed_on, state.closure_reason) == (None, None)


def test_the_state_of_a_closed_case_keeps_when_and_why():
    closed = a_case_closed(reason=ClosureReason.END_OF_MEASURE, closed_on=days_from_today(-1))
    state = case.fold([*FOLLOWED, closed])
    assert state.closed
    assert (state.closed_on, state.closure_reason) == (days_from_today(-1), ClosureReason.END_OF_MEASURE)
    assert state.referent == "cpip-1"


def test_an_open_case_tells_its_dependants_it_is_open_and_when_the_person_was_admitted():
    assert case_module.facts(case.fold(FOLLOWED), validated_assessments=2) == CaseFacts(
        case_id="case-1",
        closed=False,
        admission_date=ADMISSION,
        validated_assessments=2,
        person=PERSON,
        subject_id="person-1",
        establishment=ESTABLISHMENT,
    )


def test_a_closed_case_tells_its_dependants_it_is_closed():
    assert case_module.facts(case.fold(CLOSED), validated_assessments=0) == case_facts(closed=True)


def test_an_open_case_lets_its_dependants_record_things():
    assert ensure_open(case_facts()) is None


def test_a_closed_case_refuses_its_dependants():
    with pytest.raises(errors.CaseClosed) as refused:
        ensure_open(case_facts(closed=True))
    assert refused.value.code == "case-closed"


# --- values the events refuse (blank, oversized) are broken rules, not crashes ---


@pytest.mark.parametrize(
    "history, command",
    [
        pytest.param((), open_case(establishment=""), id="open in no establishment"),
        pytest.param((), open_case(establishment="x" * 201), id="open in an establishment of 201 characters"),
        pytest.param(OPENED, assign_referent(referent=""), id="assign no referent"),
        pytest.param(OPENED, assign_referent(referent="x" * 201), id="assign a referent of 201 characters"),
        pytest.param(OPENED, transfer_case(establishment=""), id="transfer to no establishment"),
    ],
)
def test_a_blank_or_oversized_value_is_refused_as_a_broken_rule(history, command):
    with pytest.raises(DomainError):
        given(case, *history).when(command)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(transfer_case(transferred_on=ADMISSION), id="a transfer"),
        pytest.param(close_case(closed_on=ADMISSION), id="a closing"),
    ],
)
def test_nothing_is_dated_before_the_last_transfer(command):
    history = (*FOLLOWED, a_case_transferred(transferred_on=ADMISSION + timedelta(days=3)))
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case, *history).when(command)
    assert refused.value.code == "dates-out-of-order"


# --- what refusals say (issue 13 #18) ---


def test_a_date_before_the_admission_is_refused_naming_the_person_and_both_days():
    """Issue 13 #18: days as users read them, not ISO dates."""
    with pytest.raises(DatesOutOfOrder) as refused:
        given(case, *FOLLOWED).when(transfer_case(transferred_on=THE_DAY_BEFORE_ADMISSION))
    assert refused.value.message == (
        "the transfer date, Monday 16 November 2026, is before the admission of Jean Pierre Durand "
        "(écrou 62041A), on Tuesday 17 November 2026"
    )


def test_a_closed_case_is_named_with_the_day_it_closed():
    """Issue 13 #18."""
    with pytest.raises(errors.CaseClosed) as refused:
        given(case, *CLOSED).when(assign_referent())
    assert refused.value.message == (
        "the case of Jean Pierre Durand (écrou 62041A) was closed on Friday 27 November 2026: nothing more "
        "can be recorded on it"
    )
