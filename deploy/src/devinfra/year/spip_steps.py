"""The SPIP's part of a site's year (`devinfra.year.story.SiteYear`): cases, interviews, assessments and plans in the
assessment service; referrals and groups with their attendance in the programmes service; the release and the
programmes service's reaction to it."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from assessment.domain import commands as ac
from assessment.domain.assessment import assessment as assessment_decider
from assessment.domain.case import case as case_decider
from assessment.domain.espace import espace as espace_decider
from assessment.domain.espace import stream_id as espace_stream
from assessment.domain.facts import AssessmentFacts, CaseFacts, PlanFacts
from assessment.domain.interview import interview as interview_decider
from assessment.domain.plan import plan as plan_decider
from contracts import Actor
from contracts.assessment import (
    Agreement,
    AssessmentKind,
    ClosureReason,
    DomainRating,
    FactorLevel,
    Identity,
    Intervention,
    InterventionKind,
    InterviewType,
    MotivationStage,
    NeedDomain,
    Objective,
    ObjectiveStatus,
    OffenceCategory,
    RiskLevel,
)
from contracts.programmes import AttendanceMark, Mark, WeeklyPattern
from devinfra.year.cast import (
    ESTABLISHMENTS,
    EVIDENCE,
    INTERVIEW_NOTES,
    NATURES,
    OBJECTIVES,
    PROGRAMME_SLOTS,
    PROGRAMMES_FOR,
    PROTECTIVE_FACTORS,
    RATINGS_LEVELS,
    GroupRun,
    Person,
)
from kernel.clock import local_date
from programmes.domain import commands as gc
from programmes.domain import schedule
from programmes.domain.facts import Caller, PersonFacts, ReferralFacts
from programmes.domain.group import GroupStatus, placement
from programmes.domain.group import group as group_decider
from programmes.domain.referral import ReferralStatus
from programmes.domain.referral import referral as referral_decider
from programmes.domain.seats import on_close, on_leaving, on_start, seats_to_give
from programmes.replica import RELEASE_REACTION
from programmes.seat_filler import SEAT_FILLER
from programmes.seed import programme_id


class SpipSteps:
    """Steps of the SPIP: they run as methods of `devinfra.year.story.SiteYear`."""

    # --- assessment: the case ---

    def case_facts(self, person: Person) -> CaseFacts:
        state = self.ledger.state("assessment", case_decider, person.case_id)
        return CaseFacts(
            case_id=person.case_id,
            closed=state.closed,
            admission_date=state.admission_date,
            validated_assessments=person.validated,
        )

    def on_case(self, person: Person, command: Any, actor: Actor | None = None, **more):
        return self.ledger.run(
            "assessment",
            case_decider,
            person.case_id,
            command,
            actor=actor or self.one("dpip"),
            at=self.now,
            subject=person.subject_id,
            **more,
        )

    def open_case(self, person: Person) -> None:
        rng = self.rng
        birth = date(self.today.year - rng.randrange(19, 66), rng.randrange(1, 13), rng.randrange(1, 29))
        months = max(1, (person.expected_end - person.admission).days // 30)
        command = ac.OpenCase(
            case_id=person.case_id,
            subject_id=person.subject_id,
            identity=Identity(
                last_name=person.last_name,
                first_names=person.first_names,
                birth_date=birth,
                ecrou_number=self.ecrou_number(person.number),
            ),
            establishment=self.site.name,
            admission_date=person.admission,
            sentence=self.sentence(person, months),
            referent=person.referent,
            today=self.today,
        )
        _, opened = self.on_case(person, command)
        person.opened_at, person.open = self.now, True
        # The IPRO service opens the pathway as it reads the case (its replica's reaction), moments later.
        self.at(self.later(1, 20), self.open_pathway, person, opened)
        self.at(self.after(0.5, 3), self.interview, person, InterviewType.ARRIVAL)
        self.at(self.after(5, 20), self.start_assessment, person, AssessmentKind.INITIAL)
        if person.release_on is not None:
            self.at(self.working_moment(person.release_on, 8.5, 11), self.release, person)
        if rng.random() < 0.12:
            self.at(self.after(30, 200), self.reassign_referent, person)
        if rng.random() < 0.1:
            self.at(self.after(20, 150), self.update_sentence, person)
        if rng.random() < 0.03:
            self.at(self.after(40, 250), self.transfer, person)
        if rng.random() < 0.01:
            self.at(self.after(10, 120), self.espace_note, person)

    def sentence(self, person: Person, months: int) -> ac.Sentence:
        return ac.Sentence(
            short_sentence=person.short_sentence,
            total_length_months=months,
            expected_end_date=person.expected_end,
            conditional_release_eligibility_date=person.conditional,
            offence_categories=person.offences,
        )

    def active(self, person: Person) -> bool:
        return person.open and not person.released

    def reassign_referent(self, person: Person) -> None:
        if self.active(person):
            person.referent = self.one("cpip").subject
            self.on_case(person, ac.AssignReferent(referent=person.referent))

    def update_sentence(self, person: Person) -> None:
        if (
            not self.active(person)
            or person.release_on is not None
            and person.release_on <= self.today + timedelta(days=7)
        ):
            return
        person.offences = sorted({*person.offences, self.pick(list(OffenceCategory))})
        months = max(1, (person.expected_end - person.admission).days // 30)
        self.on_case(person, ac.UpdateSentence(sentence=self.sentence(person, months)), self.cpip(person))

    def transfer(self, person: Person) -> None:
        if not self.active(person):
            return
        elsewhere = self.pick([name for _, name, _ in ESTABLISHMENTS if name != person.establishment])
        person.establishment, person.transferred = elsewhere, True
        self.on_case(
            person, ac.TransferCase(establishment=elsewhere, transferred_on=self.today, today=self.today)
        )

    def espace_note(self, person: Person) -> None:
        if self.active(person):
            self.ledger.run(
                "assessment",
                espace_decider,
                espace_stream(person.case_id),
                ac.RecordEspaceNote(
                    note_id=self.uid(), text="Signalement transmis par le renseignement pénitentiaire."
                ),
                actor=self.one("dpip"),
                at=self.now,
                facts=self.case_facts(person),
                subject=person.subject_id,
            )

    def interview(self, person: Person, kind: InterviewType) -> None:
        """The referent CPIP sees the person (notes mostly recorded, some confidential), then again in a few
        weeks: more often for those who need it (`intensity`)."""
        if not self.active(person):
            return
        interview_id = self.uid()
        self.ledger.run(
            "assessment",
            interview_decider,
            interview_id,
            ac.RecordInterview(
                interview_id=interview_id,
                held_on=self.today,
                interview_type=kind,
                notes=self.pick(INTERVIEW_NOTES) if self.rng.random() < 0.85 else "",
                confidential=self.rng.random() < 0.1,
                today=self.today,
            ),
            actor=self.cpip(person),
            at=self.now,
            facts=self.case_facts(person),
            subject=person.subject_id,
        )
        every = self.rng.uniform(4, 10) / person.intensity
        if self._near_release(person, 40):
            kind = InterviewType.PRE_RELEASE
        else:
            kind = self.pick(
                (
                    InterviewType.FOLLOW_UP,
                    InterviewType.FOLLOW_UP,
                    InterviewType.MOTIVATIONAL,
                    InterviewType.OTHER,
                )
            )
        self.at(self.after(every * 0.8, every * 1.2), self.interview, person, kind)

    def _near_release(self, person: Person, days: int) -> bool:
        return person.release_on is not None and (person.release_on - self.today).days <= days

    # --- assessment: the global assessment and the plan ---

    def on_assessment(self, person: Person, command: Any, actor: Actor) -> Any:
        state, _ = self.ledger.run(
            "assessment",
            assessment_decider,
            person.assessment_id,
            command,
            actor=actor,
            at=self.now,
            facts=self.case_facts(person),
            subject=person.subject_id,
        )
        return state

    def start_assessment(self, person: Person, kind: AssessmentKind) -> None:
        if not self.active(person):
            return
        person.assessment_id = self.uid()
        trigger = "" if kind == AssessmentKind.INITIAL else "Incident en détention et nouvelle condamnation"
        self.on_assessment(
            person,
            ac.StartAssessment(assessment_id=person.assessment_id, kind=kind, trigger=trigger),
            self.cpip(person),
        )
        domains = self.rng.sample(list(NeedDomain), self.rng.randrange(5, 11))
        self.at(self.after(0, 4), self.assess_domains, person, domains)

    def assess_domains(self, person: Person, domains: list[NeedDomain]) -> None:
        if not self.active(person):
            return
        rng, cpip = self.rng, self.cpip(person)
        risks = []
        for domain in domains:
            if rng.random() < 0.5:
                rating = DomainRating(
                    domain=domain,
                    risk_factor=True,
                    nature=self.pick(NATURES),
                    level=self.pick(RATINGS_LEVELS),
                )
                risks.append(domain)
            else:
                rating = DomainRating(domain=domain, risk_factor=False, level=FactorLevel.NONE)
            self.on_assessment(person, ac.AssessDomain(rating=rating, evidence=self.pick(EVIDENCE)), cpip)
        if rng.random() < 0.7:
            factors = rng.sample(PROTECTIVE_FACTORS, rng.randrange(1, 4))
            self.on_assessment(person, ac.RecordProtectiveFactors(factors=factors), cpip)
        if rng.random() < 0.8:
            self.on_assessment(
                person,
                ac.RecordReceptivity(
                    motivation_stage=self.pick(list(MotivationStage)),
                    practical_obstacles="Horaires de travail",
                ),
                cpip,
            )
        axes = (risks or domains)[: rng.randrange(1, 4)]
        person.priority_axes = axes
        if rng.random() < 0.4:
            contributor = self.one(self.pick(("psychologue", "assistant_social")))
            self.on_assessment(person, ac.RequestContribution(contributor=contributor.subject), cpip)
            self.at(self.after(3, 12), self.contribute, person, contributor, axes[0])
            self.at(self.after(14, 20), self.conclude, person)
        else:
            self.at(self.after(2, 10), self.conclude, person)

    def contribute(self, person: Person, contributor: Actor, domain: NeedDomain) -> None:
        if self.active(person):
            text = "Entretien clinique : fragilité narcissique, bonne capacité d'élaboration."
            self.on_assessment(
                person, ac.AddContribution(contribution_id=self.uid(), domain=domain, text=text), contributor
            )

    def conclude(self, person: Person) -> None:
        if not self.active(person):
            return
        person.risk = self.pick((RiskLevel.LOW, RiskLevel.MODERATE, RiskLevel.MODERATE, RiskLevel.HIGH))
        cpip = self.cpip(person)
        self.on_assessment(
            person,
            ac.RecordConclusion(overall_risk_level=person.risk, priority_axes=person.priority_axes),
            cpip,
        )
        self.on_assessment(person, ac.SubmitAssessment(submitter=cpip.subject), cpip)
        if self.rng.random() < 0.2:
            self.at(self.after(2, 8), self.return_assessment, person)
        else:
            self.at(self.after(2, 14), self.validate_assessment, person)

    def return_assessment(self, person: Person) -> None:
        if not self.active(person):
            return
        self.on_assessment(
            person,
            ac.ReturnAssessment(comments="Préciser la situation de logement à la sortie."),
            self.one("dpip"),
        )
        self.at(self.after(2, 7), self.resubmit, person)

    def resubmit(self, person: Person) -> None:
        if not self.active(person):
            return
        cpip = self.cpip(person)
        rating = DomainRating(domain=NeedDomain.HOUSING, risk_factor=False, level=FactorLevel.NONE)
        self.on_assessment(
            person, ac.AssessDomain(rating=rating, evidence="Hébergement chez sa sœur à la sortie."), cpip
        )
        self.on_assessment(person, ac.ResubmitAssessment(submitter=cpip.subject), cpip)
        self.at(self.after(2, 10), self.validate_assessment, person)

    def validate_assessment(self, person: Person) -> None:
        if not self.active(person):
            return
        state = self.on_assessment(
            person,
            ac.ValidateAssessment(validator=self.one("dpip").subject, today=self.today),
            self.one("dpip"),
        )
        person.validated += 1
        facts = AssessmentFacts(
            assessment_id=person.assessment_id,
            case_id=person.case_id,
            validated=True,
            priority_axes=list(state.priority_axes),
            kind=state.kind,
        )
        if person.plan_id is None:
            self.at(self.after(2, 10), self.adopt_plan, person, facts)
        else:
            self.at(self.after(3, 15), self.revise_plan, person, facts)
        stays = person.release_on is None or (person.release_on - self.today).days > 150
        if person.validated == 1 and stays and self.rng.random() < 0.3 * person.intensity:
            self.at(self.after(90, 200), self.start_assessment, person, AssessmentKind.REASSESSMENT)

    def objectives(self, person: Person, axes: list[NeedDomain]) -> list[Objective]:
        objectives = []
        for priority, axis in enumerate(axes, start=1):
            interventions = [
                Intervention(kind=InterventionKind.INDIVIDUAL_WORK, description="Entretiens individuels")
            ]
            if axis in PROGRAMMES_FOR:
                interventions.append(
                    Intervention(kind=InterventionKind.PROGRAMME_REFERRAL, description="Programme collectif")
                )
            if axis == NeedDomain.EDUCATION_EMPLOYMENT:
                interventions.append(
                    Intervention(
                        kind=InterventionKind.IPRO_ACTION, description="Orientation vers le pôle IPRO"
                    )
                )
            objectives.append(
                Objective(
                    objective_id=self.uid(),
                    priority=priority,
                    work_axis=axis,
                    description=OBJECTIVES[axis],
                    interventions=interventions,
                )
            )
        return objectives

    def on_plan(
        self, person: Person, command: Any, actor: Actor, assessment: AssessmentFacts | None = None
    ) -> Any:
        facts = PlanFacts(case=self.case_facts(person), assessment=assessment)
        state, _ = self.ledger.run(
            "assessment",
            plan_decider,
            person.plan_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts,
            subject=person.subject_id,
        )
        return state

    def adopt_plan(self, person: Person, assessment: AssessmentFacts) -> None:
        if not self.active(person):
            return
        person.plan_id = self.uid()
        person.objectives = self.objectives(person, assessment.priority_axes)
        review = self.today + timedelta(days=180)
        self.on_plan(
            person,
            ac.AdoptPlan(
                plan_id=person.plan_id,
                assessment_id=assessment.assessment_id,
                objectives=person.objectives,
                review_date=review,
                today=self.today,
            ),
            self.cpip(person),
            assessment,
        )
        self.at(self.after(0, 5), self.agree_plan, person)

    def revise_plan(self, person: Person, assessment: AssessmentFacts) -> None:
        if not self.active(person):
            return
        person.objectives = self.objectives(person, assessment.priority_axes)
        self.on_plan(
            person,
            ac.RevisePlan(
                assessment_id=assessment.assessment_id,
                objectives=person.objectives,
                review_date=self.today + timedelta(days=180),
                today=self.today,
            ),
            self.cpip(person),
            assessment,
        )
        self.at(self.after(0, 5), self.agree_plan, person)

    def agree_plan(self, person: Person) -> None:
        if not self.active(person):
            return
        agreement = self.rng.choices(list(Agreement), (85, 10, 5))[0]
        self.on_plan(person, ac.RecordAgreement(agreement=agreement), self.cpip(person))
        self.at(self.after(1, 7), self.validate_plan, person)

    def validate_plan(self, person: Person) -> None:
        if not self.active(person):
            return
        self.on_plan(person, ac.ValidatePlan(), self.one("dpip"))
        person.to_refer = []
        for objective in person.objectives:
            codes = [c for c in PROGRAMMES_FOR.get(objective.work_axis, ()) if c in self.offered]
            if codes:
                person.to_refer.append((self.pick(codes), objective.objective_id))
            elif self.rng.random() < 0.5:
                self.at(self.after(60, 200), self.objective_done, person, objective.objective_id)
        if person.referral is None and not person.transferred:
            self.at(self.after(1, 10), self.refer_next, person)

    def objective_done(self, person: Person, objective_id: str, achieved: bool | None = None) -> None:
        if not self.active(person) or person.plan_id is None:
            return
        current = self.ledger.state("assessment", plan_decider, person.plan_id).current
        if not current.validated or objective_id not in {o.objective_id for o in current.objectives}:
            return
        if current.statuses.get(objective_id, ObjectiveStatus.ACTIVE) != ObjectiveStatus.ACTIVE:
            return
        achieved = self.rng.random() < 0.8 if achieved is None else achieved
        status = ObjectiveStatus.ACHIEVED if achieved else ObjectiveStatus.ABANDONED
        reason = "" if achieved else "La personne ne s'est pas saisie de l'accompagnement proposé"
        self.on_plan(
            person,
            ac.ChangeObjectiveStatus(objective_id=objective_id, status=status, reason=reason),
            self.cpip(person),
        )

    # --- programmes: referrals ---

    def person_facts(self, person: Person) -> PersonFacts:
        return PersonFacts(
            case_id=person.case_id,
            subject_id=person.subject_id,
            case_open=True,
            establishment=person.establishment,
            short_sentence=person.short_sentence,
            offence_categories=person.offences,
            overall_risk_level=person.risk,
            plan_objectives=[o.objective_id for o in person.objectives],
        )

    def on_referral(
        self,
        person: Person,
        referral_id: str,
        command: Any,
        actor: Actor,
        *,
        facts: Any = None,
        sensitive: bool = False,
        cause=None,
    ):
        state, pending = self.ledger.run(
            "programmes",
            referral_decider,
            referral_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts,
            subject=person.subject_id,
            restricted=sensitive,
            cause=cause,
        )
        return state, pending

    def on_group(self, run: GroupRun, command: Any, actor: Actor, *, facts: Any = None, cause=None):
        return self.ledger.run(
            "programmes",
            group_decider,
            run.group_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts,
            restricted=run.programme.definition.sensitive,
            cause=cause,
        )

    def group_state(self, group_id: str):
        return self.ledger.state("programmes", group_decider, group_id)

    def referral_state(self, referral_id: str):
        return self.ledger.state("programmes", referral_decider, referral_id)

    def refer_next(self, person: Person) -> None:
        """The CPIP refers the person to the next programme their plan names (one at a time)."""
        if not self.active(person) or person.referral is not None or person.transferred:
            return
        objectives = {o.objective_id for o in person.objectives}
        person.to_refer = [(code, o) for code, o in person.to_refer if o in objectives]
        if not person.to_refer or self._near_release(person, 45):
            return
        code, objective_id = person.to_refer.pop(0)
        programme = self.programmes[programme_id(code)]
        referral_id = self.uid()
        state, _ = self.on_referral(
            person,
            referral_id,
            gc.RequestReferral(
                referral_id=referral_id,
                programme_id=programme.programme_id,
                case_id=person.case_id,
                plan_id=person.plan_id,
                objective_id=objective_id,
            ),
            self.cpip(person),
            facts=ReferralFacts(programme=programme, person=self.person_facts(person)),
        )
        person.referral = referral_id
        if state.status == ReferralStatus.REFUSED:
            if self.rng.random() < 0.5:
                self.at(self.after(1, 6), self.override, person, referral_id)
            else:
                person.referral = None
                self.at(self.after(7, 30), self.refer_next, person)
            return
        self.at(self.after(1, 10), self.consent, person, referral_id)

    def override(self, person: Person, referral_id: str) -> None:
        if not self.active(person):
            return
        self.on_referral(
            person,
            referral_id,
            gc.OverrideEligibility(reason="Indication clinique : la personne en tirera profit"),
            self.one("dpip"),
        )
        self.at(self.after(1, 8), self.consent, person, referral_id)

    def consent(self, person: Person, referral_id: str) -> None:
        if not self.active(person) or not self.referral_state(referral_id).open:
            return
        given = self.rng.random() < 0.9
        self.on_referral(
            person, referral_id, gc.RecordConsent(given=given, today=self.today), self.cpip(person)
        )
        if not given:
            self.on_referral(
                person,
                referral_id,
                gc.Withdraw(reason="La personne ne souhaite pas participer"),
                self.cpip(person),
            )
            person.referral = None
            self.at(self.after(10, 40), self.refer_next, person)
            return
        code = self.programme_code(referral_id)
        self.place(person, self.groups.get(code) or self.plan_group(code), referral_id)

    def programme_code(self, referral_id: str) -> str:
        return self.programmes[self.referral_state(referral_id).programme_id].definition.code

    def place(self, person: Person, group: GroupRun, referral_id: str) -> None:
        """Enrol the person in the group, or put them on its waiting list when it is full (the referral first,
        then the group: the programmes service's order); a long waiting list sends them to the next group."""
        state = self.group_state(group.group_id)
        sensitive = group.programme.definition.sensitive
        cpip = self.cpip(person)
        if state.seats_left:
            self.on_referral(
                person,
                referral_id,
                gc.Enrol(group_id=group.group_id),
                cpip,
                facts=placement(state),
                sensitive=sensitive,
            )
            self.on_group(
                group, gc.EnrolParticipant(referral_id=referral_id, subject_id=person.subject_id), cpip
            )
        elif len(state.waiting) < 3:
            self.on_referral(
                person,
                referral_id,
                gc.Waitlist(group_id=group.group_id),
                cpip,
                facts=placement(state),
                sensitive=sensitive,
            )
            self.on_group(
                group, gc.WaitlistParticipant(referral_id=referral_id, subject_id=person.subject_id), cpip
            )
        else:
            code = group.programme.definition.code
            following = self.groups.get(code)
            if following is None or following is group:
                following = self.plan_group(code)
            self.place(person, following, referral_id)

    # --- programmes: groups ---

    def plan_group(self, code: str) -> GroupRun:
        """A DPIP plans a group of the programme on its weekly slot, starting in three to five weeks (after
        the previous group of the programme ends), and opens it for enrolment."""
        programme = self.programmes[programme_id(code)]
        definition = programme.definition
        weekday, starts_at = PROGRAMME_SLOTS.get(code, (0, time(14, 0)))
        earliest = max(
            self.today + timedelta(days=self.rng.randrange(42, 64)),
            self.next_group_from.get(code, self.today),
        )
        start = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
        count = definition.planned_sessions + (1 if definition.review_session else 0)
        room = f"Salle {sorted(PROGRAMME_SLOTS).index(code) + 1 if code in PROGRAMME_SLOTS else 1}"
        pattern = WeeklyPattern(
            weekday=weekday, starts_at=starts_at, duration_minutes=definition.session_minutes
        )
        facilitators = None
        if self.facilitators_booked_once:
            start, pattern, facilitators = self.free_slot(
                start, pattern, count, room, definition.review_session
            )
        last = start + timedelta(weeks=count - 1)
        end = last + timedelta(days=14)
        self.next_group_from[code] = end + timedelta(days=1)
        if facilitators is None:  # the bench's: a facilitator may be in two groups at once (ADR 33)
            facilitators = [
                a.subject for a in self.rng.sample(self.staff["cpip"], min(2, len(self.staff["cpip"])))
            ]
        run = GroupRun(
            group_id=self.uid(), programme=programme, facilitators=facilitators, last_session_on=last
        )
        dpip = self.one("dpip")
        capacity = definition.group_max
        self.on_group(
            run,
            gc.PlanGroup(
                group_id=run.group_id,
                programme_id=programme.programme_id,
                establishment=self.site.name,
                room=room,
                facilitators=facilitators,
                start_date=start,
                end_date=end,
                pattern=pattern,
                capacity=capacity,
                today=self.today,
            ),
            dpip,
            facts=programme,
        )
        self.on_group(run, gc.OpenGroup(), dpip)
        self.groups[code] = run
        self.running_groups[run.group_id] = run
        self.planned_groups.append(run.group_id)
        self.at(self.moment(start, time(8, 0)), self.start_group, run)
        return run

    # --- programmes: facilitators booked once at a time (the demo's story) ---

    def free_slot(
        self, start: date, pattern: WeeklyPattern, count: int, room: str, review: bool
    ) -> tuple[date, WeeklyPattern, list[str]]:
        """The first week from `start`, and afternoon (the programme's own first, then the other weekdays),
        when a CPIP is free at every session of the group: (its start, its pattern, its facilitator, or both
        CPIPs when both are). The programmes service refuses a facilitator booked in two sessions at once."""
        weekdays = [pattern.weekday, *(d for d in range(5) if d != pattern.weekday)]
        for weeks in itertools.count():
            for weekday in weekdays:
                tried = pattern.model_copy(update={"weekday": weekday})
                begins = start + timedelta(weeks=weeks)
                spans = [
                    (s.starts_at, s.ends_at)
                    for s in schedule.generate("", begins, tried, count, room, review)
                ]
                taken = self.facilitators_taken(spans)
                free = [a.subject for a in self.staff["cpip"] if a.subject not in taken]
                if free:
                    chosen = self.rng.sample(free, min(2, len(free)))
                    return begins + timedelta(days=(weekday - begins.weekday()) % 7), tried, chosen
        raise AssertionError("unreachable: some week is free")

    def facilitators_taken(
        self, spans: list[tuple[datetime, datetime]], moving: str | None = None
    ) -> set[str]:
        """Who facilitates a session, not cancelled, overlapping one of `spans` (the sessions the programmes
        service's table holds, of every group planned); `moving`: a session about to move, left out."""
        taken: set[str] = set()
        for group_id in self.planned_groups:
            state = self.group_state(group_id)
            for held in state.sessions.values():
                session = held.session
                if held.cancelled or session.session_id == moving:
                    continue
                if any(session.starts_at < ends and starts < session.ends_at for starts, ends in spans):
                    taken.update(state.facilitators)
        return taken

    def facilitators_free(
        self, run: GroupRun, starts_at: datetime, ends_at: datetime, moving: str | None = None
    ) -> bool:
        """Whether the group's facilitators may hold a session then: always in the bench's story."""
        if not self.facilitators_booked_once:
            return True
        return not self.facilitators_taken([(starts_at, ends_at)], moving) & set(run.facilitators)

    def facilitator(self, run: GroupRun) -> Actor:
        return Actor(subject=self.pick(run.facilitators), role="cpip")

    def start_group(self, run: GroupRun) -> None:
        code = run.programme.definition.code
        if self.groups.get(code) is run:
            del self.groups[code]
        state = self.group_state(run.group_id)
        if not state.participants:  # everyone left before it began: it never starts
            for referral_id in list(state.waiting):
                self._end_referral(
                    referral_id, gc.Withdraw(reason="Le groupe n'a pas pu démarrer"), self.one("dpip")
                )
            del self.running_groups[run.group_id]
            return
        below = len(state.participants) < state.minimum
        actor = self.one("dpip") if below else self.facilitator(run)
        reason = "Groupe maintenu malgré l'effectif réduit" if below else ""
        state, started = self.on_group(
            run, gc.StartGroup(below_minimum_reason=reason), actor, facts=Caller(may_override=below)
        )
        sensitive = run.programme.definition.sensitive
        for referral_id, command in on_start(state):
            self.on_referral(
                self.person_of_referral(referral_id), referral_id, command, actor, sensitive=sensitive
            )
        for session in sorted(state.sessions.values(), key=lambda s: s.session.starts_at):
            self.schedule_session(
                run, session.session.session_id, session.session.starts_at, session.session.ends_at
            )

    def person_of_referral(self, referral_id: str) -> Person:
        return self.by_subject[self.referral_state(referral_id).subject_id]

    @property
    def by_subject(self) -> dict[str, Person]:
        if not hasattr(self, "_by_subject"):
            self._by_subject = {p.subject_id: p for p in self.people}
        return self._by_subject

    def schedule_session(
        self, run: GroupRun, session_id: str, starts_at: datetime, ends_at: datetime
    ) -> None:
        rng = self.rng
        if rng.random() < 0.03 and starts_at - timedelta(days=3) > self.now:
            self.at(starts_at - timedelta(days=rng.uniform(2, 6)), self.move_group_session, run, session_id)
        elif rng.random() < 0.02 and starts_at - timedelta(days=3) > self.now:
            self.at(starts_at - timedelta(days=rng.uniform(1, 5)), self.cancel_group_session, run, session_id)
        self.at(ends_at + timedelta(minutes=rng.uniform(5, 90)), self.attendance, run, session_id, starts_at)

    def move_group_session(self, run: GroupRun, session_id: str) -> None:
        state = self.group_state(run.group_id)
        session = state.sessions[session_id]
        if state.status != GroupStatus.STARTED or not session.pending:
            return
        new = session.session.starts_at + timedelta(days=1)
        if local_date(new) > state.end_date or new <= self.now:
            return
        ends = new + (session.session.ends_at - session.session.starts_at)
        if not self.facilitators_free(run, new, ends, moving=session_id):
            return  # the service would refuse it: the facilitators keep the session where it is
        self.on_group(
            run, gc.MoveSession(session_id=session_id, starts_at=new, now=self.now), self.facilitator(run)
        )
        moved = self.group_state(run.group_id).sessions[session_id].session
        self.at(
            moved.ends_at + timedelta(minutes=self.rng.uniform(5, 90)),
            self.attendance,
            run,
            session_id,
            moved.starts_at,
        )

    def cancel_group_session(self, run: GroupRun, session_id: str) -> None:
        state = self.group_state(run.group_id)
        if state.status != GroupStatus.STARTED or not state.sessions[session_id].pending:
            return
        original = state.sessions[session_id].session
        self.on_group(
            run,
            gc.CancelSession(
                session_id=session_id, reason="Mouvement social : salle indisponible", now=self.now
            ),
            self.facilitator(run),
        )
        catch_up = original.starts_at + timedelta(days=2)
        if (
            self.rng.random() < 0.6
            and local_date(catch_up) <= state.end_date
            and self.facilitators_free(run, catch_up, catch_up + (original.ends_at - original.starts_at))
        ):
            state, _ = self.on_group(
                run, gc.AddCatchUpSession(starts_at=catch_up, now=self.now), self.facilitator(run)
            )
            added = max(state.sessions.values(), key=lambda s: s.session.number).session
            self.at(
                added.ends_at + timedelta(minutes=30), self.attendance, run, added.session_id, added.starts_at
            )
        self.maybe_close(run)

    def attendance(self, run: GroupRun, session_id: str, starts_at: datetime) -> None:
        state = self.group_state(run.group_id)
        session = state.sessions.get(session_id)
        if state.status != GroupStatus.STARTED or session is None or not session.pending:
            return
        if session.session.starts_at != starts_at:
            return  # moved meanwhile: its new time has its own step
        rng, marks = self.rng, []
        for referral_id in state.participants:
            assiduity = self.person_of_referral(referral_id).assiduity
            present = rng.random() < assiduity
            weights = (0, 0, 45, 50, 5) if not present else (92, 8, 0, 0, 0)
            mark = rng.choices(list(AttendanceMark), weights)[0]
            reason = "Extraction judiciaire" if mark == AttendanceMark.ABSENT_EXCUSED else ""
            reason = "Comportement perturbateur" if mark == AttendanceMark.EXCLUDED_FROM_SESSION else reason
            marks.append(Mark(referral_id=referral_id, mark=mark, reason=reason))
        notes = "Séance dynamique, bonne participation." if rng.random() < 0.4 else ""
        self.on_group(
            run,
            gc.RecordAttendance(session_id=session_id, marks=marks, notes=notes, now=self.now),
            self.facilitator(run),
        )
        for referral_id in list(state.participants):
            if rng.random() < 0.012:
                person = self.person_of_referral(referral_id)
                excluded = rng.random() < 0.25
                command = (
                    gc.Exclude(reason="Exclusion après incidents répétés")
                    if excluded
                    else gc.DropOut(reason="Ne souhaite plus participer")
                )
                self._end_referral(referral_id, command, self.cpip(person), give_the_seat=True)
        self.maybe_close(run)

    def maybe_close(self, run: GroupRun) -> None:
        state = self.group_state(run.group_id)
        if state.status == GroupStatus.STARTED and not any(s.pending for s in state.sessions.values()):
            self.at(self.after(0.5, 4), self.close_group, run)

    def close_group(self, run: GroupRun) -> None:
        state = self.group_state(run.group_id)
        if state.status != GroupStatus.STARTED or any(s.pending for s in state.sessions.values()):
            return
        actor = self.facilitator(run)
        state, closed = self.on_group(run, gc.CloseGroup(today=self.today), actor)
        sensitive = run.programme.definition.sensitive
        for referral_id, command, completion in on_close(state, run.programme):
            person = self.person_of_referral(referral_id)
            referral, _ = self.on_referral(
                person, referral_id, command, actor, facts=completion, sensitive=sensitive
            )
            self._referral_over(person, referral_id, referral)
        self.running_groups.pop(run.group_id, None)

    def _referral_over(self, person: Person, referral_id: str, referral) -> None:
        """A referral ended: the objective it served may be achieved, and the next programme comes."""
        if person.referral == referral_id:
            person.referral = None
        if referral.status == ReferralStatus.COMPLETED:
            self.at(self.after(2, 20), self.objective_done, person, referral.objective_id, True)
        if self.active(person):
            self.at(self.after(5, 40), self.refer_next, person)

    def _end_referral(
        self, referral_id: str, command: Any, actor: Actor, *, give_the_seat: bool = True, cause=None
    ) -> None:
        """A command ending the referral; if it held a seat or a waiting place, the person leaves the group,
        whose freed seat goes to the people waiting (at once, or by the seat filler after a release)."""
        person = self.person_of_referral(referral_id)
        before = self.referral_state(referral_id)
        sensitive = self.programmes[before.programme_id].definition.sensitive
        after, _ = self.on_referral(person, referral_id, command, actor, sensitive=sensitive, cause=cause)
        if leaving := on_leaving(before, after):
            group_id, remove = leaving
            run = self.running_groups.get(group_id)
            if run is not None:
                self.on_group(run, remove, actor, cause=cause)
                if give_the_seat:
                    self.give_seats(run, actor)
                else:
                    self.at(self.later(2, 60), self.give_seats, run, SEAT_FILLER)
        self._referral_over(person, referral_id, after)

    def give_seats(self, run: GroupRun, actor: Actor) -> None:
        state = self.group_state(run.group_id)
        for seat in seats_to_give(state, busy=()):
            person = self.by_subject[seat.subject_id]
            sensitive = run.programme.definition.sensitive
            self.on_referral(
                person,
                seat.referral_id,
                gc.Enrol(group_id=run.group_id),
                actor,
                facts=placement(state),
                sensitive=sensitive,
            )
            state, _ = self.on_group(
                run, gc.EnrolParticipant(referral_id=seat.referral_id, subject_id=seat.subject_id), actor
            )

    # --- the release and the services' reactions to it ---

    def release(self, person: Person) -> None:
        if not self.active(person):
            return
        self.at(self.now, self._release_now, person)

    def _release_now(self, person: Person) -> None:
        _, closed = self.on_case(
            person, ac.CloseCase(reason=ClosureReason.RELEASE, closed_on=self.today, today=self.today)
        )
        person.released = True
        self.at(self.later(1, 30), self.programmes_release, person, closed)
        self.at(self.later(1, 30), self.ipro_release, person, closed, self.today)

    def programmes_release(self, person: Person, cause) -> None:
        """`programmes.replica`'s reaction: every open referral of the person ends, and frees its seat."""
        if person.referral is not None and self.referral_state(person.referral).open:
            self._end_referral(
                person.referral,
                gc.EndOnRelease(released_on=local_date(self.now)),
                RELEASE_REACTION,
                give_the_seat=False,
                cause=cause,
            )
        person.referral = None
