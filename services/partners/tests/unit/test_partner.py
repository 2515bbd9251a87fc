import pytest

from contracts.partners import ContactPersonAdded, ContactPersonRemoved, PartnerAccredited, PartnerReinstated
from kernel.testing import given
from partners.domain import errors
from partners.domain.commands import (
    AddContactPerson,
    ReinstatePartner,
    RemoveContactPerson,
    SuspendPartner,
    WithdrawPartner,
)
from partners.domain.errors import (
    AccreditationExpiryInThePast,
    ContactPersonNotFound,
    PartnerAccreditationExpired,
    PartnerAlreadyRegistered,
    PartnerNotAccredited,
    PartnerNotFound,
    PartnerNotSuspended,
    SiretInvalid,
)
from partners.domain.partner import (
    Accreditation,
    Contact,
    ensure_may_host,
    evolve,
    initial_state,
    partner,
    standing,
)

from ..builders import (
    TODAY,
    a_contact_person_added,
    a_contact_person_removed,
    a_partner_accredited,
    a_partner_registered,
    a_partner_reinstated,
    a_partner_suspended,
    a_partner_withdrawn,
    accredit_partner,
    add_contact_person,
    create_action,
    days_from_today,
    paris_time,
    partner_standing,
    register_partner,
    utc,
)

REGISTERED = (a_partner_registered(),)
ACCREDITED = (*REGISTERED, a_partner_accredited())
SUSPENDED = (*ACCREDITED, a_partner_suspended())
REINSTATED = (*SUSPENDED, a_partner_reinstated())
WITHDRAWN = (*ACCREDITED, a_partner_withdrawn())


# --- registering ---


def test_registering_a_new_organisation_records_it():
    assert given(partner).when(register_partner()) == [a_partner_registered()]


def test_the_name_is_recorded_without_surrounding_spaces():
    assert given(partner).when(register_partner(name="  Mission locale  ")) == [
        a_partner_registered(name="Mission locale")
    ]


def test_an_organisation_cannot_be_registered_twice():
    with pytest.raises(PartnerAlreadyRegistered) as refused:
        given(partner, a_partner_registered()).when(register_partner())
    assert refused.value.code == "partner-already-registered"


@pytest.mark.parametrize(
    "siret", ["73282932000075", "7328293200007", "732829320000744", "7328293200007A", ""]
)
def test_a_siret_must_be_fourteen_digits_with_a_valid_checksum(siret):
    with pytest.raises(SiretInvalid) as refused:
        given(partner).when(register_partner(siret=siret))
    assert refused.value.code == "siret-invalid"


def test_evolve_folds_the_registration_into_state():
    state = evolve(initial_state, a_partner_registered(name="Mission locale d'Arras"))
    assert state.registered and state.name == "Mission locale d'Arras"


@pytest.mark.parametrize(
    "command",
    [
        add_contact_person(),
        RemoveContactPerson(contact_id="contact-1"),
        accredit_partner(),
        SuspendPartner(reason="Incident"),
        ReinstatePartner(),
        WithdrawPartner(reason="Fin du partenariat"),
    ],
    ids=["add contact", "remove contact", "accredit", "suspend", "reinstate", "withdraw"],
)
def test_an_organisation_that_was_never_registered_is_not_found(command):
    with pytest.raises(PartnerNotFound) as refused:
        given(partner).when(command)
    assert refused.value.code == "partner-not-found"


# --- contact persons ---


def test_a_contact_person_is_added():
    assert given(partner, *REGISTERED).when(add_contact_person()) == [
        ContactPersonAdded(
            partner_id="partner-1",
            contact_id="contact-1",
            full_name="Claire Martin",
            job_title="Chargée d'insertion",
            email="claire.martin@example.org",
            phone="03 21 00 00 00",
        )
    ]


def test_a_contact_person_needs_only_a_name():
    command = AddContactPerson(contact_id="contact-2", full_name="Karim Benali")
    assert given(partner, *REGISTERED).when(command) == [
        a_contact_person_added(
            contact_id="contact-2", full_name="Karim Benali", job_title="", email=None, phone=None
        )
    ]


def test_a_contact_person_is_not_listed_twice():
    with pytest.raises(errors.ContactPersonAlreadyAdded) as refused:
        given(partner, *REGISTERED, a_contact_person_added()).when(add_contact_person())
    assert refused.value.code == "contact-person-already-added"


def test_a_contact_person_is_removed():
    assert given(partner, *REGISTERED, a_contact_person_added()).when(
        RemoveContactPerson(contact_id="contact-1")
    ) == [ContactPersonRemoved(partner_id="partner-1", contact_id="contact-1")]


@pytest.mark.parametrize(
    "history",
    [
        REGISTERED,
        (*REGISTERED, a_contact_person_added(contact_id="contact-2")),
        (*REGISTERED, a_contact_person_added(), a_contact_person_removed()),
    ],
    ids=["no contact", "another contact", "already removed"],
)
def test_removing_an_unknown_contact_person_is_refused(history):
    with pytest.raises(ContactPersonNotFound) as refused:
        given(partner, *history).when(RemoveContactPerson(contact_id="contact-1"))
    assert refused.value.code == "contact-person-not-found"


def test_the_state_keeps_the_contact_persons_still_there():
    state = partner.fold(
        [
            *REGISTERED,
            a_contact_person_added(),
            a_contact_person_added(contact_id="contact-2", full_name="Karim"),
            a_contact_person_removed(contact_id="contact-1"),
        ]
    )
    assert state.contacts == (
        Contact(
            contact_id="contact-2",
            full_name="Karim",
            job_title="Chargée d'insertion",
            email="claire.martin@example.org",
            phone="03 21 00 00 00",
        ),
    )


# --- accreditation ---


def test_a_registered_organisation_is_accredited():
    command = accredit_partner(establishment="Maison d'arrêt d'Arras", accredited_until=days_from_today(180))
    assert given(partner, *REGISTERED).when(command) == [
        PartnerAccredited(
            partner_id="partner-1",
            establishment="Maison d'arrêt d'Arras",
            accredited_until=days_from_today(180),
        )
    ]


def test_an_accreditation_is_renewed_with_a_new_expiry_date():
    renewal = accredit_partner(accredited_until=days_from_today(730))
    assert given(partner, *ACCREDITED).when(renewal) == [
        a_partner_accredited(accredited_until=days_from_today(730))
    ]


def test_an_expired_accreditation_is_renewed():
    expired = a_partner_accredited(accredited_until=days_from_today(-30))
    assert given(partner, *REGISTERED, expired).when(accredit_partner()) == [a_partner_accredited()]


def test_an_accreditation_ending_tomorrow_is_granted():
    command = accredit_partner(accredited_until=days_from_today(1))
    assert given(partner, *REGISTERED).when(command) == [
        a_partner_accredited(accredited_until=days_from_today(1))
    ]


@pytest.mark.parametrize("days", [0, -1, -365], ids=["today", "yesterday", "last year"])
def test_an_accreditation_must_end_after_today(days):
    with pytest.raises(AccreditationExpiryInThePast) as refused:
        given(partner, *REGISTERED).when(accredit_partner(accredited_until=days_from_today(days)))
    assert refused.value.code == "accreditation-expiry-in-the-past"


def test_today_is_the_establishments_calendar_day():
    tomorrow = days_from_today(1)
    late_tonight = accredit_partner(accredited_until=tomorrow, now=utc(paris_time(0, 23, 30)))
    assert given(partner, *REGISTERED).when(late_tonight) == [a_partner_accredited(accredited_until=tomorrow)]
    # 00:30 in Paris tomorrow is still today in UTC, but tomorrow for the establishment.
    after_midnight = accredit_partner(accredited_until=tomorrow, now=utc(paris_time(1, 0, 30)))
    with pytest.raises(AccreditationExpiryInThePast):
        given(partner, *REGISTERED).when(after_midnight)


def test_a_suspended_organisation_is_reinstated_before_its_accreditation_is_renewed():
    with pytest.raises(errors.PartnerSuspended) as refused:
        given(partner, *SUSPENDED).when(accredit_partner())
    assert refused.value.code == "partner-suspended"


# --- suspension and reinstatement ---


def test_an_accredited_organisation_is_suspended():
    assert given(partner, *ACCREDITED).when(SuspendPartner(reason="Incident lors d'une séance")) == [
        a_partner_suspended(reason="Incident lors d'une séance")
    ]


def test_a_reinstated_organisation_can_be_suspended_again():
    assert given(partner, *REINSTATED).when(SuspendPartner(reason="Récidive")) == [
        a_partner_suspended(reason="Récidive")
    ]


def test_an_organisation_is_not_suspended_twice():
    with pytest.raises(errors.PartnerSuspended):
        given(partner, *SUSPENDED).when(SuspendPartner(reason="Encore"))


def test_only_an_accredited_organisation_is_suspended():
    with pytest.raises(PartnerNotAccredited) as refused:
        given(partner, *REGISTERED).when(SuspendPartner(reason="Incident"))
    assert refused.value.code == "partner-not-accredited"


def test_a_suspended_organisation_is_reinstated():
    assert given(partner, *SUSPENDED).when(ReinstatePartner()) == [PartnerReinstated(partner_id="partner-1")]


@pytest.mark.parametrize(
    "history", [REGISTERED, ACCREDITED, REINSTATED], ids=["registered", "accredited", "already reinstated"]
)
def test_only_a_suspended_organisation_is_reinstated(history):
    with pytest.raises(PartnerNotSuspended) as refused:
        given(partner, *history).when(ReinstatePartner())
    assert refused.value.code == "partner-not-suspended"


# --- withdrawal ---


@pytest.mark.parametrize(
    "history", [REGISTERED, ACCREDITED, SUSPENDED], ids=["registered", "accredited", "suspended"]
)
def test_an_organisation_is_withdrawn_whatever_its_standing(history):
    assert given(partner, *history).when(WithdrawPartner(reason="Fin du partenariat")) == [
        a_partner_withdrawn(reason="Fin du partenariat")
    ]


@pytest.mark.parametrize(
    "command",
    [
        add_contact_person(),
        RemoveContactPerson(contact_id="contact-1"),
        accredit_partner(),
        SuspendPartner(reason="Incident"),
        ReinstatePartner(),
        WithdrawPartner(reason="Encore"),
    ],
    ids=["add contact", "remove contact", "accredit", "suspend", "reinstate", "withdraw again"],
)
def test_withdrawal_is_final(command):
    history = (*REGISTERED, a_contact_person_added(), a_partner_accredited(), a_partner_withdrawn())
    with pytest.raises(errors.PartnerWithdrawn) as refused:
        given(partner, *history).when(command)
    assert refused.value.code == "partner-withdrawn"


def test_a_command_of_another_aggregate_is_a_programming_error():
    with pytest.raises(TypeError):
        given(partner, *REGISTERED).when(*create_action())


# --- accreditation on a given day ---


@pytest.mark.parametrize(
    "history, on, expected",
    [
        (REGISTERED, TODAY, Accreditation.NONE),
        (ACCREDITED, TODAY, Accreditation.ACCREDITED),
        (ACCREDITED, days_from_today(365), Accreditation.ACCREDITED),
        (ACCREDITED, days_from_today(366), Accreditation.EXPIRED),
        (SUSPENDED, TODAY, Accreditation.SUSPENDED),
        (REINSTATED, TODAY, Accreditation.ACCREDITED),
        (WITHDRAWN, TODAY, Accreditation.WITHDRAWN),
        ((*SUSPENDED, a_partner_withdrawn()), TODAY, Accreditation.WITHDRAWN),
    ],
    ids=[
        "never accredited",
        "accredited",
        "on the expiry day",
        "after the expiry day",
        "suspended",
        "reinstated",
        "withdrawn",
        "withdrawn while suspended",
    ],
)
def test_the_accreditation_on_a_day(history, on, expected):
    assert partner.fold(history).accreditation(on=on) == expected


def test_a_renewal_pushes_the_expiry_date_back():
    state = partner.fold([*ACCREDITED, a_partner_accredited(accredited_until=days_from_today(730))])
    assert state.accreditation(on=days_from_today(500)) == Accreditation.ACCREDITED


def test_the_state_records_the_suspension_reason_until_reinstatement():
    assert partner.fold(SUSPENDED).suspension_reason == "Incident lors d'une séance"
    assert partner.fold(REINSTATED).suspension_reason is None


# --- standing, as other aggregates see it ---


@pytest.mark.parametrize(
    "history, expected",
    [
        (REGISTERED, partner_standing(accredited_until=None)),
        (ACCREDITED, partner_standing()),
        (SUSPENDED, partner_standing(suspended=True)),
        (REINSTATED, partner_standing()),
        (WITHDRAWN, partner_standing(withdrawn=True)),
    ],
    ids=["registered", "accredited", "suspended", "reinstated", "withdrawn"],
)
def test_the_standing_of_an_organisation(history, expected):
    assert standing(partner.fold(history)) == expected


def test_an_accredited_organisation_may_host_sessions_until_its_expiry_day_included():
    assert ensure_may_host(partner_standing(accredited_until=TODAY), on=TODAY) is None


@pytest.mark.parametrize(
    "standing_, error, code",
    [
        (partner_standing(withdrawn=True), errors.PartnerWithdrawn, "partner-withdrawn"),
        (partner_standing(suspended=True), errors.PartnerSuspended, "partner-suspended"),
        (partner_standing(accredited_until=None), PartnerNotAccredited, "partner-not-accredited"),
        (
            partner_standing(accredited_until=days_from_today(-1)),
            PartnerAccreditationExpired,
            "partner-accreditation-expired",
        ),
    ],
    ids=["withdrawn", "suspended", "never accredited", "expired"],
)
def test_an_organisation_hosts_sessions_only_while_accredited(standing_, error, code):
    with pytest.raises(error) as refused:
        ensure_may_host(standing_, on=TODAY)
    assert refused.value.code == code
