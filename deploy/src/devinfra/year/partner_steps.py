"""The partners' part of a site's year (`devinfra.year.story.SiteYear`): organisations and their accreditation,
calls, proposals and the catalogue actions they become, with their sessions held, moved or cancelled."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from contracts import Actor
from contracts.partners import CallContent, PlannedSession, ProposalContent
from devinfra.testkit import valid_siret
from devinfra.year.cast import (
    ACTION_PLACES,
    ACTION_TIMES,
    ACTION_TITLES,
    CALL_THEMES,
    FIRST_NAMES,
    LAST_NAMES,
    PARTNER_KINDS,
    ActionRun,
    PartnerOrg,
)
from ipro.domain import commands as ic
from ipro.domain.facts import SessionFacts
from ipro.domain.positioning import OPEN as OPEN_PLACES
from ipro.replica import CATALOGUE_REACTION
from partners.domain import commands as pc
from partners.domain.action import action as action_decider
from partners.domain.call import call as call_decider
from partners.domain.facts import CallWindow, NewActionFacts, ProposalFacts
from partners.domain.partner import partner as partner_decider
from partners.domain.proposal import proposal as proposal_decider
from partners.handlers import planned_session_id


class PartnerSteps:
    """Steps of the partners and of IPRO management: they run as methods of `devinfra.year.story.SiteYear`."""

    # --- partners: organisations, calls, proposals, actions ---

    def register_partner(self, n: int) -> None:
        name, kind = PARTNER_KINDS[n % len(PARTNER_KINDS)]
        partner_id = self.uid()
        chef = self.one("ipro_chef")
        siret_number = int(uuid.UUID(partner_id)) % 10**8
        self.ledger.run(
            "partners",
            partner_decider,
            partner_id,
            pc.RegisterPartner(
                partner_id=partner_id,
                name=f"{name} {self.site.name}"[:200],
                siret=valid_siret(siret_number),
                organisation_type=kind,
            ),
            actor=chef,
            at=self.now,
        )
        for _ in range(self.rng.randrange(1, 4)):
            contact = f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"
            self.ledger.run(
                "partners",
                partner_decider,
                partner_id,
                pc.AddContactPerson(
                    contact_id=self.uid(),
                    full_name=contact,
                    job_title="Chargé de projet",
                    email=None,
                    phone=None,
                ),
                actor=chef,
                at=self.now,
            )
        org = PartnerOrg(
            partner_id,
            name,
            Actor(subject=self.names.partner(n, partner_id), role="partenaire", organisation_id=partner_id),
        )
        self.partners.append(org)
        self.at(self.after(1, 5), self.accredit, org)

    def accredit(self, org: PartnerOrg) -> None:
        until = self.today + timedelta(days=self.rng.randrange(300, 420))
        self.ledger.run(
            "partners",
            partner_decider,
            org.partner_id,
            pc.AccreditPartner(establishment=self.site.name, accredited_until=until, now=self.now),
            actor=self.one("ipro_chef"),
            at=self.now,
        )
        self.at(self.working_moment(until - timedelta(days=25)), self.accredit, org)

    def draft_call(self, n: int) -> None:
        theme, action_types = CALL_THEMES[n % len(CALL_THEMES)]
        call_id, chef = self.uid(), self.one("ipro_chef")
        opens = self.today + timedelta(days=2)
        content = CallContent(
            title=f"AMI {theme} {self.site.name}",
            theme=theme,
            establishment=self.site.name,
            description="Appel à manifestation d'intérêt pour des actions collectives en détention.",
            opens_on=opens,
            closes_on=opens + timedelta(days=self.rng.randrange(25, 40)),
            target_themes=list(action_types),
        )
        self.ledger.run(
            "partners",
            call_decider,
            call_id,
            pc.DraftCall(call_id=call_id, content=content),
            actor=chef,
            at=self.now,
        )
        self.at(self.after(0.5, 1.5), self.publish_call, call_id)

    def call_window(self, call_id: str) -> CallWindow:
        from partners.domain.call import window

        return window(self.ledger.state("partners", call_decider, call_id))

    def publish_call(self, call_id: str) -> None:
        self.ledger.run(
            "partners",
            call_decider,
            call_id,
            pc.PublishCall(now=self.now),
            actor=self.one("ipro_chef"),
            at=self.now,
        )
        window = self.call_window(call_id)
        proposals = max(3, round(len(self.partners) * 1.1))
        # A small site's first call may be published before any of its partners registered: none answers it.
        for org in self.rng.choices(self.partners, k=proposals) if self.partners else []:
            self.at(
                self.working_moment(
                    window.opens_on
                    + timedelta(days=self.rng.randrange(0, (window.closes_on - window.opens_on).days))
                ),
                self.draft_proposal,
                call_id,
                org,
            )
        self.at(self.working_moment(window.closes_on + timedelta(days=1)), self.close_call, call_id)

    def close_call(self, call_id: str) -> None:
        chef = self.one("ipro_chef")
        self.ledger.run(
            "partners", call_decider, call_id, pc.CloseCall(now=self.now), actor=chef, at=self.now
        )
        self.at(self.after(30, 60), self.archive_call, call_id)

    def archive_call(self, call_id: str) -> None:
        self.ledger.run(
            "partners", call_decider, call_id, pc.ArchiveCall(), actor=self.one("ipro_chef"), at=self.now
        )

    def proposal_facts(self, call_id: str, org: PartnerOrg) -> ProposalFacts:
        from partners.domain.partner import standing

        return ProposalFacts(
            call=self.call_window(call_id),
            partner=standing(self.ledger.state("partners", partner_decider, org.partner_id)),
        )

    def on_proposal(self, proposal_id: str, command: Any, actor: Actor, facts: Any = None):
        return self.ledger.run(
            "partners", proposal_decider, proposal_id, command, actor=actor, at=self.now, facts=facts
        )

    def draft_proposal(self, call_id: str, org: PartnerOrg) -> None:
        window = self.call_window(call_id)
        if not window.opens_on <= self.today <= window.closes_on:
            return
        action_type = self.pick(window.target_themes)
        weekday, hour = self.pick(ACTION_TIMES)
        place = min(
            ACTION_PLACES, key=lambda p: (self.slot_use.get((weekday, hour, p), 0), self.rng.random())
        )
        self.slot_use[(weekday, hour, place)] = self.slot_use.get((weekday, hour, place), 0) + 1
        first = self.today + timedelta(days=self.rng.randrange(28, 50))
        first += timedelta(days=(weekday - first.weekday()) % 7)
        count = self.rng.randrange(6, 22)
        sessions = [
            PlannedSession(
                starts_at=self.moment(first + timedelta(weeks=w), hour), duration_minutes=120, place=place
            )
            for w in range(count)
        ]
        capacity = self.rng.choice((8, 10, 12, 15, 20, 30))
        content = ProposalContent(
            title=ACTION_TITLES.get(action_type, "Action collective"),
            action_type=action_type,
            objectives="Favoriser l'insertion professionnelle des personnes détenues.",
            target_public="Personnes détenues proches de la sortie",
            capacity_min=max(1, capacity // 3),
            capacity_max=capacity,
            planned_sessions=sessions,
            facilitators=[
                f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}" for _ in range(self.rng.randrange(1, 3))
            ],
        )
        proposal_id = self.uid()
        self.on_proposal(
            proposal_id,
            pc.DraftProposal(
                proposal_id=proposal_id,
                call_id=call_id,
                partner_id=org.partner_id,
                content=content,
                now=self.now,
            ),
            org.user,
            self.proposal_facts(call_id, org),
        )
        self.at(self.after(0.5, 4), self.submit_proposal, proposal_id, call_id, org)

    def submit_proposal(self, proposal_id: str, call_id: str, org: PartnerOrg) -> None:
        window = self.call_window(call_id)
        if not window.published or not window.opens_on <= self.today <= window.closes_on:
            self.on_proposal(proposal_id, pc.WithdrawProposal(reason="Dépôt hors délai"), org.user)
            return
        self.on_proposal(
            proposal_id, pc.SubmitProposal(now=self.now), org.user, self.proposal_facts(call_id, org)
        )
        self.at(self.after(1, 6), self.review_proposal, proposal_id, call_id, org, 0)

    def review_proposal(self, proposal_id: str, call_id: str, org: PartnerOrg, rounds: int) -> None:
        chef = self.one("ipro_chef")
        self.on_proposal(proposal_id, pc.StartReview(), chef)
        for n in range(self.rng.randrange(0, 3)):
            author = chef if n % 2 == 0 else org.user
            self.on_proposal(
                proposal_id,
                pc.CommentOnProposal(comment_id=self.uid(), text="Pouvez-vous préciser le public visé ?"),
                author,
            )
        roll = self.rng.random()
        if roll < 0.2 and rounds == 0:
            self.on_proposal(proposal_id, pc.RequestChanges(reason="Préciser les prérequis"), chef)
            self.at(self.after(1, 5), self.resubmit_proposal, proposal_id, call_id, org)
        elif roll < 0.85:
            self.at(self.after(0, 3), self.approve_proposal, proposal_id, call_id, org)
        else:
            self.on_proposal(
                proposal_id, pc.RejectProposal(reason="Action déjà proposée par un autre partenaire"), chef
            )

    def resubmit_proposal(self, proposal_id: str, call_id: str, org: PartnerOrg) -> None:
        state = self.ledger.state("partners", proposal_decider, proposal_id)
        content = state.content.model_copy(
            update={"prerequisites": "Aucun prérequis ; maîtrise du français oral"}
        )
        sessions_ahead = [s for s in content.planned_sessions if s.starts_at > self.now]
        if not sessions_ahead:
            self.on_proposal(proposal_id, pc.WithdrawProposal(reason="Calendrier dépassé"), org.user)
            return
        content = content.model_copy(update={"planned_sessions": sessions_ahead})
        facts = self.proposal_facts(call_id, org)
        self.on_proposal(proposal_id, pc.ReviseProposal(content=content, now=self.now), org.user, facts)
        self.on_proposal(proposal_id, pc.ResubmitProposal(now=self.now), org.user, facts)
        self.at(self.after(1, 5), self.review_proposal, proposal_id, call_id, org, 1)

    def approve_proposal(self, proposal_id: str, call_id: str, org: PartnerOrg) -> None:
        """`partners.handlers.approve_proposal`: the approval and the action it creates, which schedules the
        planned sessions it can."""
        from partners.domain.partner import standing

        chef = self.one("ipro_chef")
        action_id = self.uid()
        state, _ = self.on_proposal(proposal_id, pc.ApproveProposal(action_id=action_id, now=self.now), chef)
        content = state.content
        create = pc.CreateAction(
            action_id=action_id,
            proposal_id=proposal_id,
            call_id=call_id,
            partner_id=org.partner_id,
            title=content.title,
            action_type=content.action_type,
            theme=self.call_window(call_id).theme,
            capacity_min=content.capacity_min,
            capacity_max=content.capacity_max,
            planned_sessions=[
                pc.PlannedSlot(**planned.model_dump(), session_id=planned_session_id(action_id, n))
                for n, planned in enumerate(content.planned_sessions)
            ],
            facilitators=content.facilitators,
            now=self.now,
        )
        taken = [
            session_slot
            for run in self.actions.values()
            if not run.closed
            for session_slot in self._slots(run)
        ]
        facts = NewActionFacts(
            partner=standing(self.ledger.state("partners", partner_decider, org.partner_id)), taken=taken
        )
        action, _ = self.ledger.run(
            "partners", action_decider, action_id, create, actor=chef, at=self.now, facts=facts
        )
        run = ActionRun(action_id, org.partner_id, org.user, content.title, content.capacity_max)
        self.actions[action_id] = run
        for session in action.sessions.values():
            self._track_session(run, session.session_id, session.slot)
        if run.pending:
            self.at(self.after(0, 3), self.publish_action, run)

    def _slots(self, run: ActionRun):
        state = self.ledger.state("partners", action_decider, run.action_id)
        return [s.slot for s in state.sessions.values() if not s.cancelled]

    def _track_session(self, run: ActionRun, session_id: str, slot) -> None:
        run.sessions[session_id] = SessionFacts(
            action_id=run.action_id,
            session_id=session_id,
            partner_id=run.partner_id,
            title=run.title,
            place=slot.place,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=run.capacity,
            booked=0,
            cancelled=False,
            published=True,
            closed=False,
        )
        run.booked.setdefault(session_id, 0)
        run.pending += 1
        rng = self.rng
        if rng.random() < 0.03 and slot.starts_at - timedelta(days=5) > self.now:
            self.at(
                slot.starts_at - timedelta(days=rng.uniform(2, 5)),
                self.partner_changes_session,
                run,
                session_id,
                rng.random() < 0.5,
            )
        self.at(
            slot.ends_at + timedelta(hours=rng.uniform(1, 30)),
            self.report_session,
            run,
            session_id,
            slot.starts_at,
        )

    def on_action(self, run: ActionRun, command: Any, actor: Actor, facts: Any = None):
        return self.ledger.run(
            "partners", action_decider, run.action_id, command, actor=actor, at=self.now, facts=facts
        )

    def publish_action(self, run: ActionRun) -> None:
        state = self.ledger.state("partners", action_decider, run.action_id)
        if not any(s.pending for s in state.sessions.values()):
            return
        self.on_action(run, pc.PublishAction(), self.one("ipro_chef"))
        run.published = True
        self.catalogue_changed()

    def partner_changes_session(self, run: ActionRun, session_id: str, cancel: bool) -> None:
        """The partner cancels or moves a session; IPRO's catalogue reaction follows it with the places."""
        from partners.domain.partner import standing

        state = self.ledger.state("partners", action_decider, run.action_id)
        session = state.sessions[session_id]
        if state.closed or not session.pending or session.slot.starts_at <= self.now:
            return
        if cancel:
            _, changed = self.on_action(
                run,
                pc.CancelSession(session_id=session_id, reason="Intervenant indisponible", now=self.now),
                run.partner_user,
            )
            run.sessions[session_id] = run.sessions[session_id].model_copy(update={"cancelled": True})
            self.catalogue_changed()
            run.pending -= 1
            command: Any = ic.CancelPositioning(reason="Intervenant indisponible")
        else:
            slot = session.slot
            new_start = slot.starts_at + timedelta(hours=2)
            facts = standing(self.ledger.state("partners", partner_decider, run.partner_id))
            try:
                state, changed = self.on_action(
                    run,
                    pc.MoveSession(
                        session_id=session_id,
                        starts_at=new_start,
                        duration_minutes=120,
                        place=slot.place,
                        facilitators=slot.facilitators,
                        now=self.now,
                    ),
                    run.partner_user,
                    facts,
                )
            except Exception:  # the place or a facilitator is taken then: the partner keeps the session
                return
            slot = state.sessions[session_id].slot
            run.sessions[session_id] = run.sessions[session_id].model_copy(
                update={"starts_at": slot.starts_at, "ends_at": slot.ends_at}
            )
            self.catalogue_changed()
            self.at(
                slot.ends_at + timedelta(hours=self.rng.uniform(1, 30)),
                self.report_session,
                run,
                session_id,
                slot.starts_at,
            )
            command = ic.FollowMovedSession(starts_at=slot.starts_at, ends_at=slot.ends_at, place=slot.place)
        self.at(self.later(1, 30), self.follow_session, run, session_id, command, changed)

    def follow_session(self, run: ActionRun, session_id: str, command: Any, cause) -> None:
        """`ipro.handlers.follow_the_session`: each place not yet taken up on the session is cancelled, or
        follows it (unless the person is booked at the new time)."""
        for person in self.people:
            for positioning_id in [p for p in person.places if self.place_state(p).session_id == session_id]:
                if self.place_state(positioning_id).status not in OPEN_PLACES or not self.active(person):
                    continue
                facts = (
                    self.commitments(person)
                    if isinstance(command, ic.FollowMovedSession)
                    else self.arranged(person)
                )
                state, _ = self.on_place(
                    person, positioning_id, command, CATALOGUE_REACTION, facts=facts, cause=cause
                )
                if state.status.value == "cancelled":
                    self._place_given_back(person, positioning_id)
                else:
                    person.places[positioning_id] = state.booking
                    self.at(
                        state.ends_at + timedelta(minutes=self.rng.uniform(10, 300)),
                        self.place_attendance,
                        person,
                        run,
                        positioning_id,
                    )

    def report_session(self, run: ActionRun, session_id: str, starts_at: datetime) -> None:
        state = self.ledger.state("partners", action_decider, run.action_id)
        session = state.sessions[session_id]
        if state.closed or not session.pending or session.slot.starts_at != starts_at:
            return
        held = self.rng.random() < 0.96
        present = min(run.capacity, run.attended.get(session_id, 0)) if held else 0
        self.on_action(
            run,
            pc.ReportSession(
                session_id=session_id,
                held=held,
                present_count=present,
                notes="Bonne dynamique de groupe" if held else "Séance annulée le jour même",
                now=self.now,
            ),
            run.partner_user,
        )
        run.pending -= 1
        if run.pending == 0:
            self.at(self.after(1, 10), self.close_action, run)

    def close_action(self, run: ActionRun) -> None:
        state = self.ledger.state("partners", action_decider, run.action_id)
        if state.closed or any(s.pending for s in state.sessions.values()):
            return
        self.on_action(run, pc.CloseAction(), self.one("ipro_chef"))
        run.closed = True
        self.catalogue_changed()
