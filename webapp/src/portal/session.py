"""The signed-in person's session, sealed in a cookie (AES-256-GCM: nobody can read or forge it without
the portal's secret), ``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS. It holds the access token
the portal calls the services with, and the CSRF token every form must send back.

A session too large for one cookie (an identity provider's token with many roles or groups) is split
over up to ``MAX_CHUNKS`` cookies, enough for the largest token the services accept. Signing out revokes
the session's id in the portal process (``Revocations``) as well as deleting the cookies, so a copied
cookie opens nothing afterwards."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

COOKIE = "kinerja_sesi"
MAX_CHUNKS = 4
"""Cookies a session may take: ``kinerja_sesi``, ``kinerja_sesi_1`` ... (4 x 3,800 characters hold the
8 KiB token the services accept, sealed)."""
MAX_REVOKED = 200_000
PRE_COOKIE = "kinerja_pra"
"""Before sign-in: the CSRF token of the sign-in forms, and the OpenID Connect state, nonce and PKCE verifier."""
MAX_COOKIE = 3800
"""Browsers keep cookies up to 4 KiB."""


@dataclass
class Session:
    nip: str
    roles: list[str]
    token: str
    expires_at: float
    opd_code: str | None = None
    name: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sid: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    """The session's id: what signing out revokes."""
    dashboard_opd: str | None = None
    """The OPD whose dashboard the person may read (its admin or its head), found at sign-in."""
    registered: bool = True
    """The person has a record in the registry (the PPK and some administrators have none)."""

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class Sealer:
    """Seals and opens cookie values with the portal's secret; a value altered, sealed with another
    secret, or not ours opens as None."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("the session secret must be 32 bytes (base64 in PORTAL_SESSION_SECRET_FILE)")
        self._aead = AESGCM(secret)

    @classmethod
    def from_file(cls, path: Path) -> Sealer:
        try:
            return cls(base64.b64decode(path.read_text().strip(), validate=True))
        except (OSError, binascii.Error) as exc:
            raise ValueError(f"cannot read the session secret in {path}: {exc}") from exc

    def seal(self, purpose: str, data: dict[str, object], limit: int = MAX_COOKIE) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(data, separators=(",", ":")).encode(), purpose.encode())
        value = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        if len(value) > limit:
            raise ValueError("the session is too large for a cookie")
        return value

    def open(self, purpose: str, value: str | None, limit: int = MAX_COOKIE) -> dict[str, object] | None:
        if not value or len(value) > limit:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            data = json.loads(self._aead.decrypt(raw[:12], raw[12:], purpose.encode()))
        except (ValueError, InvalidTag, binascii.Error):
            return None
        return data if isinstance(data, dict) else None

    def seal_session(self, session: Session) -> list[str]:
        """The session as the values of its cookies, in the order of ``cookie_names()``."""
        value = self.seal(COOKIE, asdict(session), limit=MAX_COOKIE * MAX_CHUNKS)
        return [value[i : i + MAX_COOKIE] for i in range(0, len(value), MAX_COOKIE)]

    def open_session(self, value: str | None) -> Session | None:
        """The session sealed in ``value`` (its cookies' values joined), if whole, ours and unexpired."""
        data = self.open(COOKIE, value, limit=MAX_COOKIE * MAX_CHUNKS)
        if data is None:
            return None
        try:
            session = Session(**data)  # type: ignore[arg-type]
        except TypeError:
            return None
        return None if session.expired else session


def cookie_names() -> list[str]:
    return [COOKIE, *(f"{COOKIE}_{i}" for i in range(1, MAX_CHUNKS))]


def joined_cookie(cookies: Mapping[str, str]) -> str | None:
    """The session cookies' values joined in order (stopping at the first missing one)."""
    parts = []
    for name in cookie_names():
        part = cookies.get(name)
        if not part:
            break
        parts.append(part)
    return "".join(parts) or None


class Revocations:
    """Session ids signed out, kept until the session would have expired anyway. In this process: with
    several portal replicas, each revokes the sessions signed out through it (README, "The portal")."""

    def __init__(self, limit: int = MAX_REVOKED) -> None:
        self._until: dict[str, float] = {}
        self._limit = limit

    def revoke(self, sid: str, until: float) -> None:
        now = time.time()
        if len(self._until) >= self._limit:
            self._until = {k: v for k, v in self._until.items() if v > now}
        if len(self._until) >= self._limit:  # still full: forget the one that expires first
            del self._until[min(self._until, key=self._until.__getitem__)]
        self._until[sid] = until

    def __contains__(self, sid: str) -> bool:
        until = self._until.get(sid)
        return until is not None and until > time.time()
