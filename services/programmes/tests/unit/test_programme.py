import pytest

from contracts.programmes import ProgrammeCreated, ProgrammeRevised, ProgrammeWithdrawn
from kernel.errors import InvalidValue
from kernel.testing import given
from programmes.domain import errors
from programmes.domain.programme import facts, programme

from ..builders import (
    a_group_opened,
    a_programme_created,
    a_programme_revised,
    a_programme_withdrawn,
    a_revised_definition,
    create_programme,
    ppr,
    programme_facts,
    request_referral,
    revise_programme,
    withdraw_programme,
)

CREATED = (a_programme_created(),)
REVISED = (*CREATED, a_programme_revised())
WITHDRAWN = (*CREATED, a_programme_withdrawn())
REVISED_THEN_WITHDRAWN = (*REVISED, a_programme_withdrawn())

HISTORIES = {"created": CREATED, "revised": REVISED}
WITHDRAWN_HISTORIES = {"withdrawn": WITHDRAWN, "revised then withdrawn": REVISED_THEN_WITHDRAWN}


def histories(table: dict) -> list:
    return [pytest.param(history, id=name) for name, history in table.items()]


def commands_after_creation() -> list:
    return [pytest.param(revise_programme(), id="revise"), pytest.param(withdraw_programme(), id="withdraw")]


# --- creation ---


def test_a_programme_is_created_in_the_catalogue():
    assert given(programme).when(create_programme()) == [
        ProgrammeCreated(programme_id="programme-1", definition=ppr())
    ]


def test_a_group_of_one_size_is_a_valid_programme():
    definition = ppr(group_min=8, group_max=8)
    assert given(programme).when(create_programme(definition=definition)) == [
        a_programme_created(definition=definition)
    ]


def test_a_programme_whose_minimum_group_size_is_above_its_maximum_is_refused():
    with pytest.raises(errors.GroupSizeMinAboveMax) as refused:
        given(programme).when(create_programme(definition=ppr(group_min=11, group_max=10)))
    assert refused.value.code == "group-size-min-above-max"


@pytest.mark.parametrize("history", histories({**HISTORIES, **WITHDRAWN_HISTORIES}))
def test_a_programme_is_created_once(history):
    """The refusal names the entry that has the code (issue 13 #14)."""
    with pytest.raises(errors.ProgrammeCodeTaken) as refused:
        given(programme, *history).when(create_programme())
    assert refused.value.code == "programme-code-taken"
    existing = programme.fold(history).programme_id
    assert refused.value.members == {"existing": f"/programmes/{existing}", "programme_id": existing}


def test_the_created_programme_is_version_one():
    state = programme.fold(CREATED)
    assert (state.programme_id, state.version, state.definition, state.withdrawn) == (
        "programme-1",
        1,
        ppr(),
        False,
    )


# --- revision ---


def test_a_revision_is_the_next_version_of_the_entry():
    assert given(programme, *CREATED).when(revise_programme()) == [
        ProgrammeRevised(programme_id="programme-1", version=2, definition=a_revised_definition())
    ]


def test_each_revision_adds_one_to_the_version():
    assert given(programme, *REVISED).when(revise_programme(definition=ppr(session_minutes=90))) == [
        a_programme_revised(version=3, definition=ppr(session_minutes=90))
    ]


def test_the_revised_definition_is_the_current_one():
    state = programme.fold(REVISED)
    assert (state.version, state.definition) == (2, a_revised_definition())


@pytest.mark.parametrize("history", histories(HISTORIES))
def test_a_programme_keeps_its_code(history):
    with pytest.raises(errors.ProgrammeCodeTaken) as refused:
        given(programme, *history).when(revise_programme(definition=ppr(code="PPR-2")))
    assert refused.value.code == "programme-code-taken"


@pytest.mark.parametrize("history", histories(HISTORIES))
def test_a_revision_whose_minimum_group_size_is_above_its_maximum_is_refused(history):
    with pytest.raises(errors.GroupSizeMinAboveMax) as refused:
        given(programme, *history).when(revise_programme(definition=ppr(group_min=7, group_max=6)))
    assert refused.value.code == "group-size-min-above-max"


@pytest.mark.parametrize("history", histories(HISTORIES))
def test_a_revision_does_not_make_a_programme_sensitive(history):
    """Its groups and referrals went to the shareable topic for good (security review L7): refused, not
    half done."""
    with pytest.raises(errors.ProgrammeSensitivityFixed) as refused:
        given(programme, *history).when(revise_programme(definition=ppr(sensitive=True)))
    assert refused.value.code == "programme-sensitivity-fixed"


def test_a_revision_does_not_make_a_sensitive_programme_ordinary():
    with pytest.raises(errors.ProgrammeSensitivityFixed):
        given(programme, a_programme_created(definition=ppr(sensitive=True))).when(
            revise_programme(definition=ppr(sensitive=False))
        )


def test_a_sensitive_programme_is_revised_as_long_as_it_stays_sensitive():
    assert given(programme, a_programme_created(definition=ppr(sensitive=True))).when(
        revise_programme(definition=ppr(sensitive=True, planned_sessions=9))
    ) == [a_programme_revised(definition=ppr(sensitive=True, planned_sessions=9))]


# --- withdrawal ---


@pytest.mark.parametrize("history", histories(HISTORIES))
def test_a_programme_is_withdrawn_from_the_catalogue_with_a_reason(history):
    assert given(programme, *history).when(withdraw_programme()) == [
        ProgrammeWithdrawn(programme_id="programme-1", reason="Remplacé par une nouvelle version")
    ]


def test_a_withdrawal_without_a_reason_is_an_invalid_value():
    with pytest.raises(InvalidValue) as refused:
        given(programme, *CREATED).when(withdraw_programme(reason=""))
    assert refused.value.code == "value-invalid"


@pytest.mark.parametrize("command", commands_after_creation())
@pytest.mark.parametrize("history", histories(WITHDRAWN_HISTORIES))
def test_nothing_changes_a_withdrawn_programme(history, command):
    with pytest.raises(errors.ProgrammeWithdrawn) as refused:
        given(programme, *history).when(command)
    assert refused.value.code == "programme-withdrawn"


def test_a_withdrawn_programme_keeps_its_last_version():
    state = programme.fold(REVISED_THEN_WITHDRAWN)
    assert (state.withdrawn, state.version, state.definition) == (True, 2, a_revised_definition())


# --- unknown programme, unknown command, facts ---


@pytest.mark.parametrize("command", commands_after_creation())
def test_a_programme_that_was_never_created_is_not_found(command):
    with pytest.raises(errors.ProgrammeNotFound) as refused:
        given(programme).when(command)
    assert refused.value.code == "programme-not-found"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(programme, *CREATED).when(request_referral())


def test_the_facts_a_programme_tells_groups_and_referrals():
    assert facts(programme.fold(CREATED)) == programme_facts()
    assert facts(programme.fold(REVISED_THEN_WITHDRAWN)) == programme_facts(
        version=2, definition=a_revised_definition(), withdrawn=True
    )


def test_events_of_other_aggregates_leave_the_programme_as_it_was():
    assert programme.fold([*CREATED, a_group_opened()]) == programme.fold(CREATED)


# --- what refusals say (issue 13 #18) ---


def test_a_code_already_in_the_catalogue_names_the_entry_that_holds_it():
    """Issue 13 #18: the entry by its code and name; its id stays in the problem's members."""
    with pytest.raises(errors.ProgrammeCodeTaken) as refused:
        given(programme, *REVISED).when(create_programme())
    assert refused.value.message == (
        "the code PPR is already in the catalogue: PPR «Programme de prévention de la récidive»"
    )
    assert refused.value.members["programme_id"] == "programme-1"


def test_a_withdrawn_programme_is_named_by_its_code_and_name():
    """Issue 13 #18."""
    with pytest.raises(errors.ProgrammeWithdrawn) as refused:
        given(programme, *WITHDRAWN).when(revise_programme())
    assert refused.value.message == (
        "PPR «Programme de prévention de la récidive» was withdrawn from the catalogue"
    )
