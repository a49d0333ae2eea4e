"""Settings shared by every service.

Infrastructure and authentication settings are read from unprefixed environment variables
(``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URL``, ``AUTH_*``, ``LOG_LEVEL``) so one environment serves
all four services; each service's own settings carry its prefix (``APPRAISAL_PORT``, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.credentials import (
    PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS,
    USERNAME_PATTERN,
    CredentialsError,
    KafkaAuth,
    MongoAuth,
)


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Base settings; a service subclasses it with its prefix and defaults."""

    # hide_input_in_errors: a refused setting is named, never echoed (it may be a password).
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)

    service_name: str
    host: str = "127.0.0.1"
    port: int
    mongodb_database: str
    consumer_group: str

    mongodb_url: str = Field("mongodb://127.0.0.1:27017/", validation_alias=_env("MONGODB_URL"))
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"))
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"] | None = Field(
        None, validation_alias=_env("KAFKA_SECURITY_PROTOCOL")
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        "SCRAM-SHA-512", validation_alias=_env("KAFKA_SASL_MECHANISM")
    )
    kafka_sasl_username: str | None = Field(
        None, pattern=USERNAME_PATTERN, validation_alias=_env("KAFKA_SASL_USERNAME")
    )
    kafka_sasl_password: SecretStr | None = Field(
        None,
        min_length=PASSWORD_MIN_CHARS,
        max_length=PASSWORD_MAX_CHARS,
        validation_alias=_env("KAFKA_SASL_PASSWORD"),
    )
    kafka_sasl_password_file: Path | None = Field(None, validation_alias=_env("KAFKA_SASL_PASSWORD_FILE"))
    mongodb_username: str | None = Field(None, pattern=USERNAME_PATTERN, validation_alias=_env("MONGODB_USERNAME"))
    mongodb_password: SecretStr | None = Field(
        None, min_length=PASSWORD_MIN_CHARS, max_length=PASSWORD_MAX_CHARS, validation_alias=_env("MONGODB_PASSWORD")
    )
    mongodb_password_file: Path | None = Field(None, validation_alias=_env("MONGODB_PASSWORD_FILE"))
    mongodb_auth_source: str = Field(
        "admin", pattern=r"^[A-Za-z0-9_-]{1,64}$", validation_alias=_env("MONGODB_AUTH_SOURCE")
    )
    kafka_topic_partitions: int = Field(3, ge=1, validation_alias=_env("KAFKA_TOPIC_PARTITIONS"))
    kafka_replication_factor: int = Field(1, ge=1, validation_alias=_env("KAFKA_REPLICATION_FACTOR"))
    kafka_startup_timeout_s: float = Field(60.0, gt=0, validation_alias=_env("KAFKA_STARTUP_TIMEOUT_S"))

    auth_public_key_file: Path | None = Field(None, validation_alias=_env("AUTH_PUBLIC_KEY_FILE"))
    auth_jwks_url: str | None = Field(None, validation_alias=_env("AUTH_JWKS_URL"))
    auth_issuer: str | None = Field(None, validation_alias=_env("AUTH_ISSUER"))
    auth_audience: str = Field("kinerja-asn", validation_alias=_env("AUTH_AUDIENCE"))
    auth_roles_claim: str = Field("roles", validation_alias=_env("AUTH_ROLES_CLAIM"))

    log_level: str = Field("INFO", validation_alias=_env("LOG_LEVEL"))
    log_json: bool = Field(True, validation_alias=_env("LOG_JSON"))
    otel_exporter_otlp_endpoint: str | None = Field(
        None, max_length=500, pattern=r"^https?://", validation_alias=_env("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    log_personal_data: bool = Field(False, validation_alias=_env("LOG_PERSONAL_DATA"))
    shutdown_timeout_s: float = Field(20.0, gt=0, validation_alias=_env("SHUTDOWN_TIMEOUT_S"))
    outbox_poll_interval_s: float = Field(10.0, gt=0, validation_alias=_env("OUTBOX_POLL_INTERVAL_S"))
    outbox_relay_enabled: bool = Field(True, validation_alias=_env("OUTBOX_RELAY_ENABLED"))
    consumer_retry_attempts: int = Field(5, ge=1, le=20, validation_alias=_env("CONSUMER_RETRY_ATTEMPTS"))
    consumer_retry_backoff_s: float = Field(0.2, gt=0, le=10, validation_alias=_env("CONSUMER_RETRY_BACKOFF_S"))
    consumer_batch_max_records: int = Field(500, ge=1, le=5000, validation_alias=_env("CONSUMER_BATCH_MAX_RECORDS"))
    consumer_batch_timeout_ms: int = Field(100, ge=1, le=5000, validation_alias=_env("CONSUMER_BATCH_TIMEOUT_MS"))
    consumers_enabled: bool = Field(True, validation_alias=_env("CONSUMERS_ENABLED"))
    lag_probe_interval_s: float = Field(5.0, ge=0.5, le=300, validation_alias=_env("LAG_PROBE_INTERVAL_S"))
    http_body_limit_bytes: int = Field(
        256 * 1024, ge=1024, le=64 * 1024 * 1024, validation_alias=_env("HTTP_BODY_LIMIT_BYTES")
    )
    docs_enabled: bool = Field(True, validation_alias=_env("DOCS_ENABLED"))

    _kafka_auth: KafkaAuth = PrivateAttr(default_factory=KafkaAuth)
    _mongo_auth: MongoAuth = PrivateAttr(default_factory=MongoAuth)

    @model_validator(mode="after")
    def _credentials_are_consistent(self) -> ServiceSettings:
        """Read the password files and check the credentials once, at start-up (never logged)."""
        try:
            self._kafka_auth = KafkaAuth.of(
                security_protocol=self.kafka_security_protocol,
                sasl_mechanism=self.kafka_sasl_mechanism,
                username=self.kafka_sasl_username,
                password=self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None,
                password_file=self.kafka_sasl_password_file,
            )
            self._mongo_auth = MongoAuth.of(
                username=self.mongodb_username,
                password=self.mongodb_password.get_secret_value() if self.mongodb_password else None,
                password_file=self.mongodb_password_file,
                auth_source=self.mongodb_auth_source,
            )
        except CredentialsError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def kafka_auth(self) -> KafkaAuth:
        return self._kafka_auth

    @property
    def mongo_auth(self) -> MongoAuth:
        return self._mongo_auth
