import json
import logging

import pytest
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings
from shared.logs import JsonFormatter, PlainFormatter, correlation_id_var, event_id_var, trace_ids_var


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


def test_the_event_handled_and_the_trace_are_on_the_line_when_in_scope() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "WARNING", "msg": "failed"})
    assert "event_id" not in json.loads(JsonFormatter("training").format(record))
    tokens = (event_id_var.set("e-1"), trace_ids_var.set(("a" * 32, "b" * 16)))
    try:
        entry = json.loads(JsonFormatter("training").format(record))
    finally:
        event_id_var.reset(tokens[0])
        trace_ids_var.reset(tokens[1])
    assert (entry["event_id"], entry["trace_id"], entry["span_id"]) == ("e-1", "a" * 32, "b" * 16)


def test_nips_are_redacted_everywhere_on_the_line_unless_personal_data_is_allowed() -> None:
    nip = "198609262015051001"
    record = logging.makeLogRecord({"name": "x", "levelname": "ERROR", "msg": "no SKP for %s", "args": (nip,)})
    record.subject = nip
    try:
        raise ValueError(f"employee {nip} unknown")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter("appraisal").format(record)
    assert nip not in line
    entry = json.loads(line)
    assert entry["message"] == "no SKP for [NIP]"
    assert entry["subject"] == "[NIP]"
    assert "employee [NIP] unknown" in entry["exc_info"]
    assert nip in JsonFormatter("appraisal", personal_data=True).format(record)
    plain = PlainFormatter("%(levelname)s %(message)s")
    assert plain.format(record).startswith("ERROR no SKP for [NIP]")
    mail = logging.makeLogRecord({"name": "x", "msg": "SMTP 550 <budi.santoso@palembang.go.id> unavailable"})
    assert "SMTP 550 <[email]> unavailable" in JsonFormatter("notification").format(mail)
    query = logging.makeLogRecord(
        {
            "name": "uvicorn.access",
            "msg": "GET /x?q=siti%40palembang.go.id&n=19860926%20201505%201%20001&m=19860926+201505+1+001 200",
        }
    )
    line = JsonFormatter("training").format(query)
    assert json.loads(line)["message"] == "GET /x?q=[email]&n=[NIP]&m=[NIP] 200"
    spaced = logging.makeLogRecord({"name": "x", "msg": "NIP 19860926 201505 1 001 and 19860926.201505.1.001"})
    assert json.loads(JsonFormatter("x").format(spaced))["message"] == "NIP [NIP] and [NIP]"
    # 17 or 19 digits, and a number inside a longer one, are not NIPs
    other = logging.makeLogRecord({"name": "x", "msg": "offset 1234567890123456789 id 12345678901234567"})
    assert "[NIP]" not in JsonFormatter("appraisal").format(other)


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


def test_a_contract_violation_is_summarised_without_the_values_it_carried() -> None:
    from pydantic import BaseModel, ValidationError

    from shared.consumer import error_summary

    class Payload(BaseModel):
        nip: int
        name: str
        year: int

    try:
        Payload.model_validate({"nip": "1986092620150510xx", "name": 7, "year": "Budi Santoso"})
    except ValidationError as exc:
        summary = error_summary(exc)
    assert summary.startswith("ValidationError: nip: int_parsing; name: string_type; year: int_parsing")
    assert "19860926" not in summary
    assert "Budi" not in summary
    assert error_summary(RuntimeError("database away")) == "RuntimeError: database away"
