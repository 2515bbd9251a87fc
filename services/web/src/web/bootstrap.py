"""The web app: `uvicorn --factory web.bootstrap:create_app` (what `make up` runs, on port 8000)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from web.api import Api, ServiceUnavailable, TokenRefused
from web.messages import Refusal
from web.navigation import home_of
from web.pages import (
    assessment,
    assessment_contributions,
    assessment_start,
    attendance,
    audit,
    audit_verification,
    consultations,
    group_planning,
    indicators,
    interview_appointment,
    ipro_pathway,
    login,
    movements,
    partner_actions,
    partner_calls,
    partner_proposals,
    person_file,
    plan,
    programmes,
    queue,
    referral,
    schedule,
    search,
)
from web.rendering import render
from web.session import LoginRequired, current_user, log_out, login_url
from web.settings import LoginMode, WebSettings

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "passerelle_session"

# Each page's router (see services/web/README.md, "Adding a page").
PAGES = (
    login.router,
    queue.router,
    search.router,
    person_file.router,
    assessment_start.router,
    interview_appointment.router,
    audit.router,
    audit_verification.router,
    consultations.router,
    assessment.router,
    assessment_contributions.router,
    plan.router,
    schedule.router,
    movements.router,
    indicators.router,
    group_planning.router,  # before programmes: /groupes/nouveau is not a group's id
    programmes.router,
    referral.router,
    attendance.router,
    partner_calls.router,
    partner_proposals.router,
    partner_actions.router,
    ipro_pathway.router,
)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.api_timeout_seconds) as client:
            app.state.api = Api(client, settings.service_urls())
            yield

    app = FastAPI(title="Passerelle", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.dev_keys = _dev_keys(settings) if settings.login_mode == LoginMode.DEV else None
    if settings.login_mode == LoginMode.OIDC:
        from web.oidc import oidc_client

        app.state.oidc = oidc_client(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.session_https_only,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def protective_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")  # no page inside another site's frame
        response.headers.setdefault("Referrer-Policy", "same-origin")  # person ids stay off other sites' logs
        if not request.url.path.startswith("/static/"):
            # Pages show people's data: nothing kept in a shared computer's cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    for router in PAGES:
        app.include_router(router)

    @app.get("/health", include_in_schema=False)
    async def health() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/", include_in_schema=False)
    async def home(request: Request):
        user = current_user(request)
        return RedirectResponse(home_of(user.role) if user else "/connexion", status_code=303)

    @app.get("/accueil", include_in_schema=False)
    async def landing(request: Request):
        if current_user(request) is None:
            raise LoginRequired("/accueil")
        return render(request, "pages/landing.html", title="Accueil")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, error: LoginRequired):
        return _redirect(request, login_url(error.next_path))

    @app.exception_handler(TokenRefused)
    async def token_refused(request: Request, error: TokenRefused):
        log_out(request)
        return _redirect(request, login_url(request.url.path))

    @app.exception_handler(Refusal)
    async def refused(request: Request, refusal: Refusal):
        # A page that did not catch it: its data was refused as a whole.
        return render(
            request,
            "pages/error.html",
            partial="partials/error.html",  # htmx swaps the refusal in place of the part it asked for
            status_code=refusal.status,
            title="Demande refusée",
            messages=list(refusal.messages.values()),
        )

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, error: ServiceUnavailable):
        return render(
            request,
            "pages/error.html",
            status_code=503,
            title="Service indisponible",
            messages=["Un service de Passerelle ne répond pas pour le moment : réessayez dans un instant."],
        )

    return app


def _redirect(request: Request, url: str):
    # An htmx request follows a redirect inside its target; HX-Redirect makes the whole page go there.
    if request.headers.get("HX-Request") == "true":
        return PlainTextResponse("", headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _dev_keys(settings: WebSettings):
    """The development key pair, loaded on the first login (devinfra is the `dev-login` extra only)."""

    @cache
    def load():
        from devinfra.tokens import DevKeys

        return DevKeys.load_or_create(settings.dev_keys_dir)

    return load
