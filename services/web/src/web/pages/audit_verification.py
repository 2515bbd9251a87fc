"""The auditor's verification report (issue 20, "an auditor verifying"; ADR 30 addendum): each service's signed
checkpoints as projections' `/audit/checkpoints` checks them, each signature against the services' trusted
public keys and the view's Merkle root of stream heads at each checkpoint's cut. The page judges nothing itself:
it shows the service's verdicts, problems first, and says what only `passerelle audit verify` checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from web.rendering import render
from web.session import CurrentUser

router = APIRouter()

# The latest conforming checkpoints listed per service; every one with a problem is always listed.
LATEST = 5
HEADS = {
    "conforme": ("success", "Conforme"),
    "différent": ("error", "Différent"),
    "incomplet": ("warning", "Incomplet"),
    "non vérifiées": ("info", "Non vérifiées"),
}


def summary(service: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of a service: counts, and the checkpoints to list (problems, then the latest)."""
    checkpoints = service["checkpoints"]
    problems = [
        c for c in checkpoints if not c["signature_valid"] or c["heads"] in ("différent", "incomplet")
    ]
    fine = [c for c in checkpoints if c not in problems]
    listed = problems + fine[-LATEST:][::-1]
    return {
        **service,
        "total": len(checkpoints),
        "bad_signatures": sum(not c["signature_valid"] for c in checkpoints),
        "conforming": sum(c["heads"] == "conforme" for c in checkpoints),
        "differing": sum(c["heads"] in ("différent", "incomplet") for c in checkpoints),
        "listed": listed,
        "not_listed": len(checkpoints) - len(listed),
    }


@router.get("/audit/verification")
async def verification(request: Request, user: CurrentUser):
    report = await request.app.state.api.get("projections", "/audit/checkpoints", user.token)
    return render(
        request,
        "pages/audit_verification.html",
        title="Vérification du journal",
        services=[summary(service) for service in report["services"]],
        heads=HEADS,
    )
