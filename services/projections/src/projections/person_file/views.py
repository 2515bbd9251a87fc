"""What each kind of reader may see of a person's file (ARCHITECTURE.md §6, issue 14): pure reductions of the
whole file. Which reading a caller gets is decided elsewhere (`access.py`); here, only what each one keeps.

* SPIP_FULL (the referent CPIP, psychologists and social workers who work with the person): everything but
  ESPACE-like (sensitive) programmes; SPIP_DIRECTOR (DPIP): everything.
* IPRO and DIRECTION: identity, establishment, admission and sentence dates (no offence categories), the
  referent CPIP, the SPIP summary (the latest validated assessment's risk level, priority axes and education
  and employment rating, the plan's education and employment objectives), the whole IPRO part; programmes
  only as busy slots ("Activité SPIP": a programme's name can reveal an offence); a timeline of the identity
  and IPRO parts.
* AUDIT: everything but sensitive programmes, pseudonymised: the identity under the person's pseudonym (the
  kernel's step, `kernel.pseudonyms`, where the answer is rendered), user ids replaced by a stable
  pseudonym, free text that could name someone removed. AUDIT_BREAK_GLASS (an auditor who stated why,
  ADR 31): what the referent CPIP reads, in clear.

Actor ids are shown to SPIP readings only.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from contracts.assessment import NeedDomain
from projections.person_file.model import (
    ActionKind,
    Part,
    PersonFile,
    Plan,
    PlanObjective,
    TimelineEntry,
    Upcoming,
    UpcomingKind,
)

BUSY_SLOT = "Activité SPIP"


class Reading(StrEnum):
    SPIP_FULL = "spip_full"
    SPIP_DIRECTOR = "spip_director"
    IPRO = "ipro"
    DIRECTION = "direction"
    AUDIT = "audit"
    AUDIT_BREAK_GLASS = "audit_break_glass"


def for_reader(file: PersonFile, reading: Reading) -> PersonFile:
    match reading:
        case Reading.SPIP_DIRECTOR:
            return file
        case Reading.SPIP_FULL | Reading.AUDIT_BREAK_GLASS:
            return _without_sensitive(file)
        case Reading.IPRO | Reading.DIRECTION:
            return _professional(_without_sensitive(file))
        case Reading.AUDIT:
            return _pseudonymised(_without_sensitive(file))
    raise ValueError(f"no view of the person file for {reading!r}")


def keeps_whole(reading: Reading, sensitive: bool | None) -> bool:
    """Whether `for_reader` gives this reading the whole file: a DPIP's always, the referent CPIP's when the
    file holds nothing of a sensitive programme (`has_sensitive`; None: not known). Such a reading is answered
    with the kept file's text (`snapshots.LiveFile.answer`) rather than the file validated and rendered again."""
    if sensitive is None:
        return False
    return reading is Reading.SPIP_DIRECTOR or (reading is Reading.SPIP_FULL and not sensitive)


def has_sensitive(file: PersonFile) -> bool:
    """Whether the file holds anything of an ESPACE-like programme: what `_without_sensitive` removes."""
    return _without_sensitive(file) is not file


def pseudonym(user_id: str) -> str:
    """The same user is the same pseudonym in every file, and their id cannot be read back from it."""
    return "acteur-" + hashlib.sha256(user_id.encode()).hexdigest()[:8]


def _without_sensitive(file: PersonFile) -> PersonFile:
    """No trace of an ESPACE-like programme: its referrals, sessions, plan actions and timeline entries. The
    file itself when it holds none (`has_sensitive`)."""
    kept = {
        "programmes": [p for p in file.programmes if not p.sensitive],
        "due": [d for d in file.due if d.part != Part.PROGRAMMES_SENSITIVE],
        "upcoming": [u for u in file.upcoming if u.part != Part.PROGRAMMES_SENSITIVE],
        "timeline": [t for t in file.timeline if t.part != Part.PROGRAMMES_SENSITIVE],
    }
    plan = file.plan and _plan(file.plan, keep=lambda o: True, actions=lambda a: not a.sensitive)
    if plan == file.plan and all(len(items) == len(getattr(file, name)) for name, items in kept.items()):
        return file
    return file.model_copy(update={**kept, "plan": plan})


def _professional(file: PersonFile) -> PersonFile:
    """IPRO's and the direction's reading: the SPIP summary they are entitled to and the IPRO part."""
    case = file.case and file.case.model_copy(
        update={
            "sentence": file.case.sentence.model_copy(
                update={"short_sentence": None, "total_length_months": None, "offence_categories": []}
            )
        }
    )
    plan = file.plan and _plan(
        file.plan,
        keep=lambda o: o.work_axis == NeedDomain.EDUCATION_EMPLOYMENT,
        actions=lambda a: a.kind != ActionKind.REFERRAL,  # a programme's name can reveal an offence
    )
    seen = (Part.IDENTITY, Part.IPRO)
    return file.model_copy(
        update={
            "case": case,
            "assessment_in_progress": None,
            "plan": plan,
            "programmes": [],
            "due": [d for d in file.due if d.part in seen],
            "upcoming": [_busy_slot(u) if u.part == Part.PROGRAMMES else u for u in file.upcoming],
            "timeline": [t.model_copy(update={"actor_id": None}) for t in file.timeline if t.part in seen],
        }
    )


def _busy_slot(item: Upcoming) -> Upcoming:
    return item.model_copy(update={"kind": UpcomingKind.PROGRAMME_SESSION, "title": BUSY_SLOT, "place": ""})


def _pseudonymised(file: PersonFile) -> PersonFile:
    case = file.case and file.case.model_copy(
        update={"referent": file.case.referent and pseudonym(file.case.referent)}
    )
    plan = file.plan and file.plan.model_copy(
        update={"objectives": [o.model_copy(update={"description": None}) for o in file.plan.objectives]}
    )
    ipro = file.ipro and file.ipro.model_copy(
        update={
            "goals": [
                goal.model_copy(
                    update={
                        "description": None,
                        "steps": [step.model_copy(update={"description": None}) for step in goal.steps],
                    }
                )
                for goal in file.ipro.goals
            ]
        }
    )
    return file.model_copy(
        update={
            "case": case,
            "ipro_adviser": file.ipro_adviser and pseudonym(file.ipro_adviser),
            "plan": plan,
            "ipro": ipro,
            "timeline": [_pseudonymous_entry(t) for t in file.timeline],
        }
    )


def _pseudonymous_entry(entry: TimelineEntry) -> TimelineEntry:
    return entry.model_copy(update={"actor_id": entry.actor_id and pseudonym(entry.actor_id), "detail": None})


def _plan(plan: Plan, *, keep, actions) -> Plan:
    objectives: list[PlanObjective] = [
        o.model_copy(update={"actions": [a for a in o.actions if actions(a)]})
        for o in plan.objectives
        if keep(o)
    ]
    return plan.model_copy(update={"objectives": objectives})
