from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment: ``NOTIFICATION_*`` (the README's configuration table) and the shared variables
    (see shared.config)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore", populate_by_name=True)

    service_name: str = "notification"
    port: int = 8003
    mongodb_database: str = "kinerja_notification"
    consumer_group: str = "notification"

    link_base_url: str = Field("https://kinerja.palembang.go.id", max_length=500)
    """The web application: every message links to its record under it."""

    smtp_host: str | None = None
    """The mail server; unset: the email channel is off (logged once at start-up, no email deliveries made)."""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_from: str = "Kinerja ASN Palembang <no-reply@palembang.go.id>"
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(10.0, gt=0, le=120)

    webhook_allow_loopback_http: bool = False
    """Allow ``http://127.0.0.1`` (and localhost) targets: local use and tests only; never in production."""
    webhook_timeout_s: float = Field(5.0, gt=0, le=60)
    webhook_disable_after: int = Field(10, ge=1, le=1000)
    """Consecutive failed attempts after which a subscription is disabled (its owner re-enables it)."""
    webhook_secret_grace_s: float = Field(24 * 3600, ge=0, le=30 * 24 * 3600)
    """How long the old secret still signs after a rotation (both signatures are sent)."""

    delivery_max_attempts: int = Field(6, ge=1, le=50)
    delivery_backoff_initial_s: float = Field(5.0, gt=0, le=3600)
    delivery_backoff_max_s: float = Field(900.0, gt=0, le=86400)
    delivery_poll_interval_s: float = Field(1.0, gt=0, le=60)
    delivery_lease_s: float = Field(60.0, gt=0, le=3600)
    """A claimed delivery not finished within this time (its worker died) is claimed again."""
    delivery_batch_size: int = Field(50, ge=1, le=1000)

    reminder_interval_s: float = Field(3600.0, gt=0, le=86400)
    reminder_lead_days: int = Field(3, ge=0, le=60)
    reminder_enabled: bool = True
    jp_obligation_per_year: float = Field(20.0, ge=0, le=1000)
    """PP 17/2020 Pasal 203: at least 20 JP a year (`shared.regulation.JP_OBLIGATIONS`, which training applies)."""
    jp_midyear_share: float = Field(0.5, ge=0, le=1)
    jp_reminder_window_days: int = Field(30, ge=0, le=184)

    stream_poll_interval_s: float = Field(1.0, gt=0, le=30)
    stream_heartbeat_s: float = Field(15.0, gt=0, le=300)
    stream_ticket_ttl_s: float = Field(60.0, gt=0, le=3600)
