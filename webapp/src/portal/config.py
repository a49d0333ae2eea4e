"""The portal's settings (environment variables ``PORTAL_*``; README, "The portal")."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

URL = r"^https?://[^\s]+$"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore", hide_input_in_errors=True)

    environment: Literal["local", "production"] = "local"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    public_url: str = Field("http://127.0.0.1:8000", pattern=URL, max_length=300)
    """Where browsers reach the portal (the OpenID Connect redirect is ``<public_url>/masuk/callback``)."""

    appraisal_url: str = Field("http://127.0.0.1:8001", pattern=URL, max_length=300)
    training_url: str = Field("http://127.0.0.1:8002", pattern=URL, max_length=300)
    notification_url: str = Field("http://127.0.0.1:8003", pattern=URL, max_length=300)
    reporting_url: str = Field("http://127.0.0.1:8004", pattern=URL, max_length=300)
    api_timeout_s: float = Field(15.0, gt=0, le=120)

    session_secret_file: Path
    """32 random bytes (base64) that seal the session cookie; ``make keys`` writes one locally."""
    session_hours: float = Field(8.0, gt=0, le=24)
    cookie_secure: bool | None = None
    """Secure cookies (HTTPS only); default: on unless ``public_url`` is http on this machine."""

    dev_signin_key_file: Path | None = None
    """The local private key: enables the developer sign-in page (pick a person and a role). Refused in
    production."""

    oidc_issuer: str | None = Field(None, pattern=URL, max_length=300)
    """The OpenID Connect provider (Keycloak: ``https://sso.example/realms/<realm>``)."""
    oidc_client_id: str | None = Field(None, max_length=200)
    oidc_client_secret_file: Path | None = None
    oidc_scopes: str = Field("openid profile", max_length=200)
    roles_claim: str = Field("roles", max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")
    """Dotted path of the roles list in the access token (Keycloak: ``realm_access.roles``)."""

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.environment == "production" and self.dev_signin_key_file is not None:
            raise ValueError("PORTAL_DEV_SIGNIN_KEY_FILE must not be set in production")
        if self.dev_signin_key_file is not None and urlsplit(self.public_url).hostname not in LOOPBACK:
            raise ValueError("PORTAL_DEV_SIGNIN_KEY_FILE is for this machine only: PORTAL_PUBLIC_URL must be loopback")
        if bool(self.oidc_issuer) != bool(self.oidc_client_id):
            raise ValueError("PORTAL_OIDC_ISSUER and PORTAL_OIDC_CLIENT_ID go together")
        if self.dev_signin_key_file is None and not self.oidc_issuer:
            raise ValueError("configure PORTAL_OIDC_ISSUER (production) or PORTAL_DEV_SIGNIN_KEY_FILE (local)")
        return self

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        parts = urlsplit(self.public_url)
        return not (parts.scheme == "http" and parts.hostname in LOOPBACK)

    def service_url(self, service: str) -> str:
        return {
            "appraisal": self.appraisal_url,
            "training": self.training_url,
            "notification": self.notification_url,
            "reporting": self.reporting_url,
        }[service].rstrip("/")
