"""Every shareable event about a person has a French sentence in the file's timeline, and the scenarios tell
each one of them."""

from __future__ import annotations

import re

from contracts import known_events
from projections.person_file.fold import fold
from projections.person_file.folding import APPLY
from projections.person_file.sentences import CONTEXT, CONTEXT_SERVICES, SENTENCES, TOLD_BY_THE_REFERRAL

from .file_events import NOW
from .scenario import (
    AFTER_RELEASE,
    PERSON,
    a_quarter_in_arras,
    an_espace_referral,
    erased,
    setbacks,
    to_release,
)

SERVICES = {"assessment", "programmes", "ipro", "partners"}
SHAREABLE = {cls.event_type for cls in known_events() if cls.service() in SERVICES and not cls.restricted}


def test_every_shareable_event_type_about_a_person_has_a_sentence():
    about_a_person = {
        event_type
        for event_type in SHAREABLE
        if event_type.split(".")[0] not in CONTEXT_SERVICES and event_type not in CONTEXT
    }

    without_a_sentence = about_a_person - set(SENTENCES) - set(TOLD_BY_THE_REFERRAL)

    assert without_a_sentence == set()


def test_the_sentence_table_names_only_shareable_types_the_fold_reads():
    assert set(SENTENCES) <= SHAREABLE
    assert set(SENTENCES) <= set(APPLY)
    assert not set(SENTENCES) & (set(CONTEXT) | set(TOLD_BY_THE_REFERRAL))
    for told_by in TOLD_BY_THE_REFERRAL.values():
        assert set(told_by) <= set(SENTENCES)


def test_the_scenarios_tell_every_type_of_the_table_in_words_without_ids():
    files = [
        fold(PERSON, a_quarter_in_arras().events, now=NOW),
        fold(PERSON, erased(to_release(a_quarter_in_arras())).events, now=AFTER_RELEASE),
        fold(PERSON, an_espace_referral(a_quarter_in_arras()).events, now=NOW),
        fold(PERSON, setbacks().events, now=AFTER_RELEASE),
    ]
    entries = [entry for file in files for entry in file.timeline]

    assert {entry.event_type for entry in entries} == set(SENTENCES)
    ids = re.compile(
        r"\b(person|case|referral|group|plan|objective|pathway|work|training|positioning|leave)-\d"
    )
    for entry in entries:
        assert entry.sentence and entry.sentence[0].isupper(), entry
        assert not ids.search(entry.sentence), entry
        assert "cpip-durand" not in entry.sentence and "cip-leroy" not in entry.sentence, entry
        assert "_" not in entry.sentence, entry  # no enum value left untranslated
