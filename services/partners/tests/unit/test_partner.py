import pytest

from kernel.testing import given
from partners.domain.errors import InvalidSiret, PartnerAlreadyRegistered
from partners.domain.partner import evolve, initial_state, partner

from ..builders import a_partner_registered, register_partner


def test_registering_a_new_organisation_records_it():
    assert given(partner).when(register_partner()) == [a_partner_registered()]


def test_the_name_is_recorded_without_surrounding_spaces():
    assert given(partner).when(register_partner(name="  Mission locale  ")) == [
        a_partner_registered(name="Mission locale")
    ]


def test_an_organisation_cannot_be_registered_twice():
    with pytest.raises(PartnerAlreadyRegistered):
        given(partner, a_partner_registered()).when(register_partner())


@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007", "732829320000744", "7328293200007A", ""])
def test_a_siret_must_be_fourteen_digits_with_a_valid_checksum(siret):
    with pytest.raises(InvalidSiret) as refused:
        given(partner).when(register_partner(siret=siret))
    assert refused.value.code == "siret-invalid"


def test_evolve_folds_the_registration_into_state():
    state = evolve(initial_state, a_partner_registered(name="Mission locale d'Arras"))
    assert state.registered and state.name == "Mission locale d'Arras"
