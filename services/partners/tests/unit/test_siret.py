import pytest

from partners.domain.siret import is_valid_siret


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a published example SIRET
        "35600000000048",  # La Poste head office: Luhn holds
        "35600000049837",  # a La Poste establishment: digit sum is a multiple of 5
    ],
)
def test_valid_sirets(siret):
    assert is_valid_siret(siret)


@pytest.mark.parametrize(
    "siret", ["73282932000073", "35600000049838", "１２３４５６７８９０１２３４", "0000000000000a"]
)
def test_invalid_sirets(siret):
    assert not is_valid_siret(siret)
