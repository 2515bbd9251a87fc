"""The call for expression of interest (AMI): draft → published → closed → archived."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from contracts import Event
from contracts.partners import CallArchived, CallClosed, CallContent, CallDrafted, CallPublished, CallRevised
from kernel.clock import local_date
from kernel.decider import Decider
from kernel.wording import day
from partners.domain import errors, names
from partners.domain.commands import ArchiveCall, CloseCall, Command, DraftCall, PublishCall, ReviseCall
from partners.domain.facts import CallWindow


class CallStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class Call(BaseModel):
    model_config = ConfigDict(frozen=True)

    call_id: str | None = None
    status: CallStatus | None = None
    content: CallContent | None = None

    def is_open(self, on: date) -> bool:
        """Published and within its dates (`queries.calls` sorts by the same rule, in SQL)."""
        return self.status == CallStatus.PUBLISHED and self.content.opens_on <= on <= self.content.closes_on


initial_state = Call()


def window(state: Call) -> CallWindow:
    content = state.content
    return CallWindow(
        call_id=state.call_id,
        title=content.title,
        published=state.status == CallStatus.PUBLISHED,
        theme=content.theme,
        opens_on=content.opens_on,
        closes_on=content.closes_on,
        target_themes=content.target_themes,
    )


def decide(command: Command, state: Call, facts: None = None) -> list[Event]:
    if isinstance(command, DraftCall):
        if state.status is not None:
            raise errors.CallAlreadyExists(
                f"{names.call(state.content.title)} already exists",
                existing=f"/calls/{command.call_id}",
                call_id=command.call_id,
            )
        _check_dates(command.content)
        return [CallDrafted(call_id=command.call_id, content=command.content)]
    if state.status is None:
        raise errors.CallNotFound("no such call")
    match command:
        case ReviseCall():
            _ensure_status(state, CallStatus.DRAFT, errors.CallNotDraft, "only a draft call can be revised")
            _check_dates(command.content)
            return [CallRevised(call_id=state.call_id, content=command.content)]
        case PublishCall():
            _ensure_status(state, CallStatus.DRAFT, errors.CallNotDraft, "only a draft call can be published")
            if state.content.closes_on < local_date(command.now):
                raise errors.CallClosingDatePassed(
                    f"the closing date of {names.call(state.content.title)}, {day(state.content.closes_on)}, has "
                    "passed"
                )
            return [CallPublished(call_id=state.call_id)]
        case CloseCall():
            _ensure_status(
                state, CallStatus.PUBLISHED, errors.CallNotPublished, "only a published call closes"
            )
            return [CallClosed(call_id=state.call_id, closed_on=local_date(command.now))]
        case ArchiveCall():
            _ensure_status(
                state, CallStatus.CLOSED, errors.CallNotClosed, "only a closed call can be archived"
            )
            return [CallArchived(call_id=state.call_id)]
    raise TypeError(f"the call aggregate does not handle {type(command).__name__}")


def _check_dates(content: CallContent) -> None:
    if content.closes_on < content.opens_on:
        raise errors.CallDatesInvalid(
            f"the closing date of {names.call(content.title)}, {day(content.closes_on)}, is before its opening "
            f"date, {day(content.opens_on)}"
        )


def _ensure_status(state: Call, status: CallStatus, error: type[errors.DomainError], message: str) -> None:
    if state.status != status:
        shown = "a draft" if state.status == CallStatus.DRAFT else state.status.value
        raise error(f"{names.call(state.content.title)} is {shown}: {message}")


def evolve(state: Call, event: Event) -> Call:
    match event:
        case CallDrafted():
            return Call(call_id=event.call_id, status=CallStatus.DRAFT, content=event.content)
        case CallRevised():
            return state.model_copy(update={"content": event.content})
        case CallPublished():
            return state.model_copy(update={"status": CallStatus.PUBLISHED})
        case CallClosed():
            return state.model_copy(update={"status": CallStatus.CLOSED})
        case CallArchived():
            return state.model_copy(update={"status": CallStatus.ARCHIVED})
    return state


call = Decider(stream_type="call", initial_state=initial_state, decide=decide, evolve=evolve)
