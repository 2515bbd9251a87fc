"""The print-ready French page of a person's file, and the French labels it shows."""

from __future__ import annotations

import typing
from datetime import date
from enum import StrEnum

import pytest

from devinfra.testkit import PSEUDONYM_TEST_SECRET
from kernel.pseudonyms import Pseudonyms
from projections.person_file import french, model
from projections.person_file.fold import fold
from projections.person_file.model import Identity, PersonFile
from projections.person_file.page import render_html
from projections.person_file.views import Reading, for_reader

from .file_events import NOW, paris
from .scenario import PERSON, a_quarter_in_arras

SECTIONS = [
    "Identité",
    "Suivi SPIP",
    "Programmes",
    "Parcours IPRO",
    "Échéances",
    "Prochains rendez-vous",
    "Chronologie",
]
MARIE = Identity(last_name="Lefèvre", first_names="Marie", birth_date=date(1990, 4, 2), ecrou_number="A12345")


@pytest.fixture(scope="module")
def file() -> PersonFile:
    return fold(PERSON, a_quarter_in_arras().events, now=NOW).model_copy(update={"identity": MARIE})


def test_the_page_names_the_person_and_shows_every_section_and_the_timeline_in_french(file):
    page = render_html(file, reader_role="cpip", generated_at=paris(2027, 3, 1, 10, 5))

    assert "<h1>LEFÈVRE Marie – écrou n° A12345</h1>" in page
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page
    assert "Inscription à la formation « Agent de propreté » (AFPA) du 5 janvier au 27 mars 2027" in page
    assert "2 avril 1990" in page  # a date
    assert "10 mars 2027 à 10 h 00" in page  # an instant, in Arras
    assert "en retard" in page  # the plan review
    assert "Programme de prévention de la récidive, séance de bilan" in page
    assert "<dt>Niveau de risque global</dt><dd>modéré</dd>" in page  # a value by its label
    assert "Document généré le 1er mars 2027 à 10 h 05 pour CPIP, confidentiel." in page


def test_attendance_reads_as_french_typography_writes_it(file):
    page = render_html(file, reader_role="cpip", generated_at=NOW)
    one_session = file.model_copy(
        update={
            "programmes": [
                file.programmes[0].model_copy(
                    update={"sessions_attended": 1, "sessions_counted": 1, "attendance_rate": 1.0}
                )
            ]
        }
    )

    assert "<td>5 / 6 séances (83\u00a0%)</td>" in page  # the sign never wraps away from its figure
    assert "<td>1 / 1 séance (100\u00a0%)</td>" in render_html(
        one_session, reader_role="cpip", generated_at=NOW
    )
    assert french.percent(0.5) == "50\u00a0%"


def test_the_page_is_print_ready_and_stands_alone(file):
    page = render_html(file, reader_role="dpip", generated_at=NOW)

    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "@media print" in page and "@page" in page
    for external in ("<link", "<script", "src=", "http://", "https://", "@import"):
        assert external not in page


def test_a_file_without_identity_is_headed_by_its_subject_id(file):
    page = render_html(file.model_copy(update={"identity": None}), reader_role="dpip", generated_at=NOW)

    assert "<h1>Personne person-1</h1>" in page


def test_a_pseudonymised_file_is_headed_by_the_persons_pseudonym(file):
    pseudonyms = Pseudonyms(PSEUDONYM_TEST_SECRET.encode(), frozenset({"auditeur"}))
    seen = PersonFile.model_validate(
        pseudonyms.disclose(for_reader(file, Reading.AUDIT).model_dump(mode="json"))
    )
    page = render_html(seen, reader_role="auditeur", generated_at=NOW)

    assert f"<h1>{pseudonyms.of('person-1')} " in page
    assert "Lefèvre" not in page and "A12345" not in page
    assert "<dt>Date de naissance</dt><dd>non communiquée</dd>" in page
    assert "pour auditeur, confidentiel" in page


def test_free_text_is_escaped(file):
    hostile = "<script>alert('x')</script> & <b>gras</b>"
    objective = file.plan.objectives[0].model_copy(update={"description": hostile})
    entry = file.timeline[0].model_copy(update={"detail": hostile})
    tampered = file.model_copy(
        update={
            "plan": file.plan.model_copy(update={"objectives": [objective, *file.plan.objectives[1:]]}),
            "timeline": [entry, *file.timeline[1:]],
            "identity": MARIE.model_copy(update={"last_name": "<i>Lefèvre</i>"}),
        }
    )

    page = render_html(tampered, reader_role="cpip", generated_at=NOW)

    assert "<script>" not in page and "<b>gras</b>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;" in page


def _enums_of(annotation: object) -> set[type[StrEnum]]:
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return {annotation}
    if isinstance(annotation, type) and issubclass(annotation, model.BaseModel):
        return {e for field in annotation.model_fields.values() for e in _enums_of(field.annotation)}
    return {e for argument in typing.get_args(annotation) for e in _enums_of(argument)}


def test_every_value_the_file_shows_has_a_french_label():
    enums = _enums_of(PersonFile) | set(french.ACTION_STATUS.values())

    for enum in enums:
        assert enum in french.LABELS, enum
        assert set(french.LABELS[enum]) == {member.value for member in enum}, enum


def test_french_dates():
    assert french.day(date(2026, 12, 3)) == "3 décembre 2026"
    assert french.day(date(2027, 3, 1)) == "1er mars 2027"
    assert french.instant(paris(2026, 12, 3, 14)) == "3 décembre 2026 à 14 h 00"
    assert french.instant(paris(2027, 7, 1, 9, 5).astimezone(tz=None)) == "1er juillet 2027 à 9 h 05"
    assert french.period(date(2027, 1, 5), date(2027, 3, 27)) == "du 5 janvier au 27 mars 2027"
    assert french.period(date(2027, 3, 15), date(2027, 3, 19)) == "du 15 au 19 mars 2027"
    assert french.period(date(2026, 12, 1), date(2027, 1, 2)) == "du 1er décembre 2026 au 2 janvier 2027"
    assert french.period(date(2027, 6, 10), date(2027, 6, 10)) == "le 10 juin 2027"
    assert french.period(date(2027, 1, 18), None) == "à partir du 18 janvier 2027"
