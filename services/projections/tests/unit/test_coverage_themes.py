"""The coverage's one list of themes (issue 15 item 6): every value the contracts carry for a need or an
offer is mapped, so that a value added to a contract breaks here instead of vanishing from the counts; and
the one restricted type the coverage reads."""

import json
from enum import StrEnum
from pathlib import Path

import pytest

from contracts import known_events
from contracts.assessment import NeedDomain
from contracts.ipro import EducationLevel, ProfileRecorded, ReadinessStatus, WorkRegime
from contracts.partners import ActionType
from projections.coverage import ingest, themes
from projections.coverage.themes import (
    LABELS,
    NeedSource,
    OfferSource,
    Theme,
    label_key,
    need_themes,
    offer_themes,
    programme_themes,
)

CATALOGUE = Path(__file__).parents[3] / "programmes/src/programmes/reference/catalogue.json"

TABLES = [
    (NeedDomain, themes.NEED_DOMAINS),
    (ActionType, themes.ACTION_TYPES),
    (ReadinessStatus, themes.READINESS),
    (EducationLevel, themes.EDUCATION),
    (WorkRegime, themes.WORK_REGIMES),
]


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[enum.__name__ for enum, _ in TABLES])
def test_every_value_of_the_contracts_enumerations_maps_to_a_theme_or_says_no_need(
    enum: type[StrEnum], table: dict
):
    assert set(table) == set(enum), f"{enum.__name__}: map {sorted(set(enum) - set(table))} in themes.py"
    assert all(theme is None or isinstance(theme, Theme) for theme in table.values())


def test_every_theme_has_a_french_label():
    assert set(LABELS) == set(Theme) and all(LABELS.values())


def test_every_theme_label_of_the_shipped_programme_catalogue_is_mapped():
    """Programme themes are free labels (reference data): the catalogue shipped with the programmes service is
    mapped label by label; a new label would count under OTHER, so it must be added here."""
    labels = {label for entry in json.loads(CATALOGUE.read_text()) for label in entry["themes"]}
    assert labels and {label for label in labels if label_key(label) not in themes.PROGRAMME_LABELS} == set()


def test_a_programme_counts_under_each_theme_its_labels_name_and_an_unknown_label_under_other():
    assert programme_themes(["Addictions", " émotions ", "Gestion des conflits"]) == {
        Theme.ADDICTIONS,
        Theme.BEHAVIOUR,
    }
    assert programme_themes(["jardinage"]) == {Theme.OTHER}
    assert programme_themes([]) == {Theme.OTHER}


def test_needs_map_through_their_source():
    assert need_themes(NeedSource.PRIORITY_AXIS, ["alcohol_drugs", "attitudes", "peers"]) == {
        Theme.ADDICTIONS,
        Theme.OFFENDING,
    }
    assert need_themes(NeedSource.READINESS, ["support_declined"]) == frozenset()
    assert need_themes(NeedSource.EDUCATION, ["primary"]) == {Theme.TRAINING}
    assert need_themes(NeedSource.EDUCATION, ["baccalaureate"]) == frozenset()
    assert need_themes(NeedSource.GOAL, []) == {Theme.JOB_SEARCH}
    assert need_themes(NeedSource.WORK_WAITING, ["concession", "service_general"]) == {Theme.EMPLOYMENT}
    assert need_themes(NeedSource.PROGRAMME_WAITING, ["parentalité"]) == {Theme.FAMILY}


def test_a_value_newer_than_this_code_counts_under_other_rather_than_nowhere():
    assert need_themes(NeedSource.PRIORITY_AXIS, ["spirituality"]) == {Theme.OTHER}
    assert offer_themes(OfferSource.ACTION_SESSION, ["juggling"]) == {Theme.OTHER}


def test_offer_maps_through_its_source():
    assert offer_themes(OfferSource.ACTION_SESSION, ["job_search_workshop"]) == {Theme.JOB_SEARCH}
    assert offer_themes(OfferSource.ACTION_SESSION, ["pmsmp"]) == {Theme.EMPLOYMENT}
    assert offer_themes(OfferSource.GROUP, ["passage à l'acte", "victimes"]) == {Theme.OFFENDING}
    assert offer_themes(OfferSource.TRAINING, []) == {Theme.TRAINING}


def test_of_the_restricted_types_the_coverage_reads_only_the_ipro_profile():
    """ADR 25: a named reader of `ipro.restricted` keeps the types it needs and passes over the others."""
    restricted = {cls.event_type for cls in known_events() if cls.restricted}
    assert restricted & ingest.EVENT_TYPES == {ProfileRecorded.event_type}
