"""The catalogue against the real database: actions and sessions applied, then searched as the HTTP route
does, "now" being `builders.NOW` (2031-03-10 09:00 UTC)."""

from datetime import UTC, date, datetime

import pytest

from contracts.ipro import PositioningCancelled, PositioningConfirmed, PositioningWithdrawn
from contracts.partners import (
    ActionClosed,
    ActionPublished,
    ActionType,
    SessionCancelled,
    SessionMoved,
    SessionReported,
)
from projections import catalogue, partner_directory
from services.projections.tests.builders import (
    NOW,
    History,
    a_partner_registered,
    a_positioning_proposed,
    a_session_scheduled,
    a_slot,
    an_action_created,
)

pytestmark = pytest.mark.integration


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2031, month, day, hour, minute, tzinfo=UTC)


def the_catalogue(history: History) -> None:
    """Two published actions still open, one not yet published, one closed."""
    history.partner(a_partner_registered(partner_id="partner-1", name="Association Ressources Emploi"))
    history.partner(
        a_partner_registered(partner_id="partner-2", name="Ligue de l'enseignement", siret="78467169500087")
    )
    # partner-1's workshop: one session ahead, one cancelled, one held and reported, one just after
    # midnight in Arras on the 15th (still the 14th in UTC).
    history.action(an_action_created(action_id="workshop", partner_id="partner-1"))
    history.action(a_session_scheduled("workshop", "w-past", at(1, 9)))
    history.action(a_session_scheduled("workshop", "w-next", at(12, 9)))
    history.action(a_session_scheduled("workshop", "w-cancelled", at(20, 9)))
    history.action(a_session_scheduled("workshop", "w-night", at(14, 23, 30), place="Quartier arrivants"))
    history.action(ActionPublished(action_id="workshop"))
    history.action(SessionReported(action_id="workshop", session_id="w-past", held=True, present_count=6))
    history.action(
        SessionCancelled(action_id="workshop", session_id="w-cancelled", reason="salle indisponible")
    )
    # partner-2's citizenship course, its only session moved to April.
    history.action(
        an_action_created(
            action_id="citizenship",
            partner_id="partner-2",
            title="Stage citoyenneté",
            action_type=ActionType.CITIZENSHIP,
            theme="Espace citoyen",
        )
    )
    history.action(a_session_scheduled("citizenship", "c-1", at(11, 14)))
    history.action(ActionPublished(action_id="citizenship"))
    history.action(
        SessionMoved(
            action_id="citizenship", session_id="c-1", slot=a_slot(at(2, 14, month=4), place="Salle B")
        )
    )
    # Not in the catalogue: not yet published, and closed.
    history.action(an_action_created(action_id="draft", partner_id="partner-1", title="Forum emploi"))
    history.action(a_session_scheduled("draft", "d-1", at(13, 9)))
    history.action(an_action_created(action_id="closed", partner_id="partner-2", title="Ciné-débat"))
    history.action(a_session_scheduled("closed", "x-1", at(13, 9)))
    history.action(ActionPublished(action_id="closed"))
    history.action(SessionCancelled(action_id="closed", session_id="x-1", reason="annulé"))
    history.action(ActionClosed(action_id="closed"))


@pytest.fixture
async def filled(pool, apply_all):
    history = History()
    the_catalogue(history)
    for envelope in history.envelopes:
        await apply_all(partner_directory.apply, envelope)
        await apply_all(catalogue.apply, envelope)
    return history


async def search(pool, **filters) -> tuple[int, list[dict]]:
    async with pool.acquire() as connection:
        listed, items = await catalogue.search(connection, now=NOW, **filters)
    return listed.total, items


def sessions_of(items: list[dict]) -> dict[str, list[str]]:
    return {item["action_id"]: [s["session_id"] for s in item["sessions"]] for item in items}


async def test_published_open_actions_are_listed_with_their_upcoming_sessions_soonest_first(pool, filled):
    total, items = await search(pool)

    assert total == 2
    assert sessions_of(items) == {"workshop": ["w-next", "w-night"], "citizenship": ["c-1"]}
    assert [i["action_id"] for i in items] == ["workshop", "citizenship"]
    workshop, citizenship = items
    assert {k: v for k, v in workshop.items() if k != "sessions"} == {
        "action_id": "workshop",
        "partner_id": "partner-1",
        "partner_name": "Association Ressources Emploi",
        "title": "Atelier CV et lettre de motivation",
        "action_type": "job_search_workshop",
        "theme": "Espace emploi",
        "capacity_min": 4,
        "capacity_max": 10,
    }
    assert workshop["sessions"][1] == {
        "session_id": "w-night",
        "starts_at": at(14, 23, 30),
        "ends_at": at(15, 1, 30),
        "place": "Quartier arrivants",
        "seats_left": 10,
    }
    assert citizenship["sessions"][0]["starts_at"] == at(2, 14, month=4)
    assert citizenship["sessions"][0]["place"] == "Salle B"


async def test_sessions_that_have_started_leave_the_catalogue(pool, filled):
    async with pool.acquire() as connection:
        _, items = await catalogue.search(connection, now=at(12, 9, 1))

    assert sessions_of(items) == {"workshop": ["w-night"], "citizenship": ["c-1"]}


async def test_the_catalogue_filters_by_action_type_and_theme(pool, filled):
    assert sessions_of((await search(pool, action_type="citizenship"))[1]) == {"citizenship": ["c-1"]}
    assert sessions_of((await search(pool, theme="espace EMPLOI"))[1]) == {"workshop": ["w-next", "w-night"]}
    assert await search(pool, action_type="pmsmp") == (0, [])


async def test_date_filters_are_the_establishments_calendar_days_and_keep_the_sessions_in_range(pool, filled):
    on_the_14th = await search(pool, starts_from=date(2031, 3, 14), starts_until=date(2031, 3, 14))
    on_the_15th = await search(pool, starts_from=date(2031, 3, 15), starts_until=date(2031, 3, 15))
    in_april = await search(pool, starts_from=date(2031, 4, 1))
    until_the_12th = await search(pool, starts_until=date(2031, 3, 12))

    assert on_the_14th == (0, [])
    assert on_the_15th[0] == 1 and sessions_of(on_the_15th[1]) == {"workshop": ["w-night"]}
    assert in_april[0] == 1 and sessions_of(in_april[1]) == {"citizenship": ["c-1"]}
    assert sessions_of(until_the_12th[1]) == {"workshop": ["w-next"]}


async def test_a_partner_sees_only_its_own_actions(pool, filled):
    total, items = await search(pool, only_partner="partner-2")
    assert total == 1 and sessions_of(items) == {"citizenship": ["c-1"]}
    assert await search(pool, only_partner="") == (0, [])  # a partner token without an organisation


async def test_the_catalogue_pages_with_a_total(pool, filled):
    async with pool.acquire() as connection:
        first, _ = await catalogue.search(connection, now=NOW, limit=1)
        second, items = await catalogue.search(connection, now=NOW, limit=1, after=first.next)
    assert (second.total, second.next) == (2, None) and [i["action_id"] for i in items] == ["citizenship"]


async def test_an_open_action_without_upcoming_session_is_listed_unless_dates_are_asked(
    pool, filled, apply_all
):
    history = History()
    history.action(an_action_created(action_id="later", partner_id="partner-1", title="Permanence"))
    history.action(a_session_scheduled("later", "l-1", at(1, 9)))
    history.action(ActionPublished(action_id="later"))
    await apply_all(catalogue.apply, *history.envelopes)

    assert sessions_of((await search(pool))[1])["later"] == []
    assert "later" not in sessions_of((await search(pool, starts_from=date(2031, 3, 1)))[1])


async def test_a_duplicate_or_older_event_changes_nothing(pool, filled, apply_all):
    scheduled, first_move = (
        next(e for e in filled.envelopes if e.payload.get("session_id") == "c-1" and e.event_type == t)
        for t in ("partners.action.session_scheduled", "partners.action.session_moved")
    )
    second_move = SessionMoved(
        action_id="citizenship", session_id="c-1", slot=a_slot(at(3, 10, month=4), place="Salle C")
    )
    await apply_all(catalogue.apply, filled.action(second_move))

    await apply_all(catalogue.apply, first_move, scheduled)

    _, items = await search(pool, action_type="citizenship")
    assert items[0]["sessions"] == [
        {
            "session_id": "c-1",
            "starts_at": at(3, 10, month=4),
            "ends_at": at(3, 12, month=4),
            "place": "Salle C",
            "seats_left": 10,
        }
    ]


async def test_facilitators_and_reasons_never_enter_the_catalogue(pool, filled):
    stored = repr([dict(r) for r in await pool.fetch("SELECT * FROM catalogue_actions")]) + repr(
        [dict(r) for r in await pool.fetch("SELECT * FROM catalogue_sessions")]
    )
    assert "workshop" in stored
    assert "Camille" not in stored and "salle indisponible" not in stored


# --- seats left (issue 13 #6) ---


async def seats_left(pool) -> dict[str, int]:
    _, items = await search(pool)
    return {s["session_id"]: s["seats_left"] for item in items for s in item["sessions"]}


async def test_a_sessions_seats_left_are_its_capacity_minus_the_places_ipros_positionings_hold(
    pool, filled, apply_all
):
    """issue 13 #6: a proposed or confirmed positioning holds a place; withdrawn, or cancelled with its
    session, it gives it back; a positioning applied twice counts once; each session counts its own."""
    ipro = History()
    for n in range(1, 4):
        ipro.positioning(a_positioning_proposed(f"pos-{n}", "workshop", "w-next"))
    ipro.positioning(a_positioning_proposed("pos-4", "citizenship", "c-1", partner_id="partner-2"))
    ipro.positioning(PositioningConfirmed(positioning_id="pos-1"))
    await apply_all(catalogue.apply_place, *ipro.envelopes, ipro.envelopes[0])

    assert await seats_left(pool) == {"w-next": 7, "w-night": 10, "c-1": 9}

    given_back = [
        ipro.positioning(PositioningWithdrawn(positioning_id="pos-2", reason="Libéré")),
        ipro.positioning(PositioningCancelled(positioning_id="pos-3", reason="Séance annulée")),
    ]
    await apply_all(catalogue.apply_place, *given_back, *given_back)

    assert await seats_left(pool) == {"w-next": 9, "w-night": 10, "c-1": 9}


async def test_who_is_positioned_never_enters_the_catalogue(pool, filled, apply_all):
    ipro = History()
    ipro.positioning(a_positioning_proposed("pos-1", "workshop", "w-next"))
    await apply_all(catalogue.apply_place, *ipro.envelopes)

    stored = repr([dict(r) for r in await pool.fetch("SELECT * FROM catalogue_places")])
    assert "pos-1" in stored and "person-" not in stored and "pathway-" not in stored
