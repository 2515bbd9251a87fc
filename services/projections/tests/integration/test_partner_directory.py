"""The partner directory against the real database: events applied, then searched as the HTTP route does."""

from datetime import timedelta

import pytest

from contracts.partners import (
    ContactPersonAdded,
    PartnerReinstated,
    PartnerSuspended,
    PartnerWithdrawn,
    accreditation_expires_soon,
)
from projections import partner_directory
from services.projections.tests.builders import TODAY, History, a_partner_accredited, a_partner_registered

pytestmark = pytest.mark.integration


async def entries(pool, *, today=TODAY, **filters) -> dict[str, dict]:
    async with pool.acquire() as connection:
        listed = await partner_directory.search(connection, today=today, **filters)
    return {r["partner_id"]: dict(r) for r in listed.rows}


async def status_of(pool, partner_id: str = "partner-1", **kw) -> tuple:
    entry = (await entries(pool, **kw))[partner_id]
    return entry["accreditation_status"], entry["accredited_until"], entry["accreditation_expires_soon"]


async def test_the_accreditation_status_follows_the_organisation_through_its_life(pool, apply_all):
    history, apply = History(), lambda e: apply_all(partner_directory.apply, e)
    until = TODAY + timedelta(days=200)

    await apply(history.partner(a_partner_registered()))
    assert await status_of(pool) == ("none", None, False)
    await apply(history.partner(a_partner_accredited(until=until)))
    assert await status_of(pool) == ("accredited", until, False)
    await apply(history.partner(PartnerSuspended(partner_id="partner-1", reason="incident en détention")))
    assert await status_of(pool) == ("suspended", until, False)
    await apply(history.partner(PartnerReinstated(partner_id="partner-1")))
    assert await status_of(pool) == ("accredited", until, False)
    await apply(history.partner(PartnerSuspended(partner_id="partner-1", reason="second incident")))
    await apply(history.partner(PartnerWithdrawn(partner_id="partner-1", reason="fin du partenariat")))
    assert await status_of(pool) == ("withdrawn", until, False)


async def test_an_accreditation_expires_after_its_last_day_and_is_flagged_as_the_partners_service_flags_it(
    pool, apply_all
):
    history = History()
    until = TODAY + timedelta(days=40)
    await apply_all(
        partner_directory.apply,
        history.partner(a_partner_registered()),
        history.partner(a_partner_accredited(until=until)),
    )

    assert await status_of(pool, today=until - timedelta(days=30)) == ("accredited", until, False)
    assert await status_of(pool, today=until - timedelta(days=29)) == ("accredited", until, True)
    assert await status_of(pool, today=until) == ("accredited", until, True)
    for days_left in range(0, 40):  # one rule for the directory and the partners API
        day = until - timedelta(days=days_left)
        assert (await status_of(pool, today=day))[2] == accreditation_expires_soon(until, day), days_left
    assert await status_of(pool, today=until + timedelta(days=1)) == ("expired", until, False)


async def test_a_renewal_replaces_the_expiry_date(pool, apply_all):
    history = History()
    await apply_all(
        partner_directory.apply,
        history.partner(a_partner_registered()),
        history.partner(a_partner_accredited(until=TODAY - timedelta(days=3))),
        history.partner(a_partner_accredited(until=TODAY + timedelta(days=365))),
    )
    assert await status_of(pool) == ("accredited", TODAY + timedelta(days=365), False)


async def test_the_directory_filters_by_accreditation_status_and_a_partner_sees_only_itself(pool, apply_all):
    history = History()
    await apply_all(
        partner_directory.apply,
        history.partner(a_partner_registered(partner_id="p-none", name="Aucune")),
        history.partner(a_partner_registered(partner_id="p-ok", name="Habilitée")),
        history.partner(a_partner_accredited("p-ok")),
        history.partner(a_partner_registered(partner_id="p-old", name="Expirée")),
        history.partner(a_partner_accredited("p-old", until=TODAY - timedelta(days=1))),
        history.partner(a_partner_registered(partner_id="p-out", name="Retirée")),
        history.partner(PartnerWithdrawn(partner_id="p-out", reason="fermeture")),
    )

    for status, expected in {
        "none": {"p-none"},
        "accredited": {"p-ok"},
        "expired": {"p-old"},
        "withdrawn": {"p-out"},
        "suspended": set(),
    }.items():
        assert set(await entries(pool, accreditation_status=status)) == expected, status
    async with pool.acquire() as connection:
        other = await partner_directory.search(
            connection, today=TODAY, accreditation_status="expired", only_partner="p-ok", limit=10
        )
        assert (other.total, other.rows) == (0, [])
        own = await partner_directory.search(connection, today=TODAY, only_partner="p-ok")
        assert own.total == 1 and [r["partner_id"] for r in own.rows] == ["p-ok"]


async def test_a_duplicate_or_older_event_changes_nothing(pool, apply_all):
    history = History()
    registered, _, suspended, _ = events = [
        history.partner(a_partner_registered()),
        history.partner(a_partner_accredited()),
        history.partner(PartnerSuspended(partner_id="partner-1", reason="incident")),
        history.partner(PartnerReinstated(partner_id="partner-1")),
    ]
    await apply_all(partner_directory.apply, *events)

    await apply_all(partner_directory.apply, suspended, registered)

    assert (await status_of(pool))[0] == "accredited"


async def test_contact_persons_never_enter_the_directory(pool, apply_all):
    history = History()
    await apply_all(
        partner_directory.apply,
        history.partner(a_partner_registered()),
        history.partner(
            ContactPersonAdded(
                partner_id="partner-1",
                contact_id="c-1",
                full_name="Jeanne Martin",
                email="jeanne.martin@example.org",
                phone="0601020304",
            )
        ),
    )

    rows = await pool.fetch("SELECT * FROM directory_partners")
    assert len(rows) == 1
    stored = repr([dict(r) for r in rows])
    assert "Jeanne" not in stored and "jeanne.martin" not in stored and "0601020304" not in stored
