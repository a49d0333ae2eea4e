import json
import logging

import pytest
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings
from shared.logs import JsonFormatter, correlation_id_var


def test_json_log_line_has_service_correlation_id_and_extras() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hello %s", "args": ("world",)})
    record.port = 8001
    token = correlation_id_var.set("corr-9")
    try:
        line = JsonFormatter("appraisal").format(record)
    finally:
        correlation_id_var.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert entry["service"] == "appraisal"
    assert entry["correlation_id"] == "corr-9"
    assert entry["port"] == 8001


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore", populate_by_name=True)
    service_name: str = "demo"
    port: int = 9000
    mongodb_database: str = "demo"
    consumer_group: str = "demo"


def test_infrastructure_variables_are_unprefixed_and_service_variables_prefixed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.example:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://db.example:27017/")
    monkeypatch.setenv("DEMO_PORT", "9100")
    monkeypatch.setenv("PORT", "1")
    settings = DemoSettings()
    assert settings.kafka_bootstrap_servers == "kafka.example:9092"
    assert settings.mongodb_url == "mongodb://db.example:27017/"
    assert settings.port == 9100


def test_invalid_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PORT", "not-a-port")
    with pytest.raises(ValueError, match="port"):
        DemoSettings()
