"""The signed-in person's session, sealed in a cookie (AES-256-GCM: nobody can read or forge it without
the portal's secret), ``HttpOnly``, ``SameSite=Lax``, ``Secure`` over HTTPS. It holds the access token
the portal calls the services with, and the CSRF token every form must send back."""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

COOKIE = "kinerja_sesi"
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

    def seal(self, purpose: str, data: dict[str, object]) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, json.dumps(data, separators=(",", ":")).encode(), purpose.encode())
        value = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        if len(value) > MAX_COOKIE:
            raise ValueError("the session is too large for a cookie")
        return value

    def open(self, purpose: str, value: str | None) -> dict[str, object] | None:
        if not value or len(value) > MAX_COOKIE:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            data = json.loads(self._aead.decrypt(raw[:12], raw[12:], purpose.encode()))
        except (ValueError, InvalidTag, binascii.Error):
            return None
        return data if isinstance(data, dict) else None

    def seal_session(self, session: Session) -> str:
        return self.seal(COOKIE, asdict(session))

    def open_session(self, value: str | None) -> Session | None:
        data = self.open(COOKIE, value)
        if data is None:
            return None
        try:
            session = Session(**data)  # type: ignore[arg-type]
        except TypeError:
            return None
        return None if session.expired else session
