"""The indicators' facts as the consumer keeps them, for the events the three months' scenario does not hold:
a transfer on the admission day, a sentence updated, a goal made active again, a post replacing another and a
declassification, a place moved or cancelled, programme participations ended otherwise. Each is read back
through `store.facts`, as the routes read them."""

from datetime import date, datetime, time

import pytest

from contracts.assessment import CaseTransferred, Sentence, SentenceUpdated
from contracts.ipro import (
    AffectationDecided,
    Declassified,
    GoalSet,
    GoalStatus,
    GoalStatusChanged,
    GoalStep,
    PositioningCancelled,
    PositioningMoved,
    WorkRegime,
)
from contracts.programmes import ReferralEndedOnRelease, ReferralExcluded, ReferralWithdrawn
from kernel.clock import LOCAL_TIME_ZONE
from projections.indicators import ingest, store
from services.projections.tests.builders import History
from services.projections.tests.indicators_months import ARRAS, LILLE, SLOT, admitted, on, place, referral

pytestmark = pytest.mark.integration


async def facts_of(pool, establishment=None):
    async with pool.acquire() as connection:
        return await store.facts(
            connection,
            first=date(2031, 1, 1),
            last=date(2031, 3, 31),
            establishment=establishment,
            establishments=None,
        )


async def test_a_transfer_on_the_admission_day_moves_the_stay_and_a_sentence_update_follows_it(
    pool, apply_all
):
    h = History()
    admitted(h, 1, ARRAS, date(2031, 1, 5), "Marie")
    on(h, date(2031, 1, 5)).record(
        "case",
        "case-1",
        CaseTransferred(case_id="case-1", establishment=LILLE, transferred_on=date(2031, 1, 5)),
    )
    on(h, date(2031, 2, 1)).record(
        "case",
        "case-1",
        SentenceUpdated(
            case_id="case-1",
            sentence=Sentence(short_sentence=True, total_length_months=6, expected_end_date=date(2031, 7, 1)),
        ),
    )
    await apply_all(ingest.apply, *h.envelopes)
    (stay,) = (await facts_of(pool)).stays
    assert (stay.establishment, stay.first_day, stay.last_day) == (LILLE, date(2031, 1, 5), None)
    assert stay.expected_end_date == date(2031, 7, 1)


async def test_a_goal_step_made_active_again_starts_a_new_period(pool, apply_all):
    h = History()
    admitted(h, 1, ARRAS, date(2031, 1, 5), "Marie")
    on(h, date(2031, 1, 10)).record(
        "pathway",
        "pathway-1",
        GoalSet(
            pathway_id="pathway-1",
            goal_id="g",
            description="Emploi",
            steps=[GoalStep(step_id="s", description="CV")],
        ),
        subject="p-1",
    )
    for day, status in ((date(2031, 1, 20), GoalStatus.ABANDONED), (date(2031, 2, 1), GoalStatus.ACTIVE)):
        on(h, day).record(
            "pathway",
            "pathway-1",
            GoalStatusChanged(pathway_id="pathway-1", goal_id="g", step_id="s", status=status),
            subject="p-1",
        )
    await apply_all(ingest.apply, *h.envelopes)
    periods = sorted((a.first_day, a.last_day) for a in (await facts_of(pool)).activities)
    assert periods == [(date(2031, 1, 10), date(2031, 1, 19)), (date(2031, 2, 1), None)]


async def test_a_new_post_ends_the_previous_one_and_a_declassification_ends_the_last(pool, apply_all):
    h = History()
    admitted(h, 1, ARRAS, date(2031, 1, 5), "Marie")
    for affectation, starts in (("aff-1", date(2031, 1, 10)), ("aff-2", date(2031, 2, 1))):
        on(h, starts).record(
            "work",
            "work-1",
            AffectationDecided(
                work_id="work-1",
                affectation_id=affectation,
                regime=WorkRegime.SERVICE_GENERAL,
                post="Cuisine",
                workshop="Cuisine",
                employer="Établissement",
                schedule=SLOT,
                starts_on=starts,
            ),
            subject="p-1",
        )
    on(h, date(2031, 3, 1)).record(
        "work", "work-1", Declassified(work_id="work-1", decided_on=date(2031, 3, 1)), subject="p-1"
    )
    await apply_all(ingest.apply, *h.envelopes)
    periods = sorted((a.first_day, a.last_day) for a in (await facts_of(pool)).activities)
    assert periods == [(date(2031, 1, 10), date(2031, 1, 31)), (date(2031, 2, 1), date(2031, 2, 28))]


async def test_a_place_follows_its_session_when_moved_and_ends_when_cancelled(pool, apply_all):
    h = History()
    admitted(h, 1, ARRAS, date(2031, 1, 5), "Marie")
    place(h, 1, "pos-1", date(2031, 1, 6), date(2031, 1, 20))
    place(h, 1, "pos-2", date(2031, 1, 6), date(2031, 1, 21))
    starts = datetime.combine(date(2031, 1, 27), time(14), tzinfo=LOCAL_TIME_ZONE)
    on(h, date(2031, 1, 15)).record(
        "positioning",
        "pos-1",
        PositioningMoved(positioning_id="pos-1", starts_at=starts, ends_at=starts.replace(hour=16)),
    )
    on(h, date(2031, 1, 16)).record(
        "positioning", "pos-2", PositioningCancelled(positioning_id="pos-2", reason="annulée")
    )
    await apply_all(ingest.apply, *h.envelopes)
    bookings = {b.session_day: b for b in (await facts_of(pool)).bookings}
    assert set(bookings) == {date(2031, 1, 27), date(2031, 1, 21)}
    cancelled = bookings[date(2031, 1, 21)]
    assert (cancelled.status, cancelled.ended_on) == ("cancelled", date(2031, 1, 16))
    assert cancelled.as_activity().last_day == date(2031, 1, 15)


async def test_a_participation_keeps_its_first_ending(pool, apply_all):
    h = History()
    for n, ending in ((1, ReferralExcluded), (2, ReferralWithdrawn)):
        admitted(h, n, ARRAS, date(2031, 1, 5), f"P{n}")
        referral(h, n, f"ref-{n}", date(2031, 1, 6))
        on(h, date(2031, 2, 2)).record("referral", f"ref-{n}", ending(referral_id=f"ref-{n}", reason="motif"))
        on(h, date(2031, 2, 20)).record(  # a release after the end changes nothing
            "referral",
            f"ref-{n}",
            ReferralEndedOnRelease(referral_id=f"ref-{n}", released_on=date(2031, 2, 20)),
        )
    await apply_all(ingest.apply, *h.envelopes)
    ended = sorted((p.outcome, p.ended_on) for p in (await facts_of(pool, ARRAS)).participations)
    assert ended == [("excluded", date(2031, 2, 2)), ("withdrawn", date(2031, 2, 2))]
