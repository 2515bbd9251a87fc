"""Every GET route of every service that reads something about a person declares its journal entry
(kernel.journal, docs/audit.md): those taking a person's or a case's id, and those listing people. Walks the
routes of the five apps, like the policy test; no infrastructure."""

import pytest
from fastapi.dependencies.utils import get_flat_dependant
from fastapi.routing import APIRoute

from devinfra import subject_ids
from kernel.journal import is_journaled
from tests.security.test_route_policies import FACTORIES

# Ids that name a person, or something only ever about one person (a case, an assessment, a pathway...), or
# a group of people (a programme group: its participants and register).
PERSON_IDS = {
    "subject_id",
    "case_id",
    "assessment_id",
    "plan_id",
    "pathway_id",
    "referral_id",
    "positioning_id",
    "training_id",
    "group_id",
}
# Routes that take no such id but list people.
PERSON_LISTS = {
    ("assessment", "/cases"),
    ("assessment", "/deadlines"),
    ("ipro", "/pathways"),
    ("ipro", "/positionings"),
    ("ipro", "/caseload"),
    ("ipro", "/waiting-lists"),
    ("ipro", "/posts"),
    ("projections", "/persons"),
    ("projections", "/movements"),
    ("projections", "/movements.html"),
    ("projections", "/audit/access"),
    ("projections", "/audit/streams/{stream_id}"),  # the events of a stream, about its persons
    ("projections", "/queues/mine"),  # a work queue names the people it is about
    ("projections", "/queues/mine.html"),
    ("projections", "/queues/{role}"),
    # The people of partner organisations (contact persons, facilitators): nobody the SPIP follows, but
    # personal data all the same, which auditors read masked (ADR 31).
    ("partners", "/partners/{partner_id}"),
    ("partners", "/proposals/{proposal_id}"),
    ("partners", "/actions/{action_id}"),
}
# Journaled though they name no one: the auditors' integrity report (ADR 30 addendum), journaled as every
# `/audit/*` read, so that who checked the log, and when, is on record too.
NAMING_NO_ONE = {("projections", "/audit/checkpoints")}
# Reads about a person that are deliberately not journaled, and why.
NOT_JOURNALED = {
    # A front-end polls it every few seconds; it shows only whether the file changed, to those who may read
    # it. Its refusals are journaled, as every route's are.
    ("projections", "/persons/{subject_id}/file/changes"): "a poll"
}


@pytest.fixture(scope="module")
def apps(dev_keys):
    return {
        name: factory(
            settings(
                database_url="postgresql://unused/unused",
                auth_jwks_file=dev_keys.jwks_path,
                subject_id_secret=subject_ids.TEST_SECRET,  # assessment's; the others ignore it
            )
        )
        for name, (factory, settings) in FACTORIES.items()
    }


def get_routes(apps):
    for service, app in apps.items():
        for route in app.routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                yield service, route


def takes_a_person_id(route: APIRoute) -> bool:
    flat = get_flat_dependant(route.dependant)
    return bool({p.name for p in flat.path_params + flat.query_params} & PERSON_IDS)


def test_every_read_about_a_person_declares_its_journal_entry(apps):
    about_people = {
        (service, route.path)
        for service, route in get_routes(apps)
        if takes_a_person_id(route) or (service, route.path) in PERSON_LISTS
    }
    journaled = {(service, route.path) for service, route in get_routes(apps) if is_journaled(route)}
    assert about_people - set(NOT_JOURNALED) - journaled == set(), "reads of personal data not journaled"
    assert journaled - about_people - NAMING_NO_ONE == set(), (
        "journaled routes this test does not know: add them"
    )
    assert journaled >= NAMING_NO_ONE
    assert set(NOT_JOURNALED) <= about_people and not set(NOT_JOURNALED) & journaled


def test_the_walk_finds_reads_in_every_service_that_has_people(apps):
    """The partners service follows nobody, but its organisations name their contact persons and its proposals
    and actions their facilitators."""
    journaled = {service for service, route in get_routes(apps) if is_journaled(route)}
    assert journaled == {"assessment", "partners", "programmes", "ipro", "projections"}
