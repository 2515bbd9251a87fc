"""What the routes of every service share: the app's infrastructure as `Annotated` dependencies (the only
place that reaches `request.app.state`), request bodies that refuse unknown fields, ids, labels, paging.

A route declares what it needs (`store: Store`, `db: Db`, `now: Now`, `today: Today`, `settings: Settings`)
and never reaches into the app; tests move time through the app's injected clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
from fastapi import Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kernel.clock import local_date
from kernel.eventstore import EventStore
from kernel.pages import COUNT_CAP, Listed
from kernel.settings import ServiceSettings

T = TypeVar("T")


# --- the app's infrastructure ---
# The dependencies are coroutines: FastAPI runs a plain function (or a class) in a worker thread, and each such
# hop cost a request about 0.1 ms of CPU and a thread switch, for what is an attribute read.


def store_of(request: Request) -> EventStore:
    return request.app.state.event_store


async def event_store(request: Request) -> EventStore:
    return store_of(request)


async def database(request: Request) -> asyncpg.Pool:
    return store_of(request).pool


async def service_settings(request: Request) -> Any:
    return request.app.state.settings


async def runtime(request: Request) -> Any:
    """The running service's loops and clients (`service.Runtime`), for the operations routes."""
    return request.app.state.runtime


def token_verifier(request: Request) -> Any:
    return request.app.state.token_verifier


def rate_limits(request: Request) -> Any:
    """The app's request budgets (`http.RateLimits`); None in an app that keeps none."""
    return getattr(request.app.state, "rate_limits", None)


async def now(request: Request) -> datetime:
    return store_of(request).clock()


async def today(request: Request) -> date:
    """The establishment's calendar day."""
    return local_date(store_of(request).clock())


Store = Annotated[EventStore, Depends(event_store)]
Db = Annotated[asyncpg.Pool, Depends(database)]
Settings = Annotated[ServiceSettings, Depends(service_settings)]
Now = Annotated[datetime, Depends(now)]
Today = Annotated[date, Depends(today)]


# --- request values ---

# Ids in paths: uuids, or ids derived from one with a short prefix ("work-<uuid>").
ID_PATTERN = r"^[A-Za-z0-9-]+$"
ID_MAX_LENGTH = 120
Id = Annotated[str, Path(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
IdFilter = Annotated[str | None, Query(max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
# A list's filter on a name or a user id (an establishment, a referent, an adviser): as long as a Label.
LabelFilter = Annotated[str | None, Query(max_length=200)]
# Days asked for in a query stay within the calendar an establishment uses: a day at the calendar's edge
# (0001-01-01) would overflow once it becomes an instant of the establishment's time zone.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2199, 12, 31)


def day_query(description: str | None = None, *, alias: str | None = None) -> Any:
    """A `Query` for an optional calendar day, refused (422) outside EARLIEST_DAY … LATEST_DAY."""
    return Query(alias=alias, description=description, ge=EARLIEST_DAY, le=LATEST_DAY)


# Names and places: surrounding blanks dropped, never empty once they are.
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Why something was refused, cancelled, suspended.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Notes, evidence, syntheses.
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]

Limit = Annotated[int, Query(ge=1, le=500)]
# A page's position: the `next` of the page before (kernel.pages). Opaque to clients; bounded, so that a
# forged one costs nothing to refuse.
After = Annotated[str | None, Query(max_length=2000, description="the `next` of the previous page")]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list, in the list's order. `next` fetches the following one (`?after=<next>`), at the
    same cost however deep; the total is counted up to `COUNT_CAP` rows (ADR 36)."""

    items: list[T]
    total: int = Field(
        description=f"rows matching, counted up to {COUNT_CAP}: a lower bound unless total_exact"
    )
    total_exact: bool
    next: str | None = Field(description="pass as `after` for the next page; null on the last page")

    @classmethod
    def of(cls, listed: Listed, items: list[T]) -> Page[T]:
        return cls(items=items, total=listed.total, total_exact=listed.total_exact, next=listed.next)
