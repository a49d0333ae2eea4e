from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings


class Settings(ServiceSettings):
    """Environment: TRAINING_PORT, TRAINING_MONGODB_DATABASE, TRAINING_CONSUMER_GROUP, TRAINING_SEED_CATALOGUE
    and the shared variables (see shared.config)."""

    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore", populate_by_name=True)

    service_name: str = "training"
    port: int = 8002
    mongodb_database: str = "kinerja_training"
    consumer_group: str = "training"
    seed_catalogue: bool = False
    """Load the seed catalogue at start-up (programmes not there yet only); ``python -m training.seed`` does the
    same as a command."""
