"""Who is logged in: the user's access token and what the pages show of them, kept in the signed session
cookie (Starlette's SessionMiddleware: HttpOnly, SameSite=Lax, signed with the app's secret). The token is
the one the services check; the pages never decide anything from the role but what to link to."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

SESSION_KEY = "user"


@dataclass(frozen=True)
class User:
    token: str
    role: str
    subject: str
    name: str
    organisation_id: str | None = None


class LoginRequired(Exception):
    """No one is logged in, or the services no longer accept the token: the app answers with the login page."""

    def __init__(self, next_path: str = "/") -> None:
        self.next_path = next_path


def log_in(request: Request, user: User) -> None:
    request.session.clear()  # a new session for a new user: nothing of the previous one is carried over
    request.session[SESSION_KEY] = asdict(user)


def log_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request) -> User | None:
    stored = request.session.get(SESSION_KEY)
    return User(**stored) if isinstance(stored, dict) else None


async def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return user


def login_url(next_path: str) -> str:
    return "/connexion" + (f"?suite={quote(next_path, safe='/')}" if next_path not in ("", "/") else "")


CurrentUser = Annotated[User, Depends(require_user)]
