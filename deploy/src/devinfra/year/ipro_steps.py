"""The pôle IPRO's part of a site's year (`devinfra.year.story.SiteYear`): the pathway IPRO opens from the case, its
synthesis, profile, interviews, goals and exit preparation; classement, work and contracts; trainings; places on
partner actions; and IPRO's reactions to a release and to a partner's change of session."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from contracts import Actor
from contracts.ipro import (
    ContractEndReason,
    ContractType,
    EducationLevel,
    ExitOutcome,
    ExitSituation,
    GoalStatus,
    GoalStep,
    LeaveKind,
    PositioningOutcome,
    Profile,
    ReadinessStatus,
    SuspensionReason,
    TargetTrade,
    WorkRegime,
)
from devinfra.year.cast import (
    FRANCE_TRAVAIL_MONTHS,
    MORNINGS,
    SYNTHESIS_WORKING_DAYS,
    TRADES,
    TRAININGS,
    TRIAL_CAP_DAYS,
    WEDNESDAY_AFTERNOON,
    WORKSHOPS,
    ActionRun,
    Person,
)
from ipro.domain import commands as ic
from ipro.domain.calendar import add_months
from ipro.domain.facts import CaseFacts as IproCaseFacts
from ipro.domain.facts import Commitments, PathwayFacts, PlaceFacts, SessionFacts
from ipro.domain.pathway import RELEASED
from ipro.domain.pathway import pathway as pathway_decider
from ipro.domain.positioning import OPEN as OPEN_PLACES
from ipro.domain.positioning import positioning as positioning_decider
from ipro.domain.training import TrainingStatus
from ipro.domain.training import training as training_decider
from ipro.domain.work import work as work_decider
from ipro.replica import REACTION


class IproSteps:
    """Steps of the pôle IPRO: they run as methods of `devinfra.year.story.SiteYear`."""

    # --- IPRO: the pathway ---

    def ipro_case(self, person: Person, *, open: bool = True) -> IproCaseFacts:
        return IproCaseFacts(
            case_id=person.case_id,
            subject_id=person.subject_id,
            establishment=person.establishment,
            open=open,
            admission_date=person.admission,
            expected_end_date=person.expected_end,
            conditional_release_date=person.conditional,
            referent=person.referent,
            person=person.name,
        )

    def on_pathway(self, person: Person, command: Any, actor: Actor, *, cause=None, open: bool = True):
        return self.ledger.run(
            "ipro",
            pathway_decider,
            person.pathway_id,
            command,
            actor=actor,
            at=self.now,
            facts=self.ipro_case(person, open=open),
            subject=person.subject_id,
            cause=cause,
        )

    def pathway_state(self, person: Person):
        return self.ledger.state("ipro", pathway_decider, person.pathway_id)

    def pathway_open(self, person: Person) -> bool:
        state = self.pathway_state(person)
        return self.active(person) and state.pathway_id is not None and state.closed_on is None

    def arranged(self, person: Person) -> PathwayFacts:
        return PathwayFacts(
            pathway_id=person.pathway_id,
            subject_id=person.subject_id,
            closed=self.pathway_state(person).closed_on is not None,
            person=person.name,
        )

    def commitments(self, person: Person) -> Commitments:
        return Commitments(**self.arranged(person).model_dump(), bookings=person.bookings())

    def open_pathway(self, person: Person, cause) -> None:
        command = ic.OpenPathway(
            pathway_id=person.pathway_id,
            case_id=person.case_id,
            today=self.today,
            synthesis_working_days=SYNTHESIS_WORKING_DAYS,
        )
        self.on_pathway(person, command, REACTION, cause=cause)
        self.at(self.after(1, 4), self.assign_adviser, person)

    def assign_adviser(self, person: Person) -> None:
        if not self.pathway_open(person):
            return
        person.adviser = self.one("ipro_conseiller").subject
        self.on_pathway(person, ic.AssignAdviser(adviser=person.adviser), self.one("ripro"))
        self.at(self.after(1, 7), self.synthesis, person)

    def synthesis(self, person: Person) -> None:
        if not self.pathway_open(person):
            return
        rng, adviser = self.rng, self.adviser(person)
        self.on_pathway(
            person,
            ic.WriteSynthesis(
                interview_held_on=self.today,
                synthesis="Entretien socio-professionnel initial : expérience en manutention, souhaite se former.",
                today=self.today,
            ),
            adviser,
        )
        person.right_to_work = rng.random() > 0.04
        code, label = self.pick(TRADES)
        profile = Profile(
            education_level=self.pick(list(EducationLevel)),
            qualifications=rng.sample(
                ["CAP cuisine", "Permis B", "CACES 1", "BEP électrotechnique"], rng.randrange(0, 3)
            ),
            work_experience=["Manutentionnaire, 2 ans"] if rng.random() < 0.6 else [],
            languages=["français"],
            driving_licence=rng.random() < 0.3,
            target_trades=[TargetTrade(rome_code=code, label=label)],
            right_to_work=person.right_to_work,
        )
        self.on_pathway(person, ic.RecordProfile(profile=profile), adviser)
        if not person.right_to_work:
            status = ReadinessStatus.NO_RIGHT_TO_WORK
        else:
            status = rng.choices(
                (
                    ReadinessStatus.READY_TO_WORK,
                    ReadinessStatus.SUPPORT_NEEDED,
                    ReadinessStatus.SUPPORT_DECLINED,
                ),
                (60, 33, 7),
            )[0]
        self.readiness(person, status)
        if status == ReadinessStatus.SUPPORT_DECLINED:
            return
        self.at(self.after(3, 20), self.follow_up, person)
        for _ in range(rng.choice((1, 1, 2, 3))):
            self.at(self.after(1, 60), self.set_goal, person)
        if person.right_to_work and rng.random() < 0.55 * min(person.intensity, 1.6):
            self.at(self.after(5, 40), self.request_classement, person)
        if rng.random() < 0.25 * min(person.intensity, 2):
            self.at(self.after(10, 90), self.enrol_training, person)
        self.at(self.after(3, 21), self.position_round, person)
        if person.release_on is not None:
            self.at(
                self.working_moment(person.release_on - timedelta(days=rng.randrange(8, 25))),
                self.exit_outcome,
                person,
            )
        exits = [d for d in (person.expected_end, person.conditional) if d]
        opens = add_months(min(exits), -FRANCE_TRAVAIL_MONTHS)
        if rng.random() < 0.6:
            self.at(
                self.working_moment(max(opens, self.today) + timedelta(days=rng.randrange(1, 40))),
                self.register_france_travail,
                person,
            )

    def readiness(self, person: Person, status: ReadinessStatus) -> None:
        if person.readiness == status:
            return
        reason = (
            "Ne souhaite pas d'accompagnement pour le moment"
            if status == ReadinessStatus.SUPPORT_DECLINED
            else ""
        )
        self.on_pathway(person, ic.ChangeReadiness(status=status, reason=reason), self.adviser(person))
        person.readiness = status

    def follow_up(self, person: Person) -> None:
        if not self.pathway_open(person):
            return
        notes = "Point d'étape sur le projet professionnel." if self.rng.random() < 0.7 else ""
        self.on_pathway(
            person,
            ic.HoldFollowUpInterview(
                interview_id=self.uid(), held_on=self.today, notes=notes, today=self.today
            ),
            self.adviser(person),
        )
        if person.readiness == ReadinessStatus.SUPPORT_NEEDED and self.rng.random() < 0.15:
            self.readiness(person, ReadinessStatus.READY_TO_WORK)
        every = self.rng.uniform(4.5, 11) / person.intensity
        self.at(self.after(every * 0.8, every * 1.2), self.follow_up, person)

    def set_goal(self, person: Person) -> None:
        if not self.pathway_open(person):
            return
        goal_id = self.uid()
        steps = [
            GoalStep(step_id=f"e{n}", description=d)
            for n, d in enumerate(
                self.rng.sample(
                    [
                        "Rédiger un CV",
                        "Préparer un entretien",
                        "Obtenir une attestation de formation",
                        "Ouvrir un compte France Travail",
                    ],
                    self.rng.randrange(0, 4),
                ),
                start=1,
            )
        ]
        self.on_pathway(
            person,
            ic.SetGoal(goal_id=goal_id, description="Accéder à un emploi à la sortie", steps=steps),
            self.adviser(person),
        )
        for step in steps:
            self.at(self.after(10, 90), self.goal_step, person, goal_id, step.step_id)
        self.at(self.after(60, 200), self.goal_step, person, goal_id, None)

    def goal_step(self, person: Person, goal_id: str, step_id: str | None) -> None:
        if not self.pathway_open(person):
            return
        goal = self.pathway_state(person).goals[goal_id]
        if goal.status != GoalStatus.ACTIVE or (step_id and goal.steps.get(step_id) != GoalStatus.ACTIVE):
            return
        status = GoalStatus.ACHIEVED if self.rng.random() < 0.75 else GoalStatus.ABANDONED
        self.on_pathway(
            person, ic.ChangeGoalStatus(goal_id=goal_id, step_id=step_id, status=status), self.adviser(person)
        )

    def register_france_travail(self, person: Person) -> None:
        if self.pathway_open(person) and self.pathway_state(person).france_travail_registered_on is None:
            self.on_pathway(
                person,
                ic.RegisterWithFranceTravail(today=self.today, window_months=FRANCE_TRAVAIL_MONTHS),
                self.adviser(person),
            )
            if person.release_on is not None and self.rng.random() < 0.3:
                self.at(self.after(1, 10), self.request_leave, person)

    def request_leave(self, person: Person) -> None:
        if not self.pathway_open(person) or person.release_on is None:
            return
        starts = self.today + timedelta(days=self.rng.randrange(10, 30))
        if starts >= person.release_on:
            return
        leave_id, kind = self.uid(), self.pick((LeaveKind.PMSMP, LeaveKind.ESCORTED_PROFESSIONAL_LEAVE))
        ends = min(starts + timedelta(days=self.rng.randrange(0, 10)), person.release_on - timedelta(days=1))
        self.on_pathway(
            person,
            ic.RequestLeave(
                leave_id=leave_id,
                kind=kind,
                starts_on=starts,
                ends_on=ends,
                purpose="Immersion en entreprise",
                today=self.today,
            ),
            self.adviser(person),
        )
        self.at(self.after(2, 8), self.decide_leave, person, leave_id)

    def decide_leave(self, person: Person, leave_id: str) -> None:
        if not self.pathway_open(person):
            return
        approved = self.rng.random() < 0.8
        reason = "" if approved else "Garanties de représentation insuffisantes"
        self.on_pathway(
            person, ic.DecideLeave(leave_id=leave_id, approved=approved, reason=reason), self.one("direction")
        )
        if approved:
            starts = self.pathway_state(person).leaves[leave_id].starts_on
            self.at(self.working_moment(starts, 17, 18), self.leave_done, person, leave_id)

    def leave_done(self, person: Person, leave_id: str) -> None:
        if self.pathway_open(person):
            self.on_pathway(
                person, ic.MarkLeaveDone(leave_id=leave_id, today=self.today), self.adviser(person)
            )

    def exit_outcome(self, person: Person) -> None:
        if not self.pathway_open(person) or self.rng.random() > 0.75:
            return
        situation = self.rng.choices(list(ExitSituation)[:4], (30, 15, 40, 15))[0]
        contract = (
            self.pick((ContractType.CDD, ContractType.TEMPORARY, ContractType.IAE, ContractType.CDI))
            if situation == ExitSituation.JOB
            else None
        )
        outcome = ExitOutcome(
            situation=situation, contract_type=contract, details="Suivi par la mission locale à la sortie"
        )
        self.on_pathway(person, ic.RecordExitOutcome(outcome=outcome), self.adviser(person))

    # --- IPRO: work ---

    def on_work(
        self, person: Person, command: Any, actor: Actor, *, facts: PathwayFacts | None = None, cause=None
    ):
        return self.ledger.run(
            "ipro",
            work_decider,
            person.work_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts or self.arranged(person),
            subject=person.subject_id,
            cause=cause,
        )

    def work_state(self, person: Person):
        return self.ledger.state("ipro", work_decider, person.work_id)

    def request_classement(self, person: Person) -> None:
        if not self.pathway_open(person) or self.work_state(person).classement.value in (
            "requested",
            "granted",
        ):
            return
        self.on_work(
            person,
            ic.RequestClassement(work_id=person.work_id, pathway_id=person.pathway_id, today=self.today),
            self.adviser(person),
        )
        self.at(self.after(7, 21), self.cpu_opinion, person)

    def cpu_opinion(self, person: Person) -> None:
        if not self.pathway_open(person):
            return
        favourable = self.rng.random() < 0.85
        self.on_work(
            person,
            ic.RecordCpuOpinion(
                held_on=self.today,
                favourable=favourable,
                opinion="Comportement en détention satisfaisant" if favourable else "Incidents récents",
                today=self.today,
            ),
            self.one("ipro_chef"),
        )
        self.at(self.after(2, 10), self.governor_decides, person, favourable)

    def governor_decides(self, person: Person, favourable: bool) -> None:
        if not self.pathway_open(person):
            return
        direction = self.one("direction")
        if self.rng.random() < (0.92 if favourable else 0.3):
            regimes = self.rng.sample([w[0] for w in WORKSHOPS], self.rng.randrange(1, 3))
            self.on_work(person, ic.GrantClassement(regimes=regimes, today=self.today), direction)
            self.at(self.after(5, 25), self.employer_interview, person)
        else:
            self.on_work(
                person,
                ic.RefuseClassement(
                    reasons="Avis défavorable de la CPU",
                    appeal_information="Recours devant le directeur interrégional sous deux mois",
                    today=self.today,
                ),
                direction,
            )
            if self.rng.random() < 0.3:
                self.at(self.after(60, 120), self.request_classement, person)

    def employer_interview(self, person: Person) -> None:
        state = self.work_state(person)
        if not self.pathway_open(person) or state.classement.value != "granted":
            return
        regime, workshop, employer, posts = next(w for w in WORKSHOPS if w[0] in state.regimes)
        post = self.pick(posts)
        self.on_work(
            person,
            ic.HoldEmployerInterview(
                interview_id=self.uid(),
                regime=regime,
                employer=employer,
                post=post,
                held_on=self.today,
                today=self.today,
            ),
            self.adviser(person),
        )
        if self.rng.random() < 0.8:
            self.at(self.after(2, 12), self.affect, person, regime, workshop, employer, post)
        elif self.rng.random() < 0.5:
            self.at(self.after(20, 60), self.employer_interview, person)

    def affect(self, person: Person, regime: WorkRegime, workshop: str, employer: str, post: str) -> None:
        state = self.work_state(person)
        if (
            not self.pathway_open(person)
            or state.classement.value != "granted"
            or state.current_affectation is not None
        ):
            return
        affectation_id = self.uid()
        starts = self.today + timedelta(days=self.rng.randrange(1, 10))
        schedule = MORNINGS[: self.rng.choice((4, 5))]
        state, _ = self.on_work(
            person,
            ic.DecideAffectation(
                affectation_id=affectation_id,
                regime=regime,
                post=post,
                workshop=workshop,
                employer=employer,
                schedule=schedule,
                starts_on=starts,
            ),
            self.one("direction"),
            facts=self.commitments(person),
        )
        person.work_bookings[affectation_id] = state.affectations[affectation_id].booking
        self.at(self.after(0, 5), self.sign_contract, person, affectation_id, starts)

    def sign_contract(self, person: Person, affectation_id: str, starts: date) -> None:
        if not self.pathway_open(person) or self.work_state(person).affectations[affectation_id].ended:
            return
        rng = self.rng
        ends = None if rng.random() < 0.7 else starts + timedelta(days=rng.randrange(90, 365))
        weeks = ((ends - starts).days + 7) // 7 if ends else TRIAL_CAP_DAYS
        contract_id = self.uid()
        self.on_work(
            person,
            ic.SignContract(
                contract_id=contract_id,
                affectation_id=affectation_id,
                starts_on=starts,
                ends_on=ends,
                trial_days=rng.randrange(0, min(weeks, TRIAL_CAP_DAYS, 10) + 1),
                trial_cap_days=TRIAL_CAP_DAYS,
                today=self.today,
            ),
            self.adviser(person),
        )
        self.at(self.after(20, 60), self.at_work, person, contract_id)

    def at_work(self, person: Person, contract_id: str) -> None:
        """A month of work: a suspension now and then, sometimes the end of the contract."""
        state = self.work_state(person)
        contract = state.contracts.get(contract_id)
        if not self.pathway_open(person) or contract is None or contract.status.value == "ended":
            return
        rng, today = self.rng, self.today
        if contract.status.value == "suspended":
            self.on_work(person, ic.ResumeContract(today=today), self.adviser(person))
        elif rng.random() < 0.12:
            self.on_work(
                person,
                ic.SuspendContract(reason=self.pick(list(SuspensionReason)), today=today),
                self.adviser(person),
            )
            self.at(self.after(3, 20), self.at_work, person, contract_id)
            return
        elif rng.random() < 0.08:
            reason = self.pick(
                (
                    ContractEndReason.PERSON_REQUEST,
                    ContractEndReason.AGREEMENT,
                    ContractEndReason.ECONOMIC_REASONS,
                    ContractEndReason.PROFESSIONAL_INADEQUACY,
                )
            )
            if reason == ContractEndReason.PROFESSIONAL_INADEQUACY:
                self.on_work(person, ic.HoldPreliminaryInterview(today=today), self.adviser(person))
            self.on_work(person, ic.EndContract(reason=reason, today=today), self.one("direction"))
            person.work_bookings.pop(contract.affectation_id, None)
            if rng.random() < 0.15:
                self.at(self.after(5, 20), self.declassify, person)
            elif rng.random() < 0.6:
                self.at(self.after(10, 45), self.employer_interview, person)
            return
        self.at(self.after(20, 45), self.at_work, person, contract_id)

    def declassify(self, person: Person) -> None:
        state = self.work_state(person)
        if (
            not self.pathway_open(person)
            or state.classement.value != "granted"
            or state.current_contract is not None
        ):
            return
        direction = self.one("direction")
        self.on_work(person, ic.HoldAdversarialHearing(today=self.today), direction)
        self.on_work(
            person,
            ic.Declassify(reason="Refus réitéré de se présenter au poste", today=self.today),
            direction,
        )

    # --- IPRO: trainings ---

    def on_training(
        self,
        person: Person,
        training_id: str,
        command: Any,
        actor: Actor,
        *,
        facts: PathwayFacts | None = None,
        cause=None,
    ):
        return self.ledger.run(
            "ipro",
            training_decider,
            training_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts or self.arranged(person),
            subject=person.subject_id,
            cause=cause,
        )

    def enrol_training(self, person: Person) -> None:
        if not self.pathway_open(person) or person.training is not None:
            return
        body, title, certification, hours = self.pick(TRAININGS)
        starts = self.today + timedelta(days=self.rng.randrange(7, 30))
        ends = starts + timedelta(weeks=max(1, hours // 14))
        if person.release_on is not None and ends >= person.release_on:
            return
        training_id = self.uid()
        state, _ = self.on_training(
            person,
            training_id,
            ic.EnrolInTraining(
                training_id=training_id,
                pathway_id=person.pathway_id,
                body=body,
                title=title,
                certification=certification,
                starts_on=starts,
                ends_on=ends,
                hours=hours,
                schedule=WEDNESDAY_AFTERNOON,
            ),
            self.adviser(person),
            facts=self.commitments(person),
        )
        person.training, person.training_booking = training_id, state.booking
        self.at(self.working_moment(starts, 9, 10), self.start_training, person, training_id, ends)

    def start_training(self, person: Person, training_id: str, ends: date) -> None:
        if not self.pathway_open(person) or person.training != training_id:
            return
        self.on_training(person, training_id, ic.StartTraining(today=self.today), self.adviser(person))
        if self.rng.random() < 0.15:
            self.at(
                self.after(7, max(8, (ends - self.today).days - 1)),
                self.end_training,
                person,
                training_id,
                False,
            )
        else:
            self.at(self.working_moment(ends, 16, 17.5), self.end_training, person, training_id, True)

    def end_training(self, person: Person, training_id: str, completed: bool) -> None:
        if not self.pathway_open(person) or person.training != training_id:
            return
        state = self.ledger.state("ipro", training_decider, training_id)
        if state.status != TrainingStatus.IN_PROGRESS:
            return
        if completed:
            command = ic.CompleteTraining(certification_obtained=self.rng.random() < 0.8, today=self.today)
        else:
            command = ic.DropOutOfTraining(reason="Abandon : difficultés à concilier avec le travail")
        self.on_training(person, training_id, command, self.adviser(person))
        person.training, person.training_booking = None, None
        if self.rng.random() < 0.3 * person.intensity:
            self.at(self.after(20, 90), self.enrol_training, person)

    # --- IPRO: places on partner actions ---

    def on_place(
        self,
        person: Person,
        positioning_id: str,
        command: Any,
        actor: Actor,
        *,
        facts: PathwayFacts | None = None,
        cause=None,
    ):
        return self.ledger.run(
            "ipro",
            positioning_decider,
            positioning_id,
            command,
            actor=actor,
            at=self.now,
            facts=facts or self.arranged(person),
            subject=person.subject_id,
            cause=cause,
        )

    def place_state(self, positioning_id: str):
        return self.ledger.state("ipro", positioning_decider, positioning_id)

    def position_round(self, person: Person) -> None:
        """The adviser proposes the person a place on a session of a partner action in the next weeks."""
        if not self.pathway_open(person) or person.readiness == ReadinessStatus.SUPPORT_DECLINED:
            return
        every = self.rng.uniform(2.7, 8.2) / person.intensity
        self.at(self.after(every * 0.8, every * 1.2), self.position_round, person)
        taken = {self.place_state(positioning_id).session_id for positioning_id in person.places}
        candidates = [
            (run, session)
            for run, session in self.upcoming_sessions()
            if session.starts_at > self.now and run.booked[session.session_id] < run.capacity
        ]
        self.rng.shuffle(candidates)
        for run, session in candidates:
            if session.session_id in taken:
                continue
            if any(
                b.starts_at < session.ends_at and session.starts_at < b.ends_at
                for b in person.places.values()
            ):
                continue
            self.position(person, run, session)
            return

    def upcoming_sessions(self) -> list[tuple[ActionRun, SessionFacts]]:
        """The sessions of the catalogue's published actions in the next three weeks, listed once a day (or
        again after the catalogue changed)."""
        if self._upcoming[0] != self.today:
            horizon = self.now + timedelta(days=21)
            found = [
                (run, session)
                for run in self.actions.values()
                if run.published and not run.closed
                for session in run.sessions.values()
                if self.now < session.starts_at <= horizon and not session.cancelled
            ]
            self._upcoming = (self.today, sorted(found, key=lambda found: found[1].starts_at))
        return self._upcoming[1]

    def catalogue_changed(self) -> None:
        self._upcoming = (None, [])

    def position(self, person: Person, run: ActionRun, session: SessionFacts) -> None:
        positioning_id = self.uid()
        facts = PlaceFacts(
            **self.commitments(person).model_dump(),
            session=session.model_copy(update={"booked": run.booked[session.session_id]}),
        )
        state, _ = self.on_place(
            person,
            positioning_id,
            ic.Position(
                positioning_id=positioning_id,
                pathway_id=person.pathway_id,
                action_id=run.action_id,
                session_id=session.session_id,
                now=self.now,
            ),
            self.adviser(person),
            facts=facts,
        )
        run.booked[session.session_id] += 1
        person.places[positioning_id] = state.booking
        if self.rng.random() < 0.06:
            self.at(self.after(0.5, 4), self.withdraw_place, person, positioning_id)
        else:
            confirm = min(self.later(86400, 86400 * 4), session.starts_at - timedelta(hours=2))
            self.at(max(confirm, self.now), self.confirm_place, person, run, positioning_id)
        self.at(
            session.ends_at + timedelta(minutes=self.rng.uniform(10, 300)),
            self.place_attendance,
            person,
            run,
            positioning_id,
        )

    def withdraw_place(self, person: Person, positioning_id: str) -> None:
        state = self.place_state(positioning_id)
        if not self.pathway_open(person) or state.status not in OPEN_PLACES or state.starts_at <= self.now:
            return
        self.on_place(
            person,
            positioning_id,
            ic.WithdrawPositioning(reason="La personne a une audience ce jour-là"),
            self.adviser(person),
        )
        self._place_given_back(person, positioning_id)

    def _place_given_back(self, person: Person, positioning_id: str) -> None:
        state = self.place_state(positioning_id)
        person.places.pop(positioning_id, None)
        run = self.actions[state.action_id]
        run.booked[state.session_id] -= 1

    def confirm_place(self, person: Person, run: ActionRun, positioning_id: str) -> None:
        state = self.place_state(positioning_id)
        if not self.pathway_open(person) or state.status.value != "proposed" or state.starts_at <= self.now:
            return
        self.on_place(person, positioning_id, ic.ConfirmPositioning(), run.partner_user)

    def place_attendance(self, person: Person, run: ActionRun, positioning_id: str) -> None:
        state = self.place_state(positioning_id)
        if state.status.value != "confirmed" or not self.active(person):
            if state.status in OPEN_PLACES:  # never confirmed: its time has passed
                person.places.pop(positioning_id, None)
            return
        attended = self.rng.random() < 0.82
        self.on_place(
            person, positioning_id, ic.RecordAttendance(attended=attended, now=self.now), run.partner_user
        )
        person.places.pop(positioning_id, None)
        run.attended[state.session_id] = run.attended.get(state.session_id, 0) + attended
        if attended and self.rng.random() < 0.6:
            self.at(self.after(1, 10), self.place_outcome, person, positioning_id)

    def place_outcome(self, person: Person, positioning_id: str) -> None:
        if self.place_state(positioning_id).status.value != "attended" or not self.active(person):
            return
        outcome = self.rng.choices(list(PositioningOutcome), (5, 15, 10, 5, 65))[0]
        self.on_place(
            person,
            positioning_id,
            ic.RecordPositioningOutcome(outcome=outcome, details="Retour du partenaire"),
            self.adviser(person),
        )

    # --- IPRO: the release ---

    def ipro_release(self, person: Person, cause, released_on: date) -> None:
        """`ipro.handlers.close_on_release`: the pathway closes; work, trainings and open places end."""
        pathway = self.pathway_state(person)
        if pathway.pathway_id is None or pathway.closed_on is not None:
            return
        self.on_pathway(person, ic.ClosePathway(closed_on=released_on), REACTION, cause=cause, open=False)
        facts = self.arranged(person)
        if self.work_state(person).work_id is not None:
            self.on_work(
                person, ic.EndWorkOnRelease(released_on=released_on), REACTION, facts=facts, cause=cause
            )
        person.work_bookings.clear()
        if person.training is not None:
            state = self.ledger.state("ipro", training_decider, person.training)
            if state.status in (TrainingStatus.ENROLLED, TrainingStatus.IN_PROGRESS):
                self.on_training(
                    person,
                    person.training,
                    ic.DropOutOfTraining(reason=RELEASED, released=True),
                    REACTION,
                    facts=facts,
                    cause=cause,
                )
            person.training, person.training_booking = None, None
        for positioning_id in list(person.places):
            if self.place_state(positioning_id).status in OPEN_PLACES:
                self.on_place(
                    person,
                    positioning_id,
                    ic.WithdrawPositioning(reason=RELEASED, released=True),
                    REACTION,
                    facts=facts,
                    cause=cause,
                )
                self._place_given_back(person, positioning_id)
        person.places.clear()
