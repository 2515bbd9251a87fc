import pytest

from assessment.domain.errors import CaseClosed
from assessment.domain.espace import espace, stream_id
from contracts.assessment import EspaceNoteRecorded
from kernel.errors import DomainError
from kernel.testing import given

from ..builders import an_espace_note_recorded, case_facts, record_espace_note


def test_an_espace_note_is_recorded_on_an_open_case():
    command = record_espace_note(note_id="note-7", text="Propos relevés en détention")
    assert given(espace).when(command, case_facts()) == [
        EspaceNoteRecorded(case_id="case-1", note_id="note-7", text="Propos relevés en détention")
    ]


def test_notes_follow_one_another_in_the_file():
    assert given(espace, an_espace_note_recorded()).when(
        record_espace_note(note_id="note-2"), case_facts()
    ) == [an_espace_note_recorded(note_id="note-2")]
    assert espace.fold([an_espace_note_recorded(), an_espace_note_recorded(note_id="note-2")]).notes == 2


def test_an_espace_note_is_restricted_and_kept_apart_from_the_case_stream():
    assert an_espace_note_recorded().restricted
    assert stream_id("case-1") == "espace-case-1"


def test_no_espace_note_is_recorded_on_a_closed_case():
    with pytest.raises(CaseClosed) as refused:
        given(espace).when(record_espace_note(), case_facts(closed=True))
    assert refused.value.code == "case-closed"


@pytest.mark.parametrize("text", ["", "x" * 8001], ids=["empty", "8001 characters"])
def test_an_empty_or_oversized_note_is_refused_as_a_broken_rule(text):
    with pytest.raises(DomainError) as refused:
        given(espace).when(record_espace_note(text=text), case_facts())
    assert refused.value.code == "value-invalid"
