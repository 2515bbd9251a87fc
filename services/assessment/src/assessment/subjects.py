"""The person's pseudonymous id (`subject_id`), made by this service when a case opens, never chosen by a
client (issue 17 #5, security review M8): `HMAC-SHA256(secret, canonical(establishment, écrou number))`.

* The same incarceration record gives the same id: the écrou number is unique only within its establishment,
  so both go in, trimmed and upper-cased for the number, the establishment as recorded, joined by a NUL
  character, which no recorded text can hold (PostgreSQL refuses it, and so does every route).
* Nobody without the secret can link an id to an écrou number, or try every number of an establishment:
  the secret is the "additional information kept separately" that makes the id a pseudonym (RGPD art. 4(5)).
  It is a setting of this service alone (`ASSESSMENT_SUBJECT_ID_SECRET`), never in a database. It cannot be
  rotated without re-keying every subject id of every service and topic (ADR 24).
* No client picks the id, so none can attach a case to another person's file or make the id meaningful.

The id is derived once, when the case opens, and then read from the case: it never changes, neither when
the écrou number is corrected (`IdentityCorrected`) nor on a transfer to another establishment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "p-"
# 26 base32 characters: 130 bits of the digest, short enough for URLs, far from any collision.
LENGTH = 26
# Ids made under another canonical form or hash would carry another label.
_LABEL = b"passerelle/subject-id/v1"
_SEPARATOR = "\x00"
MINIMUM_SECRET_BYTES = 32


def subject_id(secret: bytes, establishment: str, ecrou_number: str) -> str:
    """`p-` and 26 lowercase base32 characters: the id of the person held under `ecrou_number` in
    `establishment`."""
    if len(secret) < MINIMUM_SECRET_BYTES:
        raise ValueError(f"the subject id secret has {len(secret)} bytes, fewer than {MINIMUM_SECRET_BYTES}")
    canonical = _SEPARATOR.join((establishment, ecrou_number.strip().upper()))
    digest = hmac.new(secret, _LABEL + b"\x00" + canonical.encode(), hashlib.sha256).digest()
    return PREFIX + base64.b32encode(digest).decode()[:LENGTH].lower()
