"""The person file as a fold: given the events of the four services' topics, the file they make."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from contracts.assessment import (
    Agreement,
    AssessmentKind,
    AssessmentValidated,
    ClosureReason,
    FactorLevel,
    FactorNature,
    NeedDomain,
    ObjectiveStatus,
    OffenceCategory,
    RiskLevel,
    SentenceUpdated,
)
from contracts.ipro import (
    ContractType,
    ExitSituation,
    GoalStatus,
    LeaveKind,
    PositioningAttended,
    PositioningConfirmed,
    PositioningOutcome,
    PositioningWithdrawn,
    ReadinessStatus,
    TrainingDroppedOut,
    WorkRegime,
)
from contracts.programmes import ProgrammeRevised
from kernel.sealing import ERASED_TEXT
from projections.person_file.fold import fold
from projections.person_file.model import (
    ActionKind,
    AssessmentInProgress,
    AssessmentProgress,
    Case,
    CaseStatus,
    Classement,
    ClassementStatus,
    Contract,
    ContractEnd,
    ContractStatus,
    DueItem,
    DueKind,
    ExitOutcome,
    Goal,
    GoalStep,
    Ipro,
    Leave,
    LeaveStatus,
    ObjectiveAction,
    Part,
    PersonFile,
    Plan,
    PlanObjective,
    Positioning,
    PositioningStatus,
    Post,
    ProgrammeEntry,
    ProgrammeStatus,
    Rating,
    Sentence,
    Slot,
    TimelineEntry,
    Training,
    TrainingStatus,
    Upcoming,
    UpcomingKind,
    ValidatedAssessment,
)

from .file_events import (
    ADVISER,
    CPIP,
    DIRECTION,
    DPIP,
    FACILITATOR,
    IPRO_HEAD,
    NOW,
    PARTNER,
    SYSTEM,
    Actor,
    Log,
    paris,
)
from .scenario import (
    AFTER_RELEASE,
    ARRAS,
    PERSON,
    PPR,
    RELEASED_ON,
    a_case_opened,
    a_positioning_proposed,
    a_programme,
    a_quarter_in_arras,
    an_offences_recorded,
    setbacks,
    to_release,
)

IDENTITY, SPIP, PROGRAMMES, IPRO = Part.IDENTITY, Part.SPIP, Part.PROGRAMMES, Part.IPRO
OF_PPR = f"du programme « {PPR} »"
TO_PPR = f"au programme « {PPR} »"
JOB_DATING = "« Job dating » (Avenir Emploi), séance du"
PMSMP = "PMSMP (période de mise en situation en milieu professionnel)"


def told(at: datetime, event_type: str, sentence: str, by: Actor, part: Part, detail: str | None = None):
    return TimelineEntry(
        at=at,
        service=event_type.split(".")[0],
        event_type=event_type,
        sentence=sentence,
        detail=detail,
        actor_role=by.role,
        actor_id=by.id,
        part=part,
    )


def test_three_months_across_the_four_services_make_this_whole_file():
    file = fold(PERSON, a_quarter_in_arras().events, now=NOW)

    assert file == PersonFile(
        subject_id=PERSON,
        identity=None,
        case=Case(
            case_id="case-1",
            establishment=ARRAS,
            admission_date=date(2026, 12, 1),
            referent="cpip-durand",
            status=CaseStatus.OPEN,
            sentence=Sentence(
                short_sentence=False,
                total_length_months=30,
                expected_end_date=date(2029, 5, 31),
                conditional_release_eligibility_date=date(2027, 12, 1),
                offence_categories=[OffenceCategory.THEFT, OffenceCategory.VIOLENCE],
            ),
        ),
        ipro_adviser="cip-leroy",
        assessment=ValidatedAssessment(
            assessment_id="assessment-1",
            kind=AssessmentKind.INITIAL,
            validated_on=date(2026, 12, 18),
            overall_risk_level=RiskLevel.MODERATE,
            priority_axes=[NeedDomain.ATTITUDES, NeedDomain.EDUCATION_EMPLOYMENT],
            education_employment=Rating(
                risk_factor=True, nature=FactorNature.DYNAMIC_STABLE, level=FactorLevel.MODERATE
            ),
        ),
        assessment_in_progress=None,
        plan=Plan(
            plan_id="plan-1",
            version=1,
            adopted_on=date(2026, 12, 21),
            validated=True,
            agreement=Agreement.AGREED,
            review_date=date(2027, 2, 15),
            objectives=[
                PlanObjective(
                    objective_id="objective-1",
                    priority=1,
                    work_axis=NeedDomain.ATTITUDES,
                    description="Travailler sur le passage à l'acte",
                    status=ObjectiveStatus.ACTIVE,
                    actions=[
                        ObjectiveAction(
                            kind=ActionKind.REFERRAL,
                            ref_id="referral-1",
                            title=PPR,
                            status="participating",
                            on=date(2026, 12, 28),
                        )
                    ],
                ),
                PlanObjective(
                    objective_id="objective-2",
                    priority=2,
                    work_axis=NeedDomain.EDUCATION_EMPLOYMENT,
                    description="Accéder à un emploi en détention",
                    status=ObjectiveStatus.ACTIVE,
                    actions=[
                        ObjectiveAction(
                            kind=ActionKind.TRAINING,
                            ref_id="training-1",
                            title="Agent de propreté",
                            status="in_progress",
                            on=date(2027, 1, 5),
                        ),
                        ObjectiveAction(
                            kind=ActionKind.POSITIONING,
                            ref_id="positioning-2",
                            title="Job dating",
                            status="attended",
                            on=date(2027, 2, 10),
                        ),
                        ObjectiveAction(
                            kind=ActionKind.POSITIONING,
                            ref_id="positioning-1",
                            title="Job dating",
                            status="confirmed",
                            on=date(2027, 3, 10),
                        ),
                        ObjectiveAction(
                            kind=ActionKind.WORK,
                            ref_id="affectation-1",
                            title="Agent d'entretien (Service général)",
                            status="active",
                            on=date(2027, 1, 4),
                        ),
                    ],
                ),
            ],
        ),
        programmes=[
            ProgrammeEntry(
                referral_id="referral-1",
                programme_id="ppr",
                programme_code="PPR",
                programme_name=PPR,
                objective_id="objective-1",
                requested_on=date(2026, 12, 28),
                status=ProgrammeStatus.PARTICIPATING,
                consent=True,
                group_id="group-1",
                group_start_date=date(2027, 1, 5),
                group_end_date=date(2027, 3, 2),
                room="Salle 3",
                # Held sessions 1-6 and 8: an excused absence aside, 5 attended (one late) of 6.
                sessions_attended=5,
                sessions_counted=6,
                attendance_rate=0.8333,
            )
        ],
        ipro=Ipro(
            pathway_id="pathway-1",
            establishment=ARRAS,
            opened_on=date(2026, 12, 2),
            synthesis_due_on=date(2026, 12, 9),
            synthesis_written_on=date(2026, 12, 8),
            readiness=ReadinessStatus.READY_TO_WORK,
            classement=Classement(
                status=ClassementStatus.GRANTED,
                requested_on=date(2026, 12, 10),
                cpu_favourable=True,
                regimes=[WorkRegime.SERVICE_GENERAL, WorkRegime.CONCESSION],
                decided_on=date(2026, 12, 17),
            ),
            post=Post(
                affectation_id="affectation-1",
                post="Agent d'entretien",
                workshop="Service général",
                employer=ARRAS,
                regime=WorkRegime.SERVICE_GENERAL,
                schedule=[
                    Slot(weekday=0, starts_at=time(8), ends_at=time(11, 30)),
                    Slot(weekday=3, starts_at=time(8), ends_at=time(11, 30)),
                ],
                starts_on=date(2027, 1, 4),
            ),
            contract=Contract(
                contract_id="contract-1",
                post="Agent d'entretien",
                status=ContractStatus.ACTIVE,
                signed_on=date(2027, 1, 4),
                starts_on=date(2027, 1, 4),
                ends_on=date(2027, 6, 30),
                trial_days=14,
            ),
            trainings=[
                Training(
                    training_id="training-1",
                    title="Agent de propreté",
                    body="AFPA",
                    certification="Titre professionnel APH",
                    starts_on=date(2027, 1, 5),
                    ends_on=date(2027, 3, 27),
                    hours=280,
                    status=TrainingStatus.IN_PROGRESS,
                )
            ],
            positionings=[
                Positioning(
                    positioning_id="positioning-2",
                    action_id="action-1",
                    action_title="Job dating",
                    partner_id="partner-1",
                    partner_name="Avenir Emploi",
                    session_id="action-1-s1",
                    starts_at=paris(2027, 2, 10, 10),
                    ends_at=paris(2027, 2, 10, 12),
                    place="Salle polyvalente",
                    status=PositioningStatus.ATTENDED,
                    outcome=PositioningOutcome.INTERVIEW_OBTAINED,
                ),
                Positioning(
                    positioning_id="positioning-1",
                    action_id="action-1",
                    action_title="Job dating",
                    partner_id="partner-1",
                    partner_name="Avenir Emploi",
                    session_id="action-1-s2",
                    starts_at=paris(2027, 3, 10, 10),
                    ends_at=paris(2027, 3, 10, 12),
                    place="Salle polyvalente",
                    status=PositioningStatus.CONFIRMED,
                ),
            ],
            goals=[
                Goal(
                    goal_id="goal-1",
                    description="Obtenir le titre professionnel d'agent de propreté",
                    status=GoalStatus.ACTIVE,
                    steps=[
                        GoalStep(
                            step_id="step-1",
                            description="S'inscrire à la formation",
                            status=GoalStatus.ACHIEVED,
                        ),
                        GoalStep(step_id="step-2", description="Passer l'examen", status=GoalStatus.ACTIVE),
                    ],
                )
            ],
            france_travail_registered_on=date(2027, 2, 18),
            leaves=[
                Leave(
                    leave_id="leave-1",
                    kind=LeaveKind.PMSMP,
                    starts_on=date(2027, 3, 15),
                    ends_on=date(2027, 3, 19),
                    status=LeaveStatus.APPROVED,
                )
            ],
        ),
        due=[
            # Missed on 15 February and published as such: one item, overdue.
            DueItem(kind=DueKind.PLAN_REVIEW, due_on=date(2027, 2, 15), overdue=True, part=SPIP),
            DueItem(
                kind=DueKind.LEAVE_START, due_on=date(2027, 3, 15), overdue=False, title=PMSMP, part=IPRO
            ),
            DueItem(
                kind=DueKind.TRAINING_END,
                due_on=date(2027, 3, 27),
                overdue=False,
                title="Agent de propreté",
                part=IPRO,
            ),
            DueItem(
                kind=DueKind.CONTRACT_END,
                due_on=date(2027, 6, 30),
                overdue=False,
                title="Agent d'entretien",
                part=IPRO,
            ),
            DueItem(
                kind=DueKind.CONDITIONAL_RELEASE_ELIGIBILITY,
                due_on=date(2027, 12, 1),
                overdue=False,
                part=IDENTITY,
            ),
            DueItem(kind=DueKind.SENTENCE_END, due_on=date(2029, 5, 31), overdue=False, part=IDENTITY),
        ],
        upcoming=[
            # The review session, moved; the seventh session was cancelled and a catch-up added.
            Upcoming(
                kind=UpcomingKind.PROGRAMME_SESSION,
                on=date(2027, 3, 3),
                starts_at=paris(2027, 3, 3, 10),
                ends_at=paris(2027, 3, 3, 12),
                title=f"{PPR}, séance de bilan",
                place="Salle 5",
                part=PROGRAMMES,
            ),
            Upcoming(
                kind=UpcomingKind.PROGRAMME_SESSION,
                on=date(2027, 3, 4),
                starts_at=paris(2027, 3, 4, 14),
                ends_at=paris(2027, 3, 4, 16),
                title=f"{PPR}, séance de rattrapage",
                place="Salle 3",
                part=PROGRAMMES,
            ),
            Upcoming(
                kind=UpcomingKind.PARTNER_SESSION,
                on=date(2027, 3, 10),
                starts_at=paris(2027, 3, 10, 10),
                ends_at=paris(2027, 3, 10, 12),
                title="Job dating (Avenir Emploi)",
                place="Salle polyvalente",
                part=IPRO,
            ),
            Upcoming(
                kind=UpcomingKind.LEAVE,
                on=date(2027, 3, 15),
                ends_on=date(2027, 3, 19),
                title=PMSMP,
                part=IPRO,
            ),
        ],
        timeline=[
            told(
                paris(2026, 12, 2, 9),
                "assessment.case.opened",
                "Prise en charge par le SPIP (CP d'Arras), date d'écrou : 1er décembre 2026",
                CPIP,
                IDENTITY,
            ),
            told(
                paris(2026, 12, 2, 9, 1),
                "assessment.case.referent_assigned",
                "Désignation du CPIP référent",
                DPIP,
                IDENTITY,
            ),
            told(
                paris(2026, 12, 2, 9, 2),
                "ipro.pathway.opened",
                "Ouverture du parcours d'insertion professionnelle le 2 décembre 2026, "
                "synthèse de l'entretien initial attendue le 9 décembre 2026",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2026, 12, 2, 9, 3),
                "ipro.pathway.adviser_assigned",
                "Désignation du conseiller en insertion professionnelle référent",
                IPRO_HEAD,
                IPRO,
            ),
            told(
                paris(2026, 12, 3, 10),
                "assessment.assessment.started",
                "Évaluation initiale commencée",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 3, 10, 1),
                "assessment.assessment.contribution_requested",
                "Contribution de l'équipe pluridisciplinaire demandée pour l'évaluation initiale",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 8, 15),
                "ipro.pathway.synthesis_written",
                "Synthèse de l'entretien socio-professionnel initial rédigée (entretien du 8 décembre 2026)",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2026, 12, 8, 15, 1),
                "ipro.pathway.readiness_changed",
                "Situation face à l'emploi : prêt à travailler",
                ADVISER,
                IPRO,
                detail="Souhaite travailler vite",
            ),
            told(
                paris(2026, 12, 10, 9),
                "ipro.work.classement_requested",
                "Demande de classement au travail le 10 décembre 2026",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2026, 12, 14, 11),
                "assessment.assessment.submitted",
                "Évaluation initiale soumise à la validation du DPIP",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 15, 14),
                "ipro.work.cpu_opinion_recorded",
                "Avis favorable de la CPU sur le classement au travail (15 décembre 2026)",
                DIRECTION,
                IPRO,
                detail="Comportement adapté",
            ),
            told(
                paris(2026, 12, 17, 10),
                "ipro.work.classement_granted",
                "Classement au travail accordé le 17 décembre 2026 : service général, concession",
                DIRECTION,
                IPRO,
            ),
            told(
                paris(2026, 12, 18, 16),
                "assessment.assessment.validated",
                "Évaluation initiale validée le 18 décembre 2026 : risque modéré, axes de travail prioritaires : "
                "attitudes favorables à la délinquance, emploi et formation",
                DPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 21, 10),
                "assessment.plan.adopted",
                "Plan d'accompagnement adopté : 2 objectifs, révision prévue le 15 février 2027",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 21, 10, 1),
                "assessment.plan.agreement_recorded",
                "La personne adhère au plan d'accompagnement",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 9),
                "assessment.plan.validated",
                "Plan d'accompagnement validé par le DPIP (version 1)",
                DPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 9, 1),
                "assessment.interview.scheduled",
                "Convocation : entretien de suivi avec le SPIP le 22 décembre 2026 à 10 h 30 (Bureau SPIP 2)",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 9, 2),
                "assessment.interview.scheduled",
                "Convocation : entretien de suivi avec le SPIP le 5 janvier 2027 à 9 h 00 (Bureau SPIP 2)",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 9, 3),
                "assessment.interview.rescheduled",
                "Entretien avec le SPIP déplacé au 22 décembre 2026 à 10 h 45 (Bureau SPIP 1)",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 9, 4),
                "assessment.interview.cancelled",
                "Entretien avec le SPIP du 5 janvier 2027 à 9 h 00 annulé",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 22, 11),
                "assessment.interview.held",
                "Entretien de suivi avec le SPIP le 22 décembre 2026",
                CPIP,
                SPIP,
            ),
            told(
                paris(2026, 12, 28, 10),
                "programmes.referral.requested",
                f"Orientation vers le programme « {PPR} »",
                CPIP,
                PROGRAMMES,
            ),
            told(
                paris(2026, 12, 28, 10, 1),
                "programmes.referral.found_eligible",
                f"Conditions d'accès {TO_PPR} remplies",
                CPIP,
                PROGRAMMES,
            ),
            told(
                paris(2026, 12, 29, 10),
                "programmes.referral.consent_recorded",
                f"Accord de la personne pour participer {TO_PPR} (29 décembre 2026)",
                CPIP,
                PROGRAMMES,
            ),
            told(
                paris(2026, 12, 30, 9),
                "programmes.referral.enrolled",
                f"Inscription {TO_PPR} (groupe du 5 janvier au 2 mars 2027, Salle 3)",
                CPIP,
                PROGRAMMES,
            ),
            # The group's own records of the two seats taken are not told again.
            told(
                paris(2026, 12, 30, 9, 3),
                "ipro.work.employer_interview_held",
                "Entretien d'embauche pour le poste « Agent d'entretien » (CP d'Arras) le 30 décembre 2026",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2026, 12, 31, 10),
                "ipro.work.affectation_decided",
                "Affectation au poste « Agent d'entretien » (Service général, CP d'Arras) à partir du 4 janvier 2027",
                DIRECTION,
                IPRO,
            ),
            told(
                paris(2027, 1, 4, 8),
                "ipro.work.contract_signed",
                "Contrat d'emploi pénitentiaire (« Agent d'entretien ») signé le 4 janvier 2027, "
                "du 4 janvier au 30 juin 2027, période d'essai de 14 jours",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 1, 4, 8, 1),
                "ipro.training.enrolled",
                "Inscription à la formation « Agent de propreté » (AFPA) du 5 janvier au 27 mars 2027",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 1, 5, 13, 55),
                "programmes.group.started",
                f"Début du groupe {OF_PPR}",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 1, 5, 13, 56),
                "programmes.referral.participation_started",
                f"Début de la participation {TO_PPR}",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 1, 5, 16, 30),
                "programmes.group.attendance_recorded",
                f"Présence : séance n° 1 {OF_PPR} du 5 janvier 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 1, 6, 13, 30),
                "ipro.training.started",
                "Début de la formation « Agent de propreté »",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 1, 6, 13, 31),
                "ipro.pathway.goal_set",
                "Nouvel objectif professionnel (2 étapes)",
                ADVISER,
                IPRO,
                detail="Obtenir le titre professionnel d'agent de propreté",
            ),
            told(
                paris(2027, 1, 6, 13, 32),
                "ipro.pathway.goal_status_changed",
                "Étape d'un objectif professionnel atteinte",
                ADVISER,
                IPRO,
                detail="S'inscrire à la formation",
            ),
            told(
                paris(2027, 1, 12, 16, 30),
                "programmes.group.attendance_recorded",
                f"Présence : séance n° 2 {OF_PPR} du 12 janvier 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 1, 19, 16, 30),
                "programmes.group.attendance_recorded",
                f"Arrivée en retard : séance n° 3 {OF_PPR} du 19 janvier 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 1, 20, 9),
                "ipro.positioning.proposed",
                f"Positionnement sur {JOB_DATING} 10 février 2027 à 10 h 00, Salle polyvalente",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 1, 26, 16, 30),
                "programmes.group.attendance_recorded",
                f"Absence excusée : séance n° 4 {OF_PPR} du 26 janvier 2027",
                FACILITATOR,
                PROGRAMMES,
                detail="Parloir",
            ),
            told(
                paris(2027, 2, 2, 16, 30),
                "programmes.group.attendance_recorded",
                f"Présence : séance n° 5 {OF_PPR} du 2 février 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 2, 9, 16, 30),
                "programmes.group.attendance_recorded",
                f"Absence non excusée : séance n° 6 {OF_PPR} du 9 février 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 2, 10, 12, 30),
                "ipro.positioning.attended",
                f"Participation à {JOB_DATING} 10 février 2027 à 10 h 00, Salle polyvalente",
                PARTNER,
                IPRO,
            ),
            told(
                paris(2027, 2, 10, 12, 31),
                "programmes.group.session_cancelled",
                f"Séance n° 7 {OF_PPR} du 16 février 2027 à 14 h 00 annulée",
                FACILITATOR,
                PROGRAMMES,
                detail="Formation des animateurs",
            ),
            told(
                paris(2027, 2, 11, 9),
                "ipro.positioning.outcome_recorded",
                "Suite donnée à « Job dating » : entretien d'embauche obtenu",
                ADVISER,
                IPRO,
                detail="Entretien chez Propreté Nord",
            ),
            told(
                paris(2027, 2, 11, 9, 1),
                "programmes.group.catch_up_session_added",
                f"Séance de rattrapage {OF_PPR} prévue le 4 mars 2027 à 14 h 00 (Salle 3)",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 2, 15, 10),
                "ipro.positioning.proposed",
                f"Positionnement sur {JOB_DATING} 10 mars 2027 à 10 h 00, Salle polyvalente",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 2, 16, 1),
                "assessment.deadline.missed",
                "Échéance dépassée : révision du plan d'accompagnement attendue le 15 février 2027",
                SYSTEM,
                SPIP,
            ),
            told(
                paris(2027, 2, 16, 11),
                "ipro.positioning.confirmed",
                f"Place confirmée par le partenaire : {JOB_DATING} 10 mars 2027 à 10 h 00, Salle polyvalente",
                PARTNER,
                IPRO,
            ),
            told(
                paris(2027, 2, 18, 10),
                "ipro.pathway.leave_requested",
                "Demande de PMSMP du 15 au 19 mars 2027",
                ADVISER,
                IPRO,
                detail="Découverte du métier chez Propreté Nord",
            ),
            told(
                paris(2027, 2, 18, 10, 1),
                "ipro.pathway.france_travail_registered",
                "Inscription à France Travail le 18 février 2027",
                ADVISER,
                IPRO,
            ),
            told(
                paris(2027, 2, 23, 16, 30),
                "programmes.group.attendance_recorded",
                f"Présence : séance n° 8 {OF_PPR} du 23 février 2027",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 2, 24, 9),
                "programmes.group.session_moved",
                f"Séance de bilan {OF_PPR} déplacée au 3 mars 2027 à 10 h 00 (Salle 5)",
                FACILITATOR,
                PROGRAMMES,
            ),
            told(
                paris(2027, 2, 25, 10),
                "ipro.pathway.leave_decided",
                "PMSMP du 15 au 19 mars 2027 accordée par la direction",
                DIRECTION,
                IPRO,
            ),
        ],
    )


# --- as of an instant -----------------------------------------------------------------------------------


def test_the_file_as_of_an_instant_is_the_fold_of_the_events_that_happened_until_then():
    log = to_release(a_quarter_in_arras())

    # The release's events came after NOW: the file as of NOW is the quarter's, asserted whole above.
    assert fold(PERSON, log.until(NOW), now=NOW) == fold(PERSON, a_quarter_in_arras().events, now=NOW)

    mid_december = paris(2026, 12, 16, 12)
    then = fold(PERSON, log.until(mid_december), now=mid_december)
    assert then.assessment is None
    assert then.assessment_in_progress == AssessmentInProgress(
        assessment_id="assessment-1",
        kind=AssessmentKind.INITIAL,
        status=AssessmentProgress.SUBMITTED,
        started_on=date(2026, 12, 3),
        submitted_on=date(2026, 12, 14),
    )
    assert then.plan is None and then.programmes == []
    assert then.ipro.classement == Classement(
        status=ClassementStatus.REQUESTED, requested_on=date(2026, 12, 10), cpu_favourable=True
    )
    assert then.ipro.post is None and then.ipro.contract is None
    assert (
        then.timeline[-1].sentence
        == "Avis favorable de la CPU sur le classement au travail (15 décembre 2026)"
    )
    assert len(then.timeline) == 11

    april = paris(2027, 4, 10, 12)
    then = fold(PERSON, log.until(april), now=april)
    assert [(p.referral_id, p.status) for p in then.programmes] == [
        ("referral-1", ProgrammeStatus.COMPLETED),
        ("referral-3", ProgrammeStatus.WAITLISTED),
    ]
    assert then.programmes[0].certificate_id == "certificate-1"
    assert then.programmes[1].waiting_since == date(2027, 4, 8)
    assert (then.plan.version, then.plan.validated, then.plan.agreement) == (2, False, None)
    assert then.ipro.contract.status == ContractStatus.ACTIVE
    assert then.assessment_in_progress.status == AssessmentProgress.SUBMITTED
    # Waiting for a group is not a seat in its sessions.
    assert [u.title for u in then.upcoming] == ["Job dating (Avenir Emploi)"]


def test_at_the_release_the_case_and_the_pathway_close_and_nothing_is_due_or_upcoming():
    file = fold(PERSON, to_release(a_quarter_in_arras()).events, now=AFTER_RELEASE)

    assert (file.case.status, file.case.closure_reason, file.case.closed_on) == (
        CaseStatus.CLOSED,
        ClosureReason.RELEASE,
        RELEASED_ON,
    )
    assert file.ipro.closed_on == RELEASED_ON
    assert file.ipro.exit_outcome == ExitOutcome(situation=ExitSituation.JOB, contract_type=ContractType.CDD)
    assert file.ipro.post is None
    assert (file.ipro.contract.status, file.ipro.contract.end_reason) == (
        ContractStatus.ENDED,
        ContractEnd.RELEASE,
    )
    assert file.ipro.goals[0].status == GoalStatus.ABANDONED
    assert [(p.referral_id, p.status) for p in file.programmes] == [
        ("referral-1", ProgrammeStatus.COMPLETED),
        ("referral-3", ProgrammeStatus.WITHDRAWN),
        ("referral-4", ProgrammeStatus.ENDED_ON_RELEASE),
    ]
    assert [(t.status, t.certification_obtained) for t in file.ipro.trainings] == [
        (TrainingStatus.COMPLETED, True),
        (TrainingStatus.DROPPED_OUT, None),
    ]
    assert [p.status for p in file.ipro.positionings] == [
        PositioningStatus.ATTENDED,
        PositioningStatus.NO_SHOW,
        PositioningStatus.CANCELLED,
        PositioningStatus.WITHDRAWN,
    ]
    assert [leave.status for leave in file.ipro.leaves] == [LeaveStatus.DONE, LeaveStatus.REFUSED]
    assert file.due == [] and file.upcoming == []
    assert file.timeline[-1].sentence == (
        "Clôture du parcours IPRO le 30 juin 2027, situation à la sortie : emploi (CDD)"
    )


def test_a_goal_ended_by_the_release_says_so_once_the_persons_texts_are_erased_and_as_written_before():
    """Issue 17: the release's `released` is a code in clear; the goal's description and any reason, sealed with
    the person's key, read as erased. A goal ended before the code said "released" as its reason."""
    log = to_release(a_quarter_in_arras())
    erased = [
        replace(e, payload={**e.payload, "description": ERASED_TEXT, "reason": ERASED_TEXT})
        if e.event_type in ("ipro.pathway.goal_set", "ipro.pathway.goal_status_changed")
        else e
        for e in log.events
    ]
    before = [
        replace(e, payload={k: v for k, v in e.payload.items() if k != "released"} | {"reason": "released"})
        if e.event_type == "ipro.pathway.goal_status_changed" and e.payload.get("released")
        else e
        for e in log.events
    ]

    def goal_ended(events) -> TimelineEntry:
        (entry,) = [
            t
            for t in fold(PERSON, events, now=AFTER_RELEASE).timeline
            if t.event_type == "ipro.pathway.goal_status_changed" and t.actor_role == SYSTEM.role
        ]
        return entry

    assert (goal_ended(erased).sentence, goal_ended(erased).detail) == (
        "Objectif professionnel abandonné à la libération",
        ERASED_TEXT,  # the goal's description, not the code
    )
    assert goal_ended(before).sentence == "Objectif professionnel abandonné à la libération"
    assert goal_ended(log.events).detail == "Obtenir le titre professionnel d'agent de propreté"


def test_a_training_and_a_place_ended_by_the_release_say_so_once_the_persons_texts_are_erased():
    """Issue 17: `released`, a code in clear; their reason ("released", sealed) reads as erased then."""
    log = a_quarter_in_arras()
    log.add(TrainingDroppedOut(training_id="training-1", reason="released", released=True), by=SYSTEM)
    log.add(PositioningWithdrawn(positioning_id="positioning-1", reason="released", released=True), by=SYSTEM)
    erased = [
        replace(e, payload={**e.payload, "reason": ERASED_TEXT}) if e.payload.get("released") else e
        for e in log.events
    ]

    ended = fold(PERSON, erased, now=log.moment).timeline[-2:]

    assert [(t.sentence.split(" : ")[0], t.detail) for t in ended] == [
        ("Fin de la formation « Agent de propreté » à la libération", None),
        ("Positionnement retiré à la libération", None),
    ]


# --- the sentence's offences, recorded apart (ADR 25) -----------------------------------------------------


def test_the_offences_recorded_apart_stay_with_the_sentence_until_recorded_again():
    log = Log()
    log.add(a_case_opened(), at=paris(2026, 12, 2, 9))
    log.add(an_offences_recorded(), at=paris(2026, 12, 2, 9))
    sentence = a_case_opened().sentence.model_copy(update={"total_length_months": 36})
    dates_updated = log.add(SentenceUpdated(case_id="case-1", sentence=sentence))
    log.add(an_offences_recorded(offence_categories=[OffenceCategory.DRUGS]))

    then = fold(PERSON, log.until(dates_updated.occurred_at), now=NOW)
    now = fold(PERSON, log.events, now=NOW)

    assert (then.case.sentence.total_length_months, then.case.sentence.offence_categories) == (
        36,
        [OffenceCategory.THEFT, OffenceCategory.VIOLENCE],
    )
    assert now.case.sentence.offence_categories == [OffenceCategory.DRUGS]
    # Told by the opening and the update they come with: no line of their own.
    assert [t.event_type for t in now.timeline] == [
        "assessment.case.opened",
        "assessment.case.sentence_updated",
    ]


# --- robustness -----------------------------------------------------------------------------------------


def test_event_types_this_reader_does_not_know_are_skipped():
    known = a_quarter_in_arras()
    with_newer = a_quarter_in_arras()
    with_newer.raw("ipro.pathway.mentor_assigned", {"pathway_id": "pathway-1", "mentor": "m-1"})
    with_newer.raw("assessment.case.housing_recorded", {"case_id": "case-1", "housing": "SIAO"})

    assert fold(PERSON, with_newer.events, now=NOW) == fold(PERSON, known.events, now=NOW)


def test_another_participants_seat_and_marks_never_reach_the_file():
    events = a_quarter_in_arras().events
    file = fold(PERSON, events, now=NOW)

    dumped = file.model_dump_json()
    assert "referral-2" not in dumped and "person-2" not in dumped and "Karim" not in dumped
    # Marie's marks only: Karim's would make 5 attended of 7 counted.
    assert (file.programmes[0].sessions_attended, file.programmes[0].sessions_counted) == (5, 6)
    # And the same events hold nothing that is Karim's own: his referral's events are not in them.
    theirs = fold("person-2", events, now=NOW)
    assert theirs == PersonFile(subject_id="person-2")


# --- what is due ----------------------------------------------------------------------------------------


def test_a_missed_deadline_stays_due_until_done_and_goes_with_the_case():
    log = setbacks()
    january = paris(2027, 1, 20, 9)

    due = fold(PERSON, log.until(january), now=january).due

    assert [(d.kind, d.due_on, d.overdue, d.part) for d in due] == [
        (DueKind.IPRO_SYNTHESIS, date(2026, 12, 9), True, IPRO),
        (DueKind.INITIAL_ASSESSMENT, date(2027, 1, 2), True, SPIP),
        (DueKind.CONDITIONAL_RELEASE_ELIGIBILITY, date(2027, 12, 1), False, IDENTITY),
        (DueKind.SENTENCE_END, date(2029, 5, 31), False, IDENTITY),
    ]
    after_closing = fold(PERSON, log.events, now=paris(2027, 4, 11, 9)).due
    assert [d.kind for d in after_closing] == [DueKind.IPRO_SYNTHESIS]  # the pathway is still open


def test_a_validated_assessment_does_the_missed_initial_assessment():
    cut = paris(2027, 1, 20, 9)
    validated = Log(start=cut)
    validated.add(
        AssessmentValidated(
            assessment_id="assessment-1",
            case_id="case-1",
            kind=AssessmentKind.INITIAL,
            validated_on=date(2027, 1, 21),
            overall_risk_level=RiskLevel.LOW,
            priority_axes=[NeedDomain.EDUCATION_EMPLOYMENT],
            education_employment=None,
        ),
        by=DPIP,
        at=paris(2027, 1, 21, 9),
    )

    due = fold(PERSON, setbacks().until(cut) + validated.events, now=paris(2027, 1, 22, 9)).due

    assert [d.kind for d in due] == [
        DueKind.IPRO_SYNTHESIS,
        DueKind.CONDITIONAL_RELEASE_ELIGIBILITY,
        DueKind.SENTENCE_END,
    ]


def test_the_due_ends_of_what_is_under_way_are_overdue_once_past():
    later = paris(2027, 4, 1, 9)
    due = fold(PERSON, a_quarter_in_arras().events, now=later).due

    assert [(d.kind, d.overdue) for d in due if d.part == IPRO] == [
        (DueKind.LEAVE_START, True),  # approved, and not recorded as done
        (DueKind.TRAINING_END, True),  # still in progress
        (DueKind.CONTRACT_END, False),
    ]


# --- the work file through a declassification -------------------------------------------------------------


def test_a_contract_ended_for_inadequacy_then_a_declassification_and_a_post_ended_by_the_release():
    log = setbacks()
    february = paris(2027, 2, 20, 9)

    then = fold(PERSON, log.until(february), now=february).ipro
    assert then.classement == Classement(
        status=ClassementStatus.DECLASSIFIED, requested_on=date(2027, 1, 11), decided_on=date(2027, 2, 12)
    )
    assert then.post is None
    assert (then.contract.status, then.contract.end_reason, then.contract.ended_on) == (
        ContractStatus.ENDED,
        ContractEnd.PROFESSIONAL_INADEQUACY,
        date(2027, 2, 8),
    )
    at_the_end = fold(PERSON, log.events, now=paris(2027, 4, 11, 9))
    assert at_the_end.ipro.classement.regimes == [WorkRegime.SERVICE_GENERAL]
    assert at_the_end.ipro.post is None  # affectation-2 ended with the measure
    assert at_the_end.case.establishment == "CP de Lille-Annœullin"
    assert [(p.status, p.attendance_rate, p.completed) for p in at_the_end.programmes] == [
        (ProgrammeStatus.DROPPED_OUT, None, None),
        (ProgrammeStatus.EXCLUDED, None, None),
        (ProgrammeStatus.NOT_COMPLETED, 0.375, False),
    ]


# --- a long file ------------------------------------------------------------------------------------------


def test_a_file_of_five_hundred_events_folds_every_one_of_them():
    """A person positioned on a partner's session every day for half a year, after the quarter."""
    log = a_quarter_in_arras()
    start = paris(2027, 3, 1, 12)
    for n in range(1, 181):
        starts_at = start + timedelta(days=n)
        log.add(
            a_positioning_proposed(
                positioning_id=f"positioning-x{n}",
                session_id=f"action-1-x{n}",
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
            ),
            by=ADVISER,
            at=starts_at - timedelta(hours=12),
        )
        log.add(PositioningConfirmed(positioning_id=f"positioning-x{n}"), by=PARTNER)
        log.add(
            PositioningAttended(positioning_id=f"positioning-x{n}"),
            by=PARTNER,
            at=starts_at + timedelta(hours=3),
        )
    now = start + timedelta(days=150, hours=13)
    events = log.until(now)  # sessions 1 to 150 attended, the 151st proposed and confirmed
    assert len(events) >= 500

    file = fold(PERSON, events, now=now)

    assert [p.positioning_id for p in file.ipro.positionings[2:]] == [
        f"positioning-x{n}" for n in range(1, 152)
    ]
    assert [p.status for p in file.ipro.positionings[2:]] == [PositioningStatus.ATTENDED] * 150 + [
        PositioningStatus.CONFIRMED
    ]
    assert len(file.timeline) == 53 + 150 * 3 + 2
    assert [(u.kind, u.starts_at) for u in file.upcoming] == [
        (UpcomingKind.PARTNER_SESSION, start + timedelta(days=151))
    ]


def test_a_programme_found_sensitive_later_marks_its_whole_history_sensitive():
    log = a_quarter_in_arras()
    definition = a_programme().definition.model_copy(update={"sensitive": True})
    log.add(ProgrammeRevised(programme_id="ppr", version=2, definition=definition), by=SYSTEM)

    file = fold(PERSON, log.events, now=NOW)

    assert [p.sensitive for p in file.programmes] == [True]
    about_the_programme = [t for t in file.timeline if t.service == "programmes"]
    assert len(about_the_programme) == 16
    assert {t.part for t in about_the_programme} == {Part.PROGRAMMES_SENSITIVE}
    assert {u.part for u in file.upcoming if u.kind == UpcomingKind.PROGRAMME_SESSION} == {
        Part.PROGRAMMES_SENSITIVE
    }


def test_an_interview_the_person_is_convened_to_is_upcoming_until_cancelled_or_held():
    log = a_quarter_in_arras()

    def upcoming_at(hour: int, minute: int) -> list[tuple]:
        cut = paris(2026, 12, 22, hour, minute)
        file = fold(PERSON, log.until(cut), now=cut)
        return [
            (u.starts_at, u.title, u.place, u.part)
            for u in file.upcoming
            if u.kind == UpcomingKind.SPIP_INTERVIEW
        ]

    assert upcoming_at(9, 3) == [
        (paris(2026, 12, 22, 10, 45), "Entretien de suivi", "Bureau SPIP 1", SPIP),  # as moved
        (paris(2027, 1, 5, 9), "Entretien de suivi", "Bureau SPIP 2", SPIP),
    ]
    assert upcoming_at(9, 4) == [(paris(2026, 12, 22, 10, 45), "Entretien de suivi", "Bureau SPIP 1", SPIP)]
    assert upcoming_at(11, 0) == []  # held
