from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment: NOTIFICATION_PORT, NOTIFICATION_MONGODB_DATABASE, NOTIFICATION_CONSUMER_GROUP
    and the shared variables (see shared.config)."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATION_", extra="ignore", populate_by_name=True)

    service_name: str = "notification"
    port: int = 8003
    mongodb_database: str = "kinerja_notification"
    consumer_group: str = "notification"
