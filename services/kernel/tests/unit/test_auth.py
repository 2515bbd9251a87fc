"""Tokens and route policies: the kernel trusts the roles the services declare, and limits to their
organisation the roles the services say are limited, with no role name of its own."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi import Depends, FastAPI
from starlette.requests import Request

from contracts.roles import ESTABLISHMENT, RoleModel
from devinfra.tokens import DevKeys
from kernel.access import RoleNotAllowed
from kernel.auth import KeySet, TokenVerifier, allow, jwks_file
from kernel.errors import NotAuthenticated
from kernel.http import roles_not_in, service_router

GUILD = RoleModel(
    roles=frozenset({"smith", "merchant"}),
    organisation_roles=frozenset({"merchant"}),
    organisation_claim="shop",
)


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> DevKeys:
    return DevKeys.load_or_create(tmp_path_factory.mktemp("keys"))


def verifier(keys: DevKeys, roles: RoleModel = ESTABLISHMENT) -> TokenVerifier:
    return TokenVerifier(
        KeySet(jwks_file(keys.jwks_path), lifetime=300, refetch_interval=30),
        issuer="passerelle-dev",
        audience="passerelle",
        roles=roles,
    )


def token(keys: DevKeys, roles: list[str], **claims) -> str:
    now = datetime.now(UTC)
    body = {
        "iss": "passerelle-dev",
        "aud": "passerelle",
        "sub": "user-1",
        "roles": roles,
        "iat": now,
        "exp": now + timedelta(minutes=5),
        **claims,
    }
    return jwt.encode(body, keys.private_key, algorithm="RS256", headers={"kid": keys.kid, "typ": "at+jwt"})


async def test_a_role_the_service_does_not_know_is_dropped_from_the_token(keys):
    principal = await verifier(keys).verify(token(keys, ["cpip", "sorcier"]))
    assert principal.roles == frozenset({"cpip"}) and principal.organisation_scope is None


async def test_a_role_limited_to_an_organisation_carries_the_one_its_token_names(keys):
    merchant = await verifier(keys, GUILD).verify(token(keys, ["merchant"], shop="shop-7"))
    assert merchant.organisation_scope == "shop-7"
    assert (
        await verifier(keys, GUILD).verify(token(keys, ["smith"], shop="shop-7"))
    ).organisation_scope is None


async def test_a_limited_role_whose_token_names_no_organisation_sees_nothing_rather_than_everything(keys):
    assert (await verifier(keys).verify(token(keys, ["partenaire"]))).organisation_scope == ""


async def test_a_staff_token_carries_the_establishments_it_lists(keys):
    dpip = await verifier(keys).verify(token(keys, ["dpip"], establishments=["CP Arras", "CD Bapaume"]))
    assert dpip.establishments == frozenset({"CP Arras", "CD Bapaume"})
    assert dpip.reaches("CP Arras") and not dpip.reaches("MA de Lille") and not dpip.reaches(None)
    assert dpip.perimeter == ["CD Bapaume", "CP Arras"]


async def test_a_staff_token_listing_no_establishment_reaches_none_rather_than_every_one(keys):
    for claims in ({}, {"establishments": []}):
        auditor = await verifier(keys).verify(token(keys, ["auditeur"], **claims))
        assert auditor.establishments == frozenset() and auditor.perimeter == []
        assert not auditor.reaches("CP Arras")


async def test_the_establishments_are_matched_exactly_as_the_services_record_them(keys):
    dpip = await verifier(keys).verify(token(keys, ["dpip"], establishments=["CP Arras"]))
    assert not dpip.reaches("cp arras") and not dpip.reaches("CP Arras ")


@pytest.mark.parametrize(
    "establishments", ["CP Arras", {"CP Arras": True}, ["CP Arras", 7], [""], None], ids=repr
)
async def test_establishments_that_are_not_a_list_of_names_are_refused_not_a_500(keys, establishments):
    with pytest.raises(NotAuthenticated, match="establishments must be a list of establishment names"):
        await verifier(keys).verify(token(keys, ["dpip"], establishments=establishments))


async def test_a_role_limited_to_an_organisation_is_not_limited_by_establishment(keys):
    partner = await verifier(keys).verify(token(keys, ["partenaire"], org="org-1"))
    assert partner.establishments is None and partner.perimeter is None
    assert partner.reaches("CP Arras")


async def test_a_token_from_another_issuer_is_not_trusted(keys):
    with pytest.raises(NotAuthenticated):
        await verifier(keys).verify(token(keys, ["cpip"], iss="elsewhere"))


def request_with(headers: dict[str, str], verifier_: TokenVerifier) -> Request:
    app = FastAPI()
    app.state.token_verifier = verifier_
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "app": app, "headers": raw, "state": {}})


async def test_a_policy_refuses_a_missing_token_then_a_role_it_does_not_allow(keys):
    policy = allow("dpip")
    with pytest.raises(NotAuthenticated):
        await policy.check(request_with({}, verifier(keys)))
    with pytest.raises(RoleNotAllowed):
        await policy.check(request_with({"Authorization": f"Bearer {token(keys, ['cpip'])}"}, verifier(keys)))
    allowed = await policy.check(
        request_with({"Authorization": f"Bearer {token(keys, ['dpip'])}"}, verifier(keys))
    )
    assert allowed.roles == frozenset({"dpip"})


def test_a_route_that_allows_a_role_no_token_can_carry_is_found_before_the_app_starts():
    router = service_router()

    @router.get("/forge")
    async def forge(_: object = Depends(allow("smith", "wizard"))) -> None: ...

    app = FastAPI()
    app.include_router(router)
    assert roles_not_in(app, GUILD.roles) == ["['GET'] /forge: ['wizard']"]
