"""The person's subject id (issue 17 #5): derived from the incarceration record under the service's secret,
never chosen by a client; a service without the secret does not start."""

import re

import pytest
from pydantic import ValidationError

from assessment.bootstrap import create_app
from assessment.settings import AssessmentSettings
from assessment.subjects import subject_id
from kernel.errors import InfrastructureMisconfigured

SECRET = b"s" * 32
ARRAS = "InSERRE Arras"


def test_an_id_is_short_url_safe_and_says_nothing_of_the_ecrou_number():
    made = subject_id(SECRET, ARRAS, "62041")
    assert re.fullmatch(r"p-[a-z2-7]{26}", made)
    assert "62041" not in made


def test_the_same_incarceration_record_always_gives_the_same_id_however_the_number_is_typed():
    assert subject_id(SECRET, ARRAS, "62041B") == subject_id(SECRET, ARRAS, " 62041b ")


def test_the_same_ecrou_number_in_another_establishment_is_another_person():
    assert subject_id(SECRET, ARRAS, "62041") != subject_id(SECRET, "CD Bapaume", "62041")


def test_the_parts_cannot_be_shifted_across_the_separator():
    assert subject_id(SECRET, "Arras1", "2") != subject_id(SECRET, "Arras", "12")


def test_without_the_secret_nobody_gets_the_same_id():
    assert subject_id(SECRET, ARRAS, "62041") != subject_id(b"t" * 32, ARRAS, "62041")


def test_a_secret_shorter_than_32_bytes_is_refused():
    with pytest.raises(ValueError, match="fewer than 32"):
        subject_id(b"s" * 31, ARRAS, "62041")


def test_a_service_without_the_secret_does_not_start(monkeypatch):
    monkeypatch.delenv("ASSESSMENT_SUBJECT_ID_SECRET", raising=False)
    with pytest.raises(InfrastructureMisconfigured, match="set ASSESSMENT_SUBJECT_ID_SECRET"):
        create_app(AssessmentSettings(database_url="postgresql://unused/unused"))


def test_a_service_with_a_short_secret_does_not_start():
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        AssessmentSettings(database_url="postgresql://unused/unused", subject_id_secret="x" * 31)
