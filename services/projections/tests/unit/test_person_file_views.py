"""What each reading keeps of a person's file (ARCHITECTURE.md §6, issue 14)."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from contracts.assessment import NeedDomain, OffenceCategory
from kernel.pseudonyms import Pseudonyms
from projections.person_file.fold import fold
from projections.person_file.model import ActionKind, Identity, Part, PersonFile, UpcomingKind
from projections.person_file.snapshots import LiveFile
from projections.person_file.views import (
    BUSY_SLOT,
    Reading,
    for_reader,
    has_sensitive,
    keeps_whole,
    pseudonym,
)

from .file_events import NOW
from .scenario import AFTER_RELEASE, PERSON, PPR, a_quarter_in_arras, an_espace_referral, setbacks

ACTORS = {
    "cpip-durand",
    "dpip-martin",
    "cip-leroy",
    "chef-ipro",
    "dir-arras",
    "cpip-animateur",
    "avenir-emploi",
}
FREE_TEXT = [
    "Souhaite travailler vite",
    "Parloir",
    "Travailler sur le passage",
    "Obtenir le titre",
    "S'inscrire",
]


@pytest.fixture(scope="module")
def file() -> PersonFile:
    """Marie's quarter, with an ESPACE-like programme she is enrolled in, and her identity filled in."""
    folded = fold(PERSON, an_espace_referral(a_quarter_in_arras()).events, now=NOW)
    identity = Identity(
        last_name="Lefèvre", first_names="Marie", birth_date=date(1990, 4, 2), ecrou_number="A12345"
    )
    return folded.model_copy(update={"identity": identity})


def sensitive_traces(file: PersonFile) -> list[object]:
    plan_actions = [a for o in file.plan.objectives for a in o.actions] if file.plan else []
    return [
        *[p for p in file.programmes if p.sensitive],
        *[a for a in plan_actions if a.sensitive],
        *[u for u in file.upcoming if u.part == Part.PROGRAMMES_SENSITIVE],
        *[t for t in file.timeline if t.part == Part.PROGRAMMES_SENSITIVE],
    ]


def test_the_whole_file_holds_the_sensitive_programme_for_the_spip_director_only(file):
    assert for_reader(file, Reading.SPIP_DIRECTOR) == file
    assert len(sensitive_traces(file)) == 1 + 1 + 1 + 4  # referral, plan action, session, timeline
    assert "ESPACE" in file.model_dump_json()

    for reading in (Reading.SPIP_FULL, Reading.IPRO, Reading.DIRECTION, Reading.AUDIT):
        seen = for_reader(file, reading)
        assert sensitive_traces(seen) == [], reading
        assert "ESPACE" not in seen.model_dump_json(), reading


@pytest.mark.parametrize(
    "story", [an_espace_referral(a_quarter_in_arras()), a_quarter_in_arras(), setbacks()]
)
def test_a_reading_is_answered_from_the_kept_text_only_when_for_reader_gives_it_the_whole_file(story):
    """`keeps_whole` lets a read answer with the kept text: never for a reading `for_reader` would change,
    and always for the DPIP's and the referent CPIP's when it changes nothing (`has_sensitive`). Auditors are
    left out even then: their answer goes through the kernel's pseudonymisation, which reads the model."""
    folded = fold(PERSON, story.events, now=NOW)
    for reading in Reading:
        whole = for_reader(folded, reading) == folded
        if keeps_whole(reading, has_sensitive(folded)):
            assert whole, reading
        elif reading in (Reading.SPIP_DIRECTOR, Reading.SPIP_FULL):
            assert not whole, reading
        assert not keeps_whole(reading, None)  # a file kept before it was noted: never answered from its text
    assert has_sensitive(folded) == (for_reader(folded, Reading.SPIP_FULL) != folded)


def test_the_kept_text_answers_as_the_file_validated_and_rendered_again(file):
    """`LiveFile.answer`: the kept file's JSON with the identity put in front reads the same as the file with
    its identity rendered by its model, with an identity and without."""
    kept = file.model_copy(update={"identity": None}).model_dump_json(exclude={"identity"})
    live = LiveFile(kept, file.case, frozenset(), 1, has_sensitive(file))
    for identity in (file.identity, None):
        rendered = file.model_copy(update={"identity": identity}).model_dump_json()
        assert json.loads(live.answer(identity)) == json.loads(rendered)
    assert live.file == file.model_copy(update={"identity": None})  # and parsed when a reading needs it


def test_the_spip_full_reading_is_everything_else(file):
    seen = for_reader(file, Reading.SPIP_FULL)

    assert seen.identity == file.identity
    assert seen.case == file.case
    assert seen.programmes == [p for p in file.programmes if not p.sensitive]
    assert seen.timeline == [t for t in file.timeline if t.part != Part.PROGRAMMES_SENSITIVE]
    assert {t.actor_id for t in seen.timeline} <= ACTORS | {"reference-data"}


@pytest.mark.parametrize("reading", [Reading.IPRO, Reading.DIRECTION])
def test_ipro_and_the_direction_read_the_ipro_part_and_the_spip_summary_they_are_entitled_to(file, reading):
    seen = for_reader(file, reading)

    assert seen.identity == file.identity
    assert seen.case.sentence.offence_categories == []
    assert seen.case.sentence.expected_end_date == file.case.sentence.expected_end_date
    assert seen.case.sentence.short_sentence is None and seen.case.sentence.total_length_months is None
    assert (seen.case.referent, seen.case.establishment) == ("cpip-durand", file.case.establishment)
    assert seen.assessment == file.assessment  # risk level, priority axes, education and employment rating
    assert seen.assessment_in_progress is None
    assert [o.work_axis for o in seen.plan.objectives] == [NeedDomain.EDUCATION_EMPLOYMENT]
    assert ActionKind.REFERRAL not in {a.kind for a in seen.plan.objectives[0].actions}
    assert seen.ipro == file.ipro and seen.ipro_adviser == file.ipro_adviser
    assert seen.programmes == []
    assert {d.part for d in seen.due} == {Part.IDENTITY, Part.IPRO}
    assert {t.part for t in seen.timeline} == {Part.IDENTITY, Part.IPRO}
    assert {t.actor_id for t in seen.timeline} == {None}
    dumped = seen.model_dump_json()
    assert PPR not in dumped and "PPR" not in dumped
    for category in OffenceCategory:
        assert f'"{category.value}"' not in dumped


@pytest.mark.parametrize("reading", [Reading.IPRO, Reading.DIRECTION])
def test_programme_sessions_are_busy_slots_for_ipro_and_the_direction(file, reading):
    seen = for_reader(file, reading)

    slots = [u for u in seen.upcoming if u.kind == UpcomingKind.PROGRAMME_SESSION]
    assert [(u.starts_at, u.title, u.place) for u in slots] == [
        (u.starts_at, BUSY_SLOT, "")
        for u in file.upcoming
        if u.kind == UpcomingKind.PROGRAMME_SESSION and u.part == Part.PROGRAMMES
    ]
    assert [u for u in seen.upcoming if u.part == Part.IPRO] == [
        u for u in file.upcoming if u.part == Part.IPRO
    ]


def test_auditors_read_it_pseudonymised(file):
    seen = for_reader(file, Reading.AUDIT)

    # The identity stays for the kernel's step to put under the person's pseudonym (kernel.pseudonyms).
    assert seen.identity == file.identity
    assert seen.case.referent == pseudonym("cpip-durand")
    assert seen.ipro_adviser == pseudonym("cip-leroy")
    assert pseudonym("cpip-durand") == "acteur-" + hashlib.sha256(b"cpip-durand").hexdigest()[:8]
    assert [t.actor_id for t in seen.timeline] == [
        pseudonym(t.actor_id) for t in file.timeline if t.part != Part.PROGRAMMES_SENSITIVE
    ]
    assert [t.sentence for t in seen.timeline] == [
        t.sentence for t in file.timeline if t.part != Part.PROGRAMMES_SENSITIVE
    ]
    assert {t.detail for t in seen.timeline} == {None}
    assert {o.description for o in seen.plan.objectives} == {None}
    assert {g.description for g in seen.ipro.goals} | {s.description for s in seen.ipro.goals[0].steps} == {
        None
    }
    # The facts stay: an audit checks what was decided.
    assert seen.case.sentence.offence_categories == file.case.sentence.offence_categories
    dumped = json.dumps(Pseudonyms(b"k" * 32, frozenset()).disclose(seen.model_dump(mode="json")))
    for user in ACTORS:
        assert user not in dumped
    for text in FREE_TEXT + ["Lefèvre", "A12345"]:
        assert text not in dumped


def test_an_auditor_breaking_the_glass_reads_what_the_referent_reads(file):
    assert for_reader(file, Reading.AUDIT_BREAK_GLASS) == for_reader(file, Reading.SPIP_FULL)


def test_actor_ids_are_shown_to_spip_readings_only(file):
    shown = {reading: {t.actor_id for t in for_reader(file, reading).timeline} for reading in Reading}

    assert shown[Reading.SPIP_DIRECTOR] & ACTORS and shown[Reading.SPIP_FULL] & ACTORS
    for reading in (Reading.IPRO, Reading.DIRECTION, Reading.AUDIT):
        assert not shown[reading] & ACTORS, reading


# --- IPRO's need-to-know content, read from `ipro.restricted` since ADR 25 ----------------------------------

IPRO_DETAILS = {
    "ipro.work.cpu_opinion_recorded": "Comportement adapté",  # Marie's quarter
    "ipro.work.classement_refused": "Incident disciplinaire récent",  # the setbacks
    "ipro.work.declassified": "Refus répétés de travailler",  # recorded apart, told with the declassification
}


@pytest.fixture(scope="module")
def ipro_stories() -> list[PersonFile]:
    return [
        fold(PERSON, a_quarter_in_arras().events, now=NOW),
        fold(PERSON, setbacks().events, now=AFTER_RELEASE),
    ]


@pytest.mark.parametrize(
    "reading", [Reading.SPIP_DIRECTOR, Reading.SPIP_FULL, Reading.IPRO, Reading.DIRECTION]
)
def test_ipro_content_moved_to_restricted_types_is_told_to_the_readings_of_the_ipro_part_as_before(
    ipro_stories, reading
):
    told = [
        (t.event_type, t.detail)
        for file in ipro_stories
        for t in for_reader(file, reading).timeline
        if t.event_type.startswith("ipro.work.")
        and (t.event_type in IPRO_DETAILS or t.event_type.endswith("_reason_recorded"))
    ]
    # One entry each: the declassification's reason is its detail, not an entry of its own.
    assert sorted(told) == sorted(IPRO_DETAILS.items())


def test_ipro_content_moved_to_restricted_types_is_not_told_to_auditors(ipro_stories):
    seen = [for_reader(file, Reading.AUDIT) for file in ipro_stories]
    told = [(t.event_type, t.detail) for file in seen for t in file.timeline if t.event_type in IPRO_DETAILS]
    assert sorted(told) == sorted((event_type, None) for event_type in IPRO_DETAILS)  # the facts, no text
    for text in IPRO_DETAILS.values():
        assert not [file for file in seen if text in file.model_dump_json()]
