from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment: REPORTING_PORT, REPORTING_MONGODB_DATABASE, REPORTING_CONSUMER_GROUP
    and the shared variables (see shared.config)."""

    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore", populate_by_name=True)

    service_name: str = "reporting"
    port: int = 8004
    mongodb_database: str = "kinerja_reporting"
    consumer_group: str = "reporting"
