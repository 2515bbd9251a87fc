"""Test builders with overrides, instead of copy-pasted dictionaries.

Everything is dated relative to `TODAY` (a Friday): the person was admitted ten days before it, their
sentence ends two years after it, with conditional-release eligibility in one year. The case is followed by
the CPIP "cpip-1"; assessments and plans are validated by the DPIP "dpip-1". Defaults agree with each
other: `open_case()` produces `a_case_opened()` and `an_offences_recorded()`, `case_facts()` is what that
case tells its dependants, `a_domain_assessed()` rates the domain `an_assessment_validated()` carries for the
pôle IPRO, the default objectives work on the priority axes of `a_conclusion_recorded()`, and so on. Commands
carry the user's intent only; what a decision knows of the case or of an assessment is in the facts builders
(`case_facts()`, `assessment_facts()`, `plan_facts()`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from assessment.domain.commands import (
    AddContribution,
    AdoptPlan,
    AssessDomain,
    AssignReferent,
    CancelInterview,
    ChangeObjectiveStatus,
    CloseCase,
    OpenCase,
    RecordAgreement,
    RecordConclusion,
    RecordEspaceNote,
    RecordInterview,
    RecordProtectiveFactors,
    RecordReceptivity,
    RequestContribution,
    RescheduleInterview,
    ResubmitAssessment,
    ReturnAssessment,
    RevisePlan,
    ScheduleInterview,
    Sentence,
    StartAssessment,
    SubmitAssessment,
    TransferCase,
    UpdateSentence,
    ValidateAssessment,
    ValidatePlan,
)
from assessment.domain.facts import AssessmentFacts, CaseFacts, PlanFacts
from contracts.assessment import (
    Agreement,
    AssessmentKind,
    AssessmentReturned,
    AssessmentStarted,
    AssessmentSubmitted,
    AssessmentValidated,
    CaseClosed,
    CaseOpened,
    CaseTransferred,
    ClosureReason,
    ConclusionRecorded,
    ContributionAdded,
    ContributionRequested,
    DomainAssessed,
    DomainRating,
    EspaceNoteRecorded,
    FactorLevel,
    FactorNature,
    Identity,
    Intervention,
    InterventionKind,
    InterviewCancelled,
    InterviewHeld,
    InterviewNotesRecorded,
    InterviewRescheduled,
    InterviewScheduled,
    InterviewType,
    MotivationStage,
    NeedDomain,
    Objective,
    ObjectiveStatus,
    ObjectiveStatusChanged,
    OffenceCategory,
    OffencesRecorded,
    PlanAdopted,
    PlanAgreementRecorded,
    PlanValidated,
    ProtectiveFactorsRecorded,
    ReceptivityRecorded,
    ReferentAssigned,
    RiskLevel,
    SentenceUpdated,
    TriggerRecorded,
)
from contracts.assessment import Sentence as SentenceDates

TODAY = date(2026, 11, 27)
ADMISSION = TODAY - timedelta(days=10)
SENTENCE_END = date(2028, 11, 27)
ELIGIBILITY = date(2027, 11, 27)
REFERENT = "cpip-1"
PERSON = "Jean Pierre Durand (écrou 62041A)"  # the default identity, as refusals name the person
VALIDATOR = "dpip-1"
ESTABLISHMENT = "Centre pénitentiaire d'Arras"
EVIDENCE = "Sans emploi depuis 2023, pas de diplôme"
PRIORITY_AXES = (NeedDomain.EDUCATION_EMPLOYMENT, NeedDomain.ALCOHOL_DRUGS)


def days_from_today(days: int) -> date:
    return TODAY + timedelta(days=days)


def _with(values: dict, overrides: dict) -> dict:
    return {**values, **overrides}


# --- case -------------------------------------------------------------------------------------------------


def identity(**overrides) -> Identity:
    values = dict(
        last_name="Durand", first_names="Jean Pierre", birth_date=date(1991, 4, 12), ecrou_number="62041A"
    )
    return Identity(**_with(values, overrides))


def sentence(**overrides) -> Sentence:
    """Two years and ten days, from the admission: eligible for conditional release in a year; a theft.
    The SPIP records both; events carry the dates (`a_case_opened`) and the offences
    (`an_offences_recorded`) apart."""
    values = dict(
        short_sentence=False,
        total_length_months=24,
        expected_end_date=SENTENCE_END,
        conditional_release_eligibility_date=ELIGIBILITY,
        offence_categories=[OffenceCategory.THEFT],
    )
    return Sentence(**_with(values, overrides))


def open_case(**overrides) -> OpenCase:
    values = dict(
        case_id="case-1",
        subject_id="person-1",
        identity=identity(),
        establishment=ESTABLISHMENT,
        admission_date=ADMISSION,
        sentence=sentence(),
        today=TODAY,
    )
    return OpenCase(**_with(values, overrides))


def a_case_opened(**overrides) -> CaseOpened:
    values = dict(
        case_id="case-1",
        subject_id="person-1",
        identity=identity(),
        establishment=ESTABLISHMENT,
        admission_date=ADMISSION,
        sentence=sentence(),
    )
    opened = _with(values, overrides)
    return CaseOpened(**{**opened, "sentence": _dates(opened["sentence"])})


def an_offences_recorded(**overrides) -> OffencesRecorded:
    values = dict(case_id="case-1", offence_categories=sentence().offence_categories)
    return OffencesRecorded(**_with(values, overrides))


def _dates(sentence: Sentence | SentenceDates) -> SentenceDates:
    """What the events carry of a sentence the SPIP records: its dates."""
    return sentence.dates() if isinstance(sentence, Sentence) else sentence


def assign_referent(**overrides) -> AssignReferent:
    return AssignReferent(**_with(dict(referent=REFERENT), overrides))


def a_referent_assigned(**overrides) -> ReferentAssigned:
    return ReferentAssigned(**_with(dict(case_id="case-1", referent=REFERENT), overrides))


def an_updated_sentence(**overrides) -> Sentence:
    """The default sentence after a further conviction: six more months."""
    values = dict(
        total_length_months=30,
        expected_end_date=date(2029, 5, 27),
        offence_categories=[OffenceCategory.THEFT, OffenceCategory.VIOLENCE],
    )
    return sentence(**_with(values, overrides))


def update_sentence(**overrides) -> UpdateSentence:
    return UpdateSentence(**_with(dict(sentence=an_updated_sentence()), overrides))


def a_sentence_updated(**overrides) -> SentenceUpdated:
    updated = _with(dict(case_id="case-1", sentence=an_updated_sentence()), overrides)
    return SentenceUpdated(**{**updated, "sentence": _dates(updated["sentence"])})


def transfer_case(**overrides) -> TransferCase:
    values = dict(establishment="Centre de détention de Bapaume", transferred_on=TODAY, today=TODAY)
    return TransferCase(**_with(values, overrides))


def a_case_transferred(**overrides) -> CaseTransferred:
    values = dict(
        case_id="case-1",
        establishment="Centre de détention de Bapaume",
        transferred_on=ADMISSION + timedelta(days=1),
    )
    return CaseTransferred(**_with(values, overrides))


def close_case(**overrides) -> CloseCase:
    return CloseCase(**_with(dict(reason=ClosureReason.RELEASE, closed_on=TODAY, today=TODAY), overrides))


def a_case_closed(**overrides) -> CaseClosed:
    values = dict(case_id="case-1", reason=ClosureReason.RELEASE, closed_on=TODAY)
    return CaseClosed(**_with(values, overrides))


def record_espace_note(**overrides) -> RecordEspaceNote:
    values = dict(note_id="note-1", text="Signalement de la détention")
    return RecordEspaceNote(**_with(values, overrides))


def an_espace_note_recorded(**overrides) -> EspaceNoteRecorded:
    values = dict(case_id="case-1", note_id="note-1", text="Signalement de la détention")
    return EspaceNoteRecorded(**_with(values, overrides))


def case_facts(**overrides) -> CaseFacts:
    """What the default case, open and without any validated assessment, tells its dependants."""
    values = dict(
        case_id="case-1",
        closed=False,
        admission_date=ADMISSION,
        validated_assessments=0,
        person=PERSON,
        subject_id="person-1",
        establishment=ESTABLISHMENT,
    )
    return CaseFacts(**_with(values, overrides))


# --- assessment -------------------------------------------------------------------------------------------


def start_assessment(**overrides) -> StartAssessment:
    values = dict(assessment_id="assessment-1", kind=AssessmentKind.INITIAL, trigger="")
    return StartAssessment(**_with(values, overrides))


def an_assessment_started(**overrides) -> AssessmentStarted:
    values = dict(assessment_id="assessment-1", case_id="case-1", kind=AssessmentKind.INITIAL)
    return AssessmentStarted(**_with(values, overrides))


def a_trigger_recorded(**overrides) -> TriggerRecorded:
    values = dict(assessment_id="assessment-1", trigger="Nouvelle condamnation")
    return TriggerRecorded(**_with(values, overrides))


def a_rating(**overrides) -> DomainRating:
    """Education and employment, a moderate dynamic risk factor."""
    values = dict(
        domain=NeedDomain.EDUCATION_EMPLOYMENT,
        risk_factor=True,
        nature=FactorNature.DYNAMIC_STABLE,
        level=FactorLevel.MODERATE,
    )
    return DomainRating(**_with(values, overrides))


def no_risk_rating(**overrides) -> DomainRating:
    """Housing, not a risk factor."""
    values = dict(domain=NeedDomain.HOUSING, risk_factor=False, nature=None, level=FactorLevel.NONE)
    return DomainRating(**_with(values, overrides))


def assess_domain(**overrides) -> AssessDomain:
    values = dict(rating=a_rating(), evidence=EVIDENCE)
    return AssessDomain(**_with(values, overrides))


def a_domain_assessed(**overrides) -> DomainAssessed:
    values = dict(assessment_id="assessment-1", rating=a_rating(), evidence=EVIDENCE)
    return DomainAssessed(**_with(values, overrides))


def record_protective_factors(**overrides) -> RecordProtectiveFactors:
    values = dict(factors=["Soutien familial", "Projet de formation"])
    return RecordProtectiveFactors(**_with(values, overrides))


def protective_factors_recorded(**overrides) -> ProtectiveFactorsRecorded:
    values = dict(assessment_id="assessment-1", factors=["Soutien familial", "Projet de formation"])
    return ProtectiveFactorsRecorded(**_with(values, overrides))


def record_receptivity(**overrides) -> RecordReceptivity:
    values = dict(motivation_stage=MotivationStage.CONTEMPLATION, literacy_needs="Lecture difficile")
    return RecordReceptivity(**_with(values, overrides))


def a_receptivity_recorded(**overrides) -> ReceptivityRecorded:
    values = dict(
        assessment_id="assessment-1",
        motivation_stage=MotivationStage.CONTEMPLATION,
        literacy_needs="Lecture difficile",
    )
    return ReceptivityRecorded(**_with(values, overrides))


def record_conclusion(**overrides) -> RecordConclusion:
    values = dict(overall_risk_level=RiskLevel.MODERATE, priority_axes=list(PRIORITY_AXES))
    return RecordConclusion(**_with(values, overrides))


def a_conclusion_recorded(**overrides) -> ConclusionRecorded:
    values = dict(
        assessment_id="assessment-1", overall_risk_level=RiskLevel.MODERATE, priority_axes=list(PRIORITY_AXES)
    )
    return ConclusionRecorded(**_with(values, overrides))


def request_contribution(**overrides) -> RequestContribution:
    return RequestContribution(**_with(dict(contributor="psychologue-1"), overrides))


def a_contribution_requested(**overrides) -> ContributionRequested:
    return ContributionRequested(
        **_with(dict(assessment_id="assessment-1", contributor="psychologue-1"), overrides)
    )


def add_contribution(**overrides) -> AddContribution:
    values = dict(
        contribution_id="contribution-1",
        domain=NeedDomain.ALCOHOL_DRUGS,
        text="Consommation d'alcool quotidienne avant l'incarcération",
    )
    return AddContribution(**_with(values, overrides))


def a_contribution_added(**overrides) -> ContributionAdded:
    values = dict(
        assessment_id="assessment-1",
        contribution_id="contribution-1",
        domain=NeedDomain.ALCOHOL_DRUGS,
        text="Consommation d'alcool quotidienne avant l'incarcération",
    )
    return ContributionAdded(**_with(values, overrides))


def submit_assessment(**overrides) -> SubmitAssessment:
    return SubmitAssessment(**_with(dict(submitter=REFERENT), overrides))


def an_assessment_submitted(**overrides) -> AssessmentSubmitted:
    values = dict(assessment_id="assessment-1", case_id="case-1", submitted_by=REFERENT)
    return AssessmentSubmitted(**_with(values, overrides))


def return_assessment(**overrides) -> ReturnAssessment:
    values = dict(comments="Préciser les facteurs de protection")
    return ReturnAssessment(**_with(values, overrides))


def an_assessment_returned(**overrides) -> AssessmentReturned:
    values = dict(assessment_id="assessment-1", comments="Préciser les facteurs de protection")
    return AssessmentReturned(**_with(values, overrides))


def resubmit_assessment(**overrides) -> ResubmitAssessment:
    return ResubmitAssessment(**_with(dict(submitter=REFERENT), overrides))


def validate_assessment(**overrides) -> ValidateAssessment:
    return ValidateAssessment(**_with(dict(validator=VALIDATOR, today=TODAY), overrides))


def an_assessment_validated(**overrides) -> AssessmentValidated:
    values = dict(
        assessment_id="assessment-1",
        case_id="case-1",
        kind=AssessmentKind.INITIAL,
        validated_on=TODAY,
        overall_risk_level=RiskLevel.MODERATE,
        priority_axes=list(PRIORITY_AXES),
        education_employment=a_rating(),
    )
    return AssessmentValidated(**_with(values, overrides))


def assessment_facts(**overrides) -> AssessmentFacts:
    """What a plan knows of the default assessment, validated."""
    values = dict(
        assessment_id="assessment-1",
        case_id="case-1",
        validated=True,
        priority_axes=list(PRIORITY_AXES),
        kind=AssessmentKind.INITIAL,
    )
    return AssessmentFacts(**_with(values, overrides))


def plan_facts(**overrides) -> PlanFacts:
    """What a new version of the default plan knows: its case, after one validated assessment, and that
    assessment."""
    values = dict(case=case_facts(validated_assessments=1), assessment=assessment_facts())
    return PlanFacts(**_with(values, overrides))


# --- plan -------------------------------------------------------------------------------------------------


def an_intervention(**overrides) -> Intervention:
    values = dict(
        kind=InterventionKind.IPRO_ACTION,
        description="Atelier de recherche d'emploi",
        target_date=days_from_today(30),
    )
    return Intervention(**_with(values, overrides))


def an_objective(**overrides) -> Objective:
    """The most urgent objective, on the first priority axis."""
    values = dict(
        objective_id="objective-1",
        priority=1,
        work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
        description="Construire un projet professionnel",
        interventions=[an_intervention()],
    )
    return Objective(**_with(values, overrides))


def another_objective(**overrides) -> Objective:
    """The second objective, on the second priority axis."""
    values = dict(
        objective_id="objective-2",
        priority=2,
        work_axis=NeedDomain.ALCOHOL_DRUGS,
        description="Engager un suivi en addictologie",
        interventions=[
            an_intervention(
                kind=InterventionKind.EXTERNAL_REFERRAL,
                description="Orientation CSAPA",
                target_date=days_from_today(14),
            )
        ],
    )
    return Objective(**_with(values, overrides))


def objectives() -> list[Objective]:
    return [an_objective(), another_objective()]


def adopt_plan(**overrides) -> AdoptPlan:
    values = dict(
        plan_id="plan-1",
        assessment_id="assessment-1",
        objectives=objectives(),
        review_date=days_from_today(180),
        today=TODAY,
    )
    return AdoptPlan(**_with(values, overrides))


def a_plan_adopted(**overrides) -> PlanAdopted:
    values = dict(
        plan_id="plan-1",
        case_id="case-1",
        assessment_id="assessment-1",
        plan_version=1,
        objectives=objectives(),
        review_date=days_from_today(180),
    )
    return PlanAdopted(**_with(values, overrides))


def revise_plan(**overrides) -> RevisePlan:
    """Default: the same objectives, reviewed sooner."""
    values = dict(
        assessment_id="assessment-1", objectives=objectives(), review_date=days_from_today(90), today=TODAY
    )
    return RevisePlan(**_with(values, overrides))


def a_plan_revised(**overrides) -> PlanAdopted:
    """The version `revise_plan()` adopts over the first one."""
    return a_plan_adopted(**_with(dict(plan_version=2, review_date=days_from_today(90)), overrides))


def record_agreement(**overrides) -> RecordAgreement:
    return RecordAgreement(**_with(dict(agreement=Agreement.AGREED), overrides))


def an_agreement_recorded(**overrides) -> PlanAgreementRecorded:
    return PlanAgreementRecorded(**_with(dict(plan_id="plan-1", agreement=Agreement.AGREED), overrides))


def validate_plan(**overrides) -> ValidatePlan:
    return ValidatePlan(**overrides)


def a_plan_validated(**overrides) -> PlanValidated:
    return PlanValidated(**_with(dict(plan_id="plan-1", plan_version=1), overrides))


def change_objective_status(**overrides) -> ChangeObjectiveStatus:
    values = dict(objective_id="objective-1", status=ObjectiveStatus.ACHIEVED, reason="")
    return ChangeObjectiveStatus(**_with(values, overrides))


def an_objective_status_changed(**overrides) -> ObjectiveStatusChanged:
    values = dict(plan_id="plan-1", objective_id="objective-1", status=ObjectiveStatus.ACHIEVED, reason="")
    return ObjectiveStatusChanged(**_with(values, overrides))


# --- interview --------------------------------------------------------------------------------------------


def record_interview(**overrides) -> RecordInterview:
    values = dict(
        interview_id="interview-1",
        held_on=TODAY,
        interview_type=InterviewType.FOLLOW_UP,
        notes="Point sur la formation",
        confidential=False,
        today=TODAY,
    )
    return RecordInterview(**_with(values, overrides))


def an_interview_held(**overrides) -> InterviewHeld:
    values = dict(
        interview_id="interview-1", case_id="case-1", held_on=TODAY, interview_type=InterviewType.FOLLOW_UP
    )
    return InterviewHeld(**_with(values, overrides))


def interview_notes_recorded(**overrides) -> InterviewNotesRecorded:
    values = dict(interview_id="interview-1", notes="Point sur la formation", confidential=False)
    return InterviewNotesRecorded(**_with(values, overrides))


# --- interview appointment (convocation): on Tuesday 1 December 2026 at 10:00 (Paris), 45 minutes ----------

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=PARIS)  # TODAY, 9:00
APPOINTMENT = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
ROOM = "Bureau SPIP 2"


def schedule_interview(**overrides) -> ScheduleInterview:
    values = dict(
        interview_id="interview-1",
        starts_at=APPOINTMENT,
        duration_minutes=45,
        place=ROOM,
        interview_type=InterviewType.FOLLOW_UP,
        officer=REFERENT,
        now=NOW,
    )
    return ScheduleInterview(**_with(values, overrides))


def an_interview_scheduled(**overrides) -> InterviewScheduled:
    values = dict(
        interview_id="interview-1",
        case_id="case-1",
        subject_id="person-1",
        establishment=ESTABLISHMENT,
        officer=REFERENT,
        interview_type=InterviewType.FOLLOW_UP,
        starts_at=APPOINTMENT,
        ends_at=APPOINTMENT + timedelta(minutes=45),
        place=ROOM,
    )
    return InterviewScheduled(**_with(values, overrides))


def reschedule_interview(**overrides) -> RescheduleInterview:
    values = dict(starts_at=APPOINTMENT + timedelta(days=1), place=ROOM, now=NOW)
    return RescheduleInterview(**_with(values, overrides))


def an_interview_rescheduled(**overrides) -> InterviewRescheduled:
    starts_at = overrides.get("starts_at", APPOINTMENT + timedelta(days=1))
    values = dict(
        interview_id="interview-1", starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45), place=ROOM
    )
    return InterviewRescheduled(**_with(values, overrides))


def cancel_interview() -> CancelInterview:
    return CancelInterview()


def an_interview_cancelled(**overrides) -> InterviewCancelled:
    return InterviewCancelled(**_with(dict(interview_id="interview-1"), overrides))
