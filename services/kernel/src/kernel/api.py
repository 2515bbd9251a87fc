"""What the routes of every service share: request bodies that refuse unknown fields, paging, and the
request's clock (the app's injected clock, so tests can move time)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


class RequestBody(BaseModel):
    """A request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]


def now(request: Request) -> datetime:
    return request.app.state.event_store.clock()
