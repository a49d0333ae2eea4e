"""Settings shared by every service.

Infrastructure and authentication settings are read from unprefixed environment variables
(``KAFKA_BOOTSTRAP_SERVERS``, ``MONGODB_URL``, ``AUTH_*``, ``LOG_LEVEL``) so one environment serves
all four services; each service's own settings carry its prefix (``APPRAISAL_PORT``, ...).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ServiceSettings(BaseSettings):
    """Base settings; a service subclasses it with its prefix and defaults."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str
    host: str = "127.0.0.1"
    port: int
    mongodb_database: str
    consumer_group: str

    mongodb_url: str = Field("mongodb://127.0.0.1:27017/", validation_alias=_env("MONGODB_URL"))
    kafka_bootstrap_servers: str = Field("127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"))
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
    shutdown_timeout_s: float = Field(20.0, gt=0, validation_alias=_env("SHUTDOWN_TIMEOUT_S"))
    outbox_poll_interval_s: float = Field(10.0, gt=0, validation_alias=_env("OUTBOX_POLL_INTERVAL_S"))
    outbox_relay_enabled: bool = Field(True, validation_alias=_env("OUTBOX_RELAY_ENABLED"))
    consumer_retry_attempts: int = Field(5, ge=1, le=20, validation_alias=_env("CONSUMER_RETRY_ATTEMPTS"))
    consumer_retry_backoff_s: float = Field(0.2, gt=0, le=10, validation_alias=_env("CONSUMER_RETRY_BACKOFF_S"))
    consumer_batch_max_records: int = Field(500, ge=1, le=5000, validation_alias=_env("CONSUMER_BATCH_MAX_RECORDS"))
    consumer_batch_timeout_ms: int = Field(100, ge=1, le=5000, validation_alias=_env("CONSUMER_BATCH_TIMEOUT_MS"))
    http_body_limit_bytes: int = Field(
        256 * 1024, ge=1024, le=64 * 1024 * 1024, validation_alias=_env("HTTP_BODY_LIMIT_BYTES")
    )
    docs_enabled: bool = Field(True, validation_alias=_env("DOCS_ENABLED"))
