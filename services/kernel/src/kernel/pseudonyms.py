"""Pseudonymised reads (issue 18 #3, ADR 31): the roles the published language names (`RoleModel.
pseudonymised_roles`: auditors) read personal data under a pseudonym, unless they break the glass.

* **One step, where reads are answered.** A route that reads personal data takes `journal: Journal` (ADR 22);
  for such a route, when the caller's token holds a pseudonymised role, the route class rewrites the answer
  (`PolicyRoute`): a person's name (`last_name`) reads as their pseudonym, every other personal field the
  contracts mark (`x-personal-data`: first names, birth date, écrou number, contact details, and the free
  texts that may name someone: notes, evidence, synthesis...) reads masked, and so does every field the
  route's response model marks with the same marker (a view's own name for such a text: `end_reason`); a
  count, a flag or a code of an enumeration the contracts (or that model) give the same name stays as it is.
  A route rendering HTML applies `disclose` to its data itself; one that does not answers 500 rather than
  show a name.
* **A pseudonym** is `P-` and 12 base32 characters of HMAC-SHA256(`PSEUDONYM_SECRET`, subject id), the
  subject id being the nearest `subject_id` of the answer around the value: the same person reads the same
  pseudonym on every route of every service of a deployment (they share the secret), and nobody without the
  secret links it to an id. Without the secret, or without a subject id near the value, the name is masked.
* **Break-glass.** `Purpose: bris-de-glace: <motif>` with a reason of at least 20 characters reads in clear;
  the journal entry says so (`break_glass`) and keeps the purpose, and `passerelle_break_glass_reads_total`
  counts it. A shorter reason is refused (422 `break-glass-reason-too-short`), nothing shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

from contracts import known_events
from contracts.events import PERSONAL_DATA
from kernel import sealing
from kernel.access import Principal
from kernel.errors import InvalidValue
from kernel.instants import is_json

BREAK_GLASS = "bris-de-glace:"
BREAK_GLASS_MIN_REASON = 20
MASKED_TEXT = "[pseudonymisé]"
MASKED_DATE = sealing.ERASED_DATE  # 0001-01-01: a date of birth no one has, valid wherever a date is
# The field a person is called by: it reads as their pseudonym, so rows of one person still read alike.
NAME_FIELD = "last_name"
SUBJECT_FIELD = "subject_id"
PREFIX = "P-"
LENGTH = 12  # 60 bits: distinct for every person a deployment follows, short enough to read aloud
MINIMUM_SECRET_BYTES = 32
_LABEL = b"passerelle/pseudonym/v1\x00"


class BreakGlassReasonTooShort(InvalidValue):
    code = "break-glass-reason-too-short"


def break_glass_reason(purpose: str) -> str | None:
    """The reason of a break-glass `Purpose` (`bris-de-glace: <motif>`), None for any other purpose."""
    if not purpose.strip().lower().startswith(BREAK_GLASS):
        return None
    reason = purpose.strip()[len(BREAK_GLASS) :].strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise BreakGlassReasonTooShort(
            f"a break-glass read (Purpose: {BREAK_GLASS} <motif>) needs a reason of at least "
            f"{BREAK_GLASS_MIN_REASON} characters; it is kept in the consultation journal"
        )
    return reason


@dataclass(frozen=True)
class Personal:
    """A field name the contracts mark personal somewhere: whether it holds a date, and the codes an
    enumeration of the same name holds elsewhere (`reason` is free text on an identity correction, a code
    on a suspended contract): a code names no one and stays."""

    is_date: bool
    codes: frozenset[str]


@cache
def personal_fields(answer: Any = None) -> dict[str, Personal]:
    """Every field name the contracts mark personal, and those the answer's own model marks with the same
    marker (`contracts.personal_data`: a view's name for an event's free text, a referral's `end_reason`): the
    fields a pseudonymised answer masks wherever it carries them."""
    marked: dict[str, bool] = {}

    def walk(plan: sealing.Plan) -> None:
        for name, where in plan.items():
            if isinstance(where, sealing.Leaf):
                marked[name] = marked.get(name, False) or where.erased == sealing.ERASED_DATE
            elif isinstance(where, sealing.Each):
                walk(where.plan)
            else:
                walk(where)

    own = [kind for kind in _kinds(answer) if _is_model(kind)]
    models = [*known_events(), *own]
    for model in models:
        walk(sealing.plan_of(model))
    codes = _codes(models)
    kept = _not_personal(own)
    return {
        name: Personal(is_date, frozenset(codes.get(name, ())))
        for name, is_date in marked.items()
        if name not in kept
    }


def _not_personal(models: Iterable[type[BaseModel]]) -> set[str]:
    """The names the answer's models say hold no one's data (`contracts.not_personal_data`), at any depth:
    the journal's `purpose`, named like a leave's."""
    found: set[str] = set()
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra
            if isinstance(extra, dict) and extra.get(PERSONAL_DATA) is False:
                found.add(name)
            for kind in _kinds(field.annotation):
                if _is_model(kind):
                    walk(kind)

    for model in models:
        walk(model)
    return found


def _codes(models: Iterable[type[BaseModel]]) -> dict[str, set[str]]:
    """By field name, the values of the enumerations fields of that name hold, at any depth."""
    found: dict[str, set[str]] = {}
    seen: set[type] = set()

    def walk(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            for kind in _kinds(field.annotation):
                if isinstance(kind, type) and issubclass(kind, Enum):
                    found.setdefault(name, set()).update(str(member.value) for member in kind)
                elif isinstance(kind, type) and issubclass(kind, BaseModel):
                    walk(kind)

    for model in models:
        walk(model)
    return found


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _kinds(annotation: Any) -> Iterator[Any]:
    arguments = typing.get_args(annotation)
    if arguments:
        for argument in arguments:
            yield from _kinds(argument)
    else:
        yield annotation


@dataclass(frozen=True)
class Pseudonyms:
    """The deployment's pseudonym key and the roles that read under it."""

    secret: bytes | None
    roles: frozenset[str]

    def __post_init__(self) -> None:
        if self.secret is not None and len(self.secret) < MINIMUM_SECRET_BYTES:
            raise ValueError(
                f"PSEUDONYM_SECRET holds {len(self.secret)} bytes, fewer than {MINIMUM_SECRET_BYTES}"
            )

    def applies_to(self, principal: Principal | None) -> bool:
        """Whether this caller reads pseudonymised: their token holds one of `roles`, whatever other role it
        holds and whichever the route admitted them with (ADR 31 addendum): nothing tells which one a user
        holding two acts in, and the glass is there to break."""
        return principal is not None and principal.has_any(self.roles)

    def of(self, subject_id: str) -> str | None:
        if self.secret is None:
            return None
        digest = hmac.new(self.secret, _LABEL + subject_id.encode(), hashlib.sha256).digest()
        return PREFIX + base64.b32encode(digest).decode()[:LENGTH]

    def disclose(self, content: Any, answer: Any = None) -> Any:
        """The JSON-like `content` with every personal field pseudonymised or masked (see the module);
        `answer`, the route's response model, may mark fields of its own."""
        return _masked(content, personal_fields(answer), self.of, None)

    def rewrite(self, response: Response, answer: Any = None) -> Response:
        """A JSON answer rewritten by `disclose`; any other kind is refused (its route should have applied
        `disclose` to its data and said so)."""
        if not is_json(response.media_type):
            raise RuntimeError("a pseudonymised read answered with a body that is not JSON, undisclosed")
        body = json.dumps(
            self.disclose(json.loads(response.body), answer), ensure_ascii=False, separators=(",", ":")
        ).encode()
        response.body = body
        response.headers["content-length"] = str(len(body))
        return response


def _masked(
    content: Any, fields: dict[str, Personal], pseudonym: Callable[[str], str | None], subject: str | None
):
    if isinstance(content, list):
        return [_masked(item, fields, pseudonym, subject) for item in content]
    if not isinstance(content, dict):
        return content
    near = content.get(SUBJECT_FIELD)
    subject = near if isinstance(near, str) and near else subject
    return {
        key: _field(key, value, fields, pseudonym, subject)
        if key in fields
        else _masked(value, fields, pseudonym, subject)
        for key, value in content.items()
    }


def _field(key: str, value: Any, fields: dict[str, Personal], pseudonym, subject: str | None) -> Any:
    if isinstance(value, dict):  # a personal value object: its personal fields, as anywhere else
        return _masked(value, fields, pseudonym, subject)
    if isinstance(value, list):
        return [_field(key, item, fields, pseudonym, subject) for item in value]
    if not isinstance(value, str) or not value or value in fields[key].codes:
        return value  # a count, a flag, a code, nothing written: no text that could name someone
    if key == NAME_FIELD and subject is not None:
        return pseudonym(subject) or MASKED_TEXT
    return MASKED_DATE if fields[key].is_date else MASKED_TEXT
