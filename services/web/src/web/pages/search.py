"""Finding a person by name or écrou number (projections' `/persons?q=`), for the staff who follow people;
each result opens the person's file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from web.messages import Refusal
from web.rendering import render
from web.session import CurrentUser

router = APIRouter()


@router.get("/personnes")
async def find_person(request: Request, user: CurrentUser, q: Annotated[str, Query()] = ""):
    q = q.strip()
    found, errors, status = None, {}, 200
    if q:
        try:
            found = await request.app.state.api.get(
                "projections", "/persons", user.token, params={"q": q, "limit": 50}, fields={"q": "q"}
            )
        except Refusal as refusal:
            errors, status = refusal.messages, refusal.status
    return render(
        request,
        "pages/search.html",
        partial="partials/search.html",
        status_code=status,
        title="Rechercher une personne",
        q=q,
        found=found,
        errors=errors,
    )
