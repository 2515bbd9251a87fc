"""The person file as a pure fold of the events of the four services' shareable topics (issue 14, ADR 18).

`fold(subject, events, now=…)` reads the events concerning the person, and those giving them context (the
programmes, groups, actions and partners the person's own events name), in the order they happened. It keeps
plain dicts while it reads, one handler per event type (`folding/<service>.py`), tells each event about the
person in a French sentence (`sentences/<service>.py`), and builds the pydantic file once at the end
(`folding/built.py`): a file is folded on every read. An event type it does not know is skipped, so a newer
producer never breaks a read; so is an event about someone else (another participant's attendance mark, a
referral of theirs).

`now` only decides what is due, overdue or upcoming: folding the events up to T gives the file as it stood
at T.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from projections.person_file.folding import APPLY
from projections.person_file.folding.built import built
from projections.person_file.folding.state import FileEvent, FileState
from projections.person_file.model import Part, PersonFile
from projections.person_file.sentences import SENTENCES

__all__ = ["FileEvent", "fold"]

# Whether an entry about a referral is sensitive is settled once the file is built (`built`).
PROGRAMME_PARTS = (Part.PROGRAMMES, Part.PROGRAMMES_SENSITIVE)


def fold(subject_id: str, events: Iterable[FileEvent], *, now: datetime) -> PersonFile:
    """The person's file from their events sorted by (occurred_at, seq); `now` (aware) for due and upcoming."""
    state = FileState(subject_id)
    timeline = state.timeline
    for event in events:
        apply = APPLY.get(event.event_type)
        if apply is None:
            continue  # a type this reader does not know yet, or one that is nobody's fact (a call, a proposal)
        part = apply(state, event.payload, event)
        if part is None:
            continue  # context (a programme, a partner...) or someone else's fact
        told = SENTENCES[event.event_type](state, event.payload)
        sentence, detail = told if isinstance(told, tuple) else (told, None)
        entry = {
            "at": event.occurred_at,
            "service": event.event_type.split(".", 1)[0],
            "event_type": event.event_type,
            "sentence": sentence,
            "detail": detail or None,
            "actor_role": event.actor_role,
            "actor_id": event.actor_id,
            "part": part,
        }
        timeline.append(entry)
        if part in PROGRAMME_PARTS:
            state.about_referrals.append((entry, state.told_about))
    return built(state, now)
