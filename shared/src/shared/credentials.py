"""Credentials for Kafka (SASL) and MongoDB, and the secret files they may come from.

A password is never logged and never printed: ``repr`` hides it, and the settings keep it as a
``SecretStr``. It may come from an environment variable or, better, from a file whose path is in
``<NAME>_FILE`` (a Docker/Compose secret, or the local stack's ``.run/secrets/``).
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$"
PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 1024
SECRET_FILE_MAX_BYTES = 4096


class CredentialsError(ValueError):
    """A credential is missing, malformed or contradicts another setting (the message names which)."""


def read_secret_file(path: Path | str) -> str:
    """The secret in ``path``, without its trailing newline; refuses an empty or oversized file."""
    file = Path(path)
    try:
        raw = file.read_bytes()[: SECRET_FILE_MAX_BYTES + 1]
    except OSError as exc:
        raise CredentialsError(f"cannot read the secret file {file}: {exc.strerror}") from None
    if len(raw) > SECRET_FILE_MAX_BYTES:
        raise CredentialsError(f"the secret file {file} is larger than {SECRET_FILE_MAX_BYTES} bytes")
    secret = raw.decode("utf-8", "strict").rstrip("\r\n")
    if not secret:
        raise CredentialsError(f"the secret file {file} is empty")
    return secret


def check_username(name: str, what: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, name):
        raise CredentialsError(f"{what} must be 1-128 characters of [A-Za-z0-9._@-]")
    return name


def check_password(password: str, what: str) -> str:
    if not PASSWORD_MIN_CHARS <= len(password) <= PASSWORD_MAX_CHARS:
        raise CredentialsError(f"{what} must be {PASSWORD_MIN_CHARS} to {PASSWORD_MAX_CHARS} characters long")
    return password


@dataclass(frozen=True)
class KafkaAuth:
    """How a client authenticates to Kafka: nothing (``PLAINTEXT``), or SASL with a principal."""

    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise CredentialsError(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(SECURITY_PROTOCOLS)}")
        if self.sasl_mechanism not in SASL_MECHANISMS:
            raise CredentialsError(f"KAFKA_SASL_MECHANISM must be one of {', '.join(SASL_MECHANISMS)}")
        if self.security_protocol == "PLAINTEXT":
            if self.username is not None or self.password is not None:
                raise CredentialsError(
                    "KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT"
                )
            return
        if self.username is None or self.password is None:
            raise CredentialsError(
                f"KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)"
            )
        check_username(self.username, "KAFKA_SASL_USERNAME")
        check_password(self.password, "KAFKA_SASL_PASSWORD")

    @property
    def principal(self) -> str | None:
        return self.username if self.security_protocol != "PLAINTEXT" else None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        options: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
        }
        if self.security_protocol == "SASL_SSL":
            options["ssl_context"] = ssl.create_default_context()
        return options

    @classmethod
    def of(
        cls,
        *,
        security_protocol: str | None,
        sasl_mechanism: str | None,
        username: str | None,
        password: str | None,
        password_file: Path | str | None,
    ) -> KafkaAuth:
        """From the settings as given: ``security_protocol`` defaults to ``SASL_PLAINTEXT`` when a
        username is given, else ``PLAINTEXT``; a password file wins over nothing, never over a
        password given directly (both at once is refused)."""
        if password is not None and password_file:
            raise CredentialsError("set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both")
        if password_file:
            password = read_secret_file(password_file)
        protocol = security_protocol or ("SASL_PLAINTEXT" if username else "PLAINTEXT")
        return cls(protocol, sasl_mechanism or "SCRAM-SHA-512", username or None, password)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KafkaAuth:
        """From ``KAFKA_SECURITY_PROTOCOL``, ``KAFKA_SASL_MECHANISM``, ``KAFKA_SASL_USERNAME`` and
        ``KAFKA_SASL_PASSWORD`` (or ``KAFKA_SASL_PASSWORD_FILE``): for tools and scripts."""
        env = os.environ if environ is None else environ
        return cls.of(
            security_protocol=env.get("KAFKA_SECURITY_PROTOCOL") or None,
            sasl_mechanism=env.get("KAFKA_SASL_MECHANISM") or None,
            username=env.get("KAFKA_SASL_USERNAME") or None,
            password=env.get("KAFKA_SASL_PASSWORD") or None,
            password_file=env.get("KAFKA_SASL_PASSWORD_FILE") or None,
        )


@dataclass(frozen=True)
class MongoAuth:
    """A MongoDB user (SCRAM-SHA-256) and the database that holds it; None fields leave the URL's own."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    auth_source: str = "admin"

    def __post_init__(self) -> None:
        if (self.username is None) != (self.password is None):
            raise CredentialsError("MONGODB_USERNAME and MONGODB_PASSWORD (or MONGODB_PASSWORD_FILE) go together")
        if self.username is not None and self.password is not None:
            check_username(self.username, "MONGODB_USERNAME")
            check_password(self.password, "MONGODB_PASSWORD")

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``AsyncMongoClient`` (they take precedence over the URL's)."""
        if self.username is None:
            return {}
        return {"username": self.username, "password": self.password, "authSource": self.auth_source}

    @classmethod
    def of(
        cls, *, username: str | None, password: str | None, password_file: Path | str | None, auth_source: str
    ) -> MongoAuth:
        if password is not None and password_file:
            raise CredentialsError("set MONGODB_PASSWORD or MONGODB_PASSWORD_FILE, not both")
        if password_file:
            password = read_secret_file(password_file)
        return cls(username or None, password, auth_source)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MongoAuth:
        env = os.environ if environ is None else environ
        return cls.of(
            username=env.get("MONGODB_USERNAME") or None,
            password=env.get("MONGODB_PASSWORD") or None,
            password_file=env.get("MONGODB_PASSWORD_FILE") or None,
            auth_source=env.get("MONGODB_AUTH_SOURCE") or "admin",
        )


def mongodb_url_with(url: str, auth: MongoAuth) -> str:
    """``url`` with ``auth``'s user in it, for code that takes only a URL (test helpers, tools).
    Keep such a URL out of logs and command lines; services pass the credentials separately."""
    if auth.username is None or auth.password is None:
        return url
    from urllib.parse import quote_plus, urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("authSource="))
    query = "&".join(filter(None, [query, f"authSource={auth.auth_source}"]))
    netloc = f"{quote_plus(auth.username)}:{quote_plus(auth.password)}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, parts.fragment))
