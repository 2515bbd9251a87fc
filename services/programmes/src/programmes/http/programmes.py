"""The catalogue: programmes and thematic actions, created, revised (new version) and withdrawn by a DPIP."""

from __future__ import annotations

from pydantic import BaseModel

from contracts.programmes import EligibilityRules, ProgrammeDefinition, ProgrammeKind
from kernel.api import After, Db, Id, Limit, Page, Reason, RequestBody, Store
from kernel.auth import Principal
from kernel.gateway import Commands
from kernel.http import service_router
from programmes import access, handlers, queries
from programmes.domain import commands as c
from programmes.domain.programme import Programme
from programmes.http.common import Director, ScheduleReader
from programmes.seed import programme_id as programme_id_of

router = service_router("/programmes", tags=["catalogue"])


class WithdrawRequest(RequestBody):
    reason: Reason


class ProgrammeView(BaseModel):
    programme_id: str
    version: int
    withdrawn: bool
    definition: ProgrammeDefinition
    eligibility_hidden: bool = False


def view(state: Programme, principal: Principal) -> ProgrammeView:
    definition, hidden = state.definition, not access.may_read_offence_content(principal)
    if hidden:  # IPRO, the governor's office, partners: not the offence-specific rules
        definition = definition.model_copy(update={"eligibility": EligibilityRules()})
    return ProgrammeView(
        programme_id=state.programme_id,
        version=state.version,
        withdrawn=state.withdrawn,
        definition=definition,
        eligibility_hidden=hidden,
    )


@router.get("", response_model=Page[ProgrammeView], summary="The catalogue")
async def list_programmes(
    principal: ScheduleReader,
    db: Db,
    kind: ProgrammeKind | None = None,
    include_withdrawn: bool = False,
    limit: Limit = 100,
    after: After = None,
):
    async with db.acquire() as connection:
        listed = await queries.programmes(
            connection,
            kind=kind and kind.value,
            include_withdrawn=include_withdrawn,
            include_sensitive=access.knows_sensitive_programmes(principal),
            limit=limit,
            after=after,
        )
    items = [
        view(
            Programme(
                programme_id=r["programme_id"],
                version=r["version"],
                withdrawn=r["withdrawn"],
                definition=ProgrammeDefinition.model_validate(r["definition"]),
            ),
            principal,
        )
        for r in listed.rows
    ]
    return Page.of(listed, items)


@router.get("/{programme_id}", response_model=ProgrammeView, summary="A catalogue entry")
async def get_programme(programme_id: Id, principal: ScheduleReader, store: Store):
    state = (await handlers.read_programme(store, programme_id)).state
    access.ensure_may_see_programme(principal, programme_id, state.definition.sensitive)
    return view(state, principal)


@router.post(
    "", status_code=201, response_model=ProgrammeView, summary="Add a programme or action to the catalogue"
)
async def create_programme(body: ProgrammeDefinition, principal: Director, commands: Commands):
    command = c.CreateProgramme(programme_id=programme_id_of(body.code), definition=body)

    async def action(session, metadata):
        return view((await handlers.create_programme(session, command, metadata)).state, principal)

    return await commands.run(principal, action, location="/programmes/{programme_id}")


@router.post(
    "/{programme_id}/revisions", response_model=ProgrammeView, summary="Revise the entry (a new version)"
)
async def revise_programme(
    programme_id: Id, body: ProgrammeDefinition, principal: Director, commands: Commands
):
    return await _change(programme_id, c.ReviseProgramme(definition=body), principal, commands)


@router.post("/{programme_id}/withdraw", response_model=ProgrammeView, summary="Withdraw from the catalogue")
async def withdraw_programme(
    programme_id: Id, body: WithdrawRequest, principal: Director, commands: Commands
):
    return await _change(programme_id, c.WithdrawProgramme(reason=body.reason), principal, commands)


async def _change(programme_id: str, command: c.Command, principal: Principal, commands: Commands):
    async def action(session, metadata):
        return view(
            (await handlers.programme_command(session, programme_id, command, metadata)).state, principal
        )

    return await commands.run(principal, action, status_code=200, resource="/programmes/{programme_id}")
