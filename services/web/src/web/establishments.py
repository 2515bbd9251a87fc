"""The establishments a user's token lists (its `establishments` claim, ADR 26), offered as choices in the
forms that name one (the week, the movement list, the indicators). Read unverified, for the form only: the
services check the token and answer for the establishments it reaches."""

from __future__ import annotations

from web.oidc import unverified_claims
from web.session import User


def establishment_choices(user: User) -> dict[str, str]:
    """As a select's options (value -> label): the names as the services know them."""
    listed = unverified_claims(user.token).get("establishments")
    return {str(name): str(name) for name in listed} if isinstance(listed, list) else {}
