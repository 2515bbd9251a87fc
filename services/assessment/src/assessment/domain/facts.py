"""What a decision needs to know of other aggregates, built by the handler from their state (and the read
tables): the case an assessment, a plan, an interview or an ESPACE note is recorded on, and the assessment
a plan is built on. They are `decide`'s third argument, never fields of a command: nothing is recorded on a
closed case stays a pure rule (ADR 9)."""

from datetime import date

from pydantic import BaseModel, ConfigDict

from contracts.assessment import AssessmentKind, NeedDomain


class Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CaseFacts(Facts):
    """What the case's dependants need to know of it, and whose it is, as users know them (`names.person`)."""

    case_id: str
    closed: bool
    admission_date: date
    validated_assessments: int
    person: str = "the person"
    subject_id: str = ""
    establishment: str = ""


class AssessmentFacts(Facts):
    """What a plan needs to know of the assessment it is built on."""

    assessment_id: str
    case_id: str
    validated: bool
    priority_axes: list[NeedDomain]
    kind: AssessmentKind | None = None


class PlanFacts(Facts):
    """The plan's case, and the assessment a new version is built on (adoption and revision only)."""

    case: CaseFacts
    assessment: AssessmentFacts | None = None


class SubjectFacts(Facts):
    """What a correction of the person's identity needs to know of them: whether their data was erased."""

    erased_on: date | None = None
