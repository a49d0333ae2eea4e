from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment: APPRAISAL_PORT, APPRAISAL_MONGODB_DATABASE, APPRAISAL_CONSUMER_GROUP
    and the shared variables (see shared.config)."""

    model_config = SettingsConfigDict(env_prefix="APPRAISAL_", extra="ignore", populate_by_name=True)

    service_name: str = "appraisal"
    port: int = 8001
    mongodb_database: str = "kinerja_appraisal"
    consumer_group: str = "appraisal"
