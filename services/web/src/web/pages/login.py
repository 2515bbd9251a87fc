"""Logging in and out. Locally (`WEB_LOGIN_MODE=dev`) a user picks a demo identity, and the app mints its
token with the development keys, as `make token` does; in production (`oidc`) the identity provider
authenticates them (`web.oidc`). Either way the access token lands in the signed session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from contracts.roles import PARTNER
from web.messages import FORM
from web.navigation import home_of
from web.oidc import unverified_claims
from web.rendering import render
from web.roles import DEMO_USERS, ROLE_LABELS, demo_user, main_role
from web.session import User, log_in, log_out
from web.settings import LoginMode

router = APIRouter()


def _safe_next(path: str | None) -> str | None:
    # Only a path of this site: an absolute or protocol-relative URL would make the login an open redirect.
    return path if path and path.startswith("/") and not path.startswith("//") else None


@router.get("/connexion")
async def login_page(request: Request, suite: str | None = None):
    return render(
        request,
        "pages/login.html",
        title="Connexion",
        mode=request.app.state.settings.login_mode,
        demo_users=DEMO_USERS,
        role_labels=ROLE_LABELS,
        suite=_safe_next(suite),
        chosen=None,
        organisation="",
    )


@router.post("/connexion")
async def dev_login(
    request: Request,
    identite: Annotated[str, Form()] = "",
    organisation: Annotated[str, Form()] = "",
    suite: Annotated[str, Form()] = "",
):
    settings = request.app.state.settings
    if settings.login_mode != LoginMode.DEV:
        return RedirectResponse("/connexion", status_code=303)
    chosen = demo_user(identite)
    organisation = organisation.strip()
    errors = {}
    if chosen is None:
        errors["identite"] = "Choisissez une identité."
    elif chosen.role == PARTNER and not organisation:
        # A partner's token without its organisation reaches nothing (the services fail closed).
        errors["organisation"] = "Indiquez l'identifiant de votre organisation partenaire."
    if errors:
        return render(
            request,
            "pages/login.html",
            status_code=422,
            title="Connexion",
            mode=settings.login_mode,
            demo_users=DEMO_USERS,
            role_labels=ROLE_LABELS,
            suite=_safe_next(suite),
            chosen=identite,
            organisation=organisation,
            errors=errors,
        )
    token = request.app.state.dev_keys().mint(
        chosen.role, subject=chosen.subject, organisation_id=organisation if chosen.role == PARTNER else None
    )
    user = User(
        token=token,
        role=chosen.role,
        subject=chosen.subject,
        name=chosen.name,
        organisation_id=organisation or None,
    )
    log_in(request, user)
    return RedirectResponse(_safe_next(suite) or home_of(user.role), status_code=303)


@router.get("/connexion/oidc")
async def oidc_login(request: Request):
    client = request.app.state.oidc
    return await client.authorize_redirect(request, str(request.url_for("oidc_callback")))


@router.get("/connexion/retour", name="oidc_callback")
async def oidc_callback(request: Request):
    from authlib.integrations.base_client import OAuthError

    try:
        token = await request.app.state.oidc.authorize_access_token(request)
    except OAuthError:
        # Refused at the provider, a stale or forged state, a code already used: start again.
        return _oidc_failed(request, 400, "La connexion n'a pas abouti : recommencez.")
    access_token = token["access_token"]
    claims = unverified_claims(access_token)
    role = main_role(list(claims.get("roles") or []))
    if role is None:
        return _oidc_failed(
            request, 403, "Votre compte n'a aucun rôle dans Passerelle : adressez-vous à votre DPIP."
        )
    userinfo = token.get("userinfo") or {}
    user = User(
        token=access_token,
        role=role,
        subject=str(claims.get("sub", "")),
        name=str(userinfo.get("name") or claims.get("sub", "")),
        organisation_id=claims.get("org"),
    )
    log_in(request, user)
    return RedirectResponse(home_of(role), status_code=303)


def _oidc_failed(request: Request, status: int, message: str):
    return render(
        request,
        "pages/login.html",
        status_code=status,
        title="Connexion",
        mode=LoginMode.OIDC,
        errors={FORM: message},
    )


@router.post("/deconnexion")
async def logout(request: Request):
    log_out(request)
    return RedirectResponse("/connexion", status_code=303)
