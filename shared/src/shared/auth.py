"""Bearer JWT authentication (RS256/ES256) and the roles of the system.

Tokens are verified against a PEM public key (``AUTH_PUBLIC_KEY_FILE``; local use and tests) or the
JWKS of the city's OpenID Connect provider (``AUTH_JWKS_URL``, e.g. Keycloak). The subject (``sub``)
is the caller's NIP; roles come from the claim named by ``AUTH_ROLES_CLAIM`` (a dotted path such
as ``realm_access.roles`` for Keycloak).

The one exception is the PPK (Pejabat Pembina Kepegawaian: the Wali Kota), an elected official and
not an ASN, who has no NIP: the PPK's account has the subject ``PPK_SUBJECT`` ("PPK") and the role
``ppk``, always together (a token with one of the two and not the other is refused). The registry
names the PPK in appraiser links with the same sentinel.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
import jwt
from fastapi import Depends, Request

from shared.events import PPK
from shared.http import FORBIDDEN, PRINCIPAL, UNAUTHENTICATED, ProblemError, verify_bearer
from shared.i18n import Text

ALGORITHMS = ["RS256", "ES256"]
MAX_TOKEN_CHARS = 8192
MAX_NAME_CHARS = 200
NIP = re.compile(r"[0-9]{18}")
OPD_CODE = re.compile(r"[A-Z0-9_-]{2,32}")
logger = logging.getLogger(__name__)


class Role(StrEnum):
    PEGAWAI = "pegawai"
    PEJABAT_PENILAI = "pejabat_penilai"
    ATASAN_PEJABAT_PENILAI = "atasan_pejabat_penilai"
    ADMIN_OPD = "admin_opd"
    ADMIN_BKPSDM = "admin_bkpsdm"
    PIMPINAN = "pimpinan"
    PPK = "ppk"
    """The Wali Kota (Pejabat Pembina Kepegawaian): appraises the Sekda and decides the objections
    of the heads of OPD; subject ``PPK_SUBJECT``, never a NIP."""


PPK_SUBJECT = PPK
"""The subject of the PPK's token, and the sentinel naming the PPK in the registry's appraiser links
(``pejabat_penilai_nip`` / ``atasan_pejabat_penilai_nip``) and in events: the PPK has no NIP."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    nip: str
    roles: frozenset[Role]
    opd_code: str | None = None
    name: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


TOKEN_INVALID = Text("Token bearer tidak valid", "The bearer token is not valid")


def _unauthenticated(detail: Text) -> ProblemError:
    return ProblemError(401, "unauthenticated", UNAUTHENTICATED, detail, headers={"WWW-Authenticate": "Bearer"})


class TokenVerifier:
    def __init__(
        self,
        *,
        public_key_file: Path | None,
        jwks_url: str | None,
        audience: str,
        issuer: str | None,
        roles_claim: str = "roles",
    ) -> None:
        if public_key_file is None and not jwks_url:
            raise ValueError("configure AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL to verify bearer tokens")
        self._public_key = public_key_file.read_text() if public_key_file else None
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url and not public_key_file else None
        self._audience = audience
        self._issuer = issuer
        self._roles_claim = roles_claim.split(".")

    async def _key_for(self, token: str) -> Any:
        if self._public_key is not None:
            return self._public_key
        assert self._jwks is not None
        jwks = self._jwks
        return (await anyio.to_thread.run_sync(jwks.get_signing_key_from_jwt, token)).key

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_CHARS:
            raise _unauthenticated(TOKEN_INVALID)
        try:
            key = await self._key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthenticated(Text("Token bearer sudah kedaluwarsa", "The bearer token has expired")) from exc
        except (jwt.PyJWTError, ValueError) as exc:
            # The library's text (key types, object addresses) is for the log, not for the caller.
            logger.info("bearer token refused: %s", exc)
            raise _unauthenticated(TOKEN_INVALID) from exc
        return self._principal(claims)

    def _principal(self, claims: dict[str, Any]) -> Principal:
        """The caller, from claims checked like any other input: the subject is a NIP (or ``PPK``
        with the role ``ppk``, and only then), ``opd`` an OPD code, ``name`` a bounded string; roles
        outside the known set are ignored."""
        subject, opd, name = claims.get("sub"), claims.get("opd"), claims.get("name")
        roles = frozenset(self._roles(claims))
        problem = claims_problem(subject, roles, opd, name)
        if problem is not None:
            raise _unauthenticated(problem)
        if not isinstance(subject, str) or not (opd is None or isinstance(opd, str)):  # refused above already
            raise _unauthenticated(TOKEN_INVALID)
        return Principal(nip=subject, roles=roles, opd_code=opd, name=name if isinstance(name, str) else None)

    def _roles(self, claims: dict[str, Any]) -> list[Role]:
        value: Any = claims
        for part in self._roles_claim:
            value = value.get(part, {}) if isinstance(value, dict) else {}
        names = value if isinstance(value, list) else []
        return [Role(name) for name in names if isinstance(name, str) and name in Role.__members__.values()]


def claims_problem(subject: object, roles: frozenset[Role], opd: object, name: object = None) -> Text | None:
    """Why a token's claims are refused, or None: the subject is a NIP (or ``PPK`` with the role ``ppk``,
    and only then), ``opd`` an OPD code, ``name`` a bounded string. The services refuse such a token
    (401); ``shared.token`` refuses to mint one."""
    is_ppk = subject == PPK_SUBJECT
    if not isinstance(subject, str) or not (NIP.fullmatch(subject) or is_ppk):
        return Text("Subjek token bearer bukan NIP", "The bearer token's subject is not a NIP")
    if is_ppk != (Role.PPK in roles):
        return Text(
            "Peran ppk dan subjek PPK harus bersamaan (PPK tidak memiliki NIP)",
            "The ppk role and the PPK subject go together (the PPK has no NIP)",
        )
    if opd is not None and (not isinstance(opd, str) or not OPD_CODE.fullmatch(opd)):
        return Text("Klaim opd pada token bearer bukan kode OPD", "The bearer token's opd claim is not an OPD code")
    if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME_CHARS):
        return Text("Klaim name pada token bearer tidak valid", "The bearer token's name claim is not valid")
    return None


async def authenticate(request: Request) -> Principal:
    """The caller: verified here, or already verified by the ``BodyGuard`` of a request with a body;
    refused (403 ``inactive``) when the registry says they are no longer active (``shared.roster``)."""
    principal: Principal | None = request.scope.get(PRINCIPAL)
    if principal is None:
        principal = await verify_bearer(request.headers.get("Authorization", ""), request.app.state.verifier)
    people = getattr(request.app.state, "people", None)  # shared.roster.People, set at start-up
    if people is not None and await people.is_inactive(principal.nip):
        raise ProblemError(
            403,
            "inactive",
            FORBIDDEN,
            Text(
                "Data kepegawaian Anda berstatus tidak aktif; hubungi admin OPD Anda",
                "Your registry record is inactive; ask your OPD admin",
            ),
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: Role) -> Callable[..., Any]:
    """A dependency that admits callers holding at least one of ``roles``; 403 otherwise."""
    allowed = ", ".join(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            raise ProblemError(
                403,
                "forbidden",
                FORBIDDEN,
                Text(f"Memerlukan salah satu peran: {allowed}", f"This needs one of the roles: {allowed}"),
            )
        return principal

    return dependency
