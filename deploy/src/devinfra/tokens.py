"""Development JWTs: a local RSA key pair, published as a JWKS file the services trust (AUTH_JWKS_FILE).

Minted tokens are what the services accept from a real identity provider (ADR 21): RFC 9068 access tokens
(`typ: at+jwt`) naming their key, with `iat`, living at most a working day."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "passerelle-dev"
AUDIENCE = "passerelle"
DEFAULT_TTL = timedelta(hours=8)  # a working day; the services accept at most 12 h by default
ACCESS_TOKEN_TYPE = "at+jwt"
# The establishments a development user reaches unless told otherwise (the `establishments` claim, ADR 26):
# the InSERRE pilot site of the workload and every site the tests' worlds name, as the services record them.
DEV_ESTABLISHMENTS = (
    "InSERRE Arras",
    "Centre pénitentiaire d'Arras",
    "CP d'Arras",
    "CP Arras",
    "Maison d'arrêt d'Arras",
    "Centre de détention de Bapaume",
    "CD Bapaume",
    "Maison d'arrêt de Lille",
    "CP de Lille",
    "CP Lille",
    "Centre pénitentiaire de Lille-Annœullin",
    "CP de Lille-Annœullin",
    "CP Lille-Annœullin",
)


@dataclass(frozen=True)
class DevKeys:
    private_key: rsa.RSAPrivateKey
    kid: str
    jwks_path: Path

    @classmethod
    def load_or_create(cls, directory: Path) -> DevKeys:
        """Reuse the key pair in `directory`, creating it on first use (tokens stay valid across restarts)."""
        directory.mkdir(parents=True, exist_ok=True)
        private_pem = directory / "private.pem"
        jwks_path = directory / "jwks.json"
        if private_pem.exists():
            key = serialization.load_pem_private_key(private_pem.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey)
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            _write_atomically(
                private_pem,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
                mode=0o600,
            )
        kid = _key_id(key.public_key())
        public_jwk = {
            **RSAAlgorithm.to_jwk(key.public_key(), as_dict=True),
            "kid": kid,
            "alg": "RS256",
            "use": "sig",
        }
        jwks = json.dumps({"keys": [public_jwk]}, indent=2).encode()
        if not jwks_path.exists() or jwks_path.read_bytes() != jwks:
            _write_atomically(jwks_path, jwks, mode=0o644)
        return cls(private_key=key, kid=kid, jwks_path=jwks_path)

    def mint(
        self,
        role: str,
        subject: str = "dev-user",
        organisation_id: str | None = None,
        ttl: timedelta = DEFAULT_TTL,
        now: datetime | None = None,
        establishments: Iterable[str] | None = DEV_ESTABLISHMENTS,
    ) -> str:
        """A token for one role; `establishments=None` leaves the claim out (the caller then reaches no
        establishment's data)."""
        issued_at = now or datetime.now(UTC)
        claims: dict[str, object] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "roles": [role],
            "iat": issued_at,
            "exp": issued_at + ttl,
            "jti": uuid.uuid4().hex,
        }
        if organisation_id is not None:
            claims["org"] = organisation_id
        if establishments is not None:
            claims["establishments"] = list(establishments)
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": self.kid, "typ": ACCESS_TOKEN_TYPE}
        )


def _key_id(public_key: rsa.RSAPublicKey) -> str:
    # Derived from the key itself, so regenerating keys changes the kid and stale tokens fail loudly.
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "dev-" + hashlib.sha256(der).hexdigest()[:16]


def _write_atomically(path: Path, content: bytes, mode: int) -> None:
    # Services may read jwks.json at any moment; never let them see a half-written file. The file is created
    # with its final mode, so the private key is never readable by others, not even for an instant.
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(temporary, mode)  # the umask may have narrowed it (jwks.json is meant to be world-readable)
    temporary.replace(path)
