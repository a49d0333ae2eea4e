from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from shared.config import ServiceSettings
from shared.credentials import CredentialsError, KafkaAuth, MongoAuth, mongodb_url_with, read_secret_file

SECRET = "s3cret-Passw0rd"


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_")
    service_name: str = "demo"
    port: int = 9000
    mongodb_database: str = "demo"
    consumer_group: str = "demo"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "KAFKA_SECURITY_PROTOCOL",
        "KAFKA_SASL_MECHANISM",
        "KAFKA_SASL_USERNAME",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SASL_PASSWORD_FILE",
        "MONGODB_USERNAME",
        "MONGODB_PASSWORD",
        "MONGODB_PASSWORD_FILE",
    ):
        monkeypatch.delenv(name, raising=False)


def test_without_credentials_kafka_is_plaintext_and_mongo_takes_the_url() -> None:
    settings = DemoSettings()
    assert settings.kafka_auth == KafkaAuth()
    assert settings.kafka_auth.client_options() == {}
    assert settings.mongo_auth.client_options() == {}


def test_a_username_and_a_password_file_mean_sasl_scram(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "kafka").write_text(SECRET + "\n")
    (tmp_path / "mongo").write_text(SECRET + "\n")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "appraisal")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD_FILE", str(tmp_path / "kafka"))
    monkeypatch.setenv("MONGODB_USERNAME", "appraisal")
    monkeypatch.setenv("MONGODB_PASSWORD_FILE", str(tmp_path / "mongo"))
    settings = DemoSettings()
    assert settings.kafka_auth.client_options() == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "appraisal",
        "sasl_plain_password": SECRET,
    }
    assert settings.mongo_auth.client_options() == {"username": "appraisal", "password": SECRET, "authSource": "admin"}
    assert SECRET not in repr(settings)
    assert SECRET not in repr(settings.kafka_auth)
    assert SECRET not in str(settings)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "needs KAFKA_SASL_USERNAME"),
        ({"KAFKA_SASL_USERNAME": "appraisal"}, "needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"),
        (
            {"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT", "KAFKA_SASL_USERNAME": "a", "KAFKA_SASL_PASSWORD": SECRET},
            "PLAINTEXT",
        ),
        ({"KAFKA_SASL_USERNAME": "a", "KAFKA_SASL_PASSWORD": "short"}, "KAFKA_SASL_PASSWORD"),
        ({"KAFKA_SASL_USERNAME": "bad name,x", "KAFKA_SASL_PASSWORD": SECRET}, "KAFKA_SASL_USERNAME"),
        ({"KAFKA_SECURITY_PROTOCOL": "SSL"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"MONGODB_USERNAME": "appraisal"}, "MONGODB_USERNAME and MONGODB_PASSWORD"),
        ({"MONGODB_USERNAME": "a", "MONGODB_PASSWORD": SECRET, "MONGODB_PASSWORD_FILE": "/x"}, "not both"),
        ({"KAFKA_SASL_USERNAME": "a", "KAFKA_SASL_PASSWORD_FILE": "/nonexistent/secret"}, "cannot read"),
    ],
)
def test_inconsistent_credentials_are_refused_at_start_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message) as refused:
        DemoSettings()
    assert SECRET not in str(refused.value)
    assert "short" not in str(refused.value).replace("too_short", "")


def test_a_secret_file_is_read_without_its_newline_and_refused_when_empty_or_huge(tmp_path: Path) -> None:
    (tmp_path / "ok").write_text("pass word\n")
    assert read_secret_file(tmp_path / "ok") == "pass word"
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(CredentialsError, match="empty"):
        read_secret_file(tmp_path / "empty")
    (tmp_path / "huge").write_text("x" * 5000)
    with pytest.raises(CredentialsError, match="larger"):
        read_secret_file(tmp_path / "huge")


def test_a_mongodb_url_takes_the_user_escaped_and_its_auth_source() -> None:
    auth = MongoAuth("admin", "p@ss:w/rd?")
    url = mongodb_url_with("mongodb://db:27017/?replicaSet=rs0&authSource=x", auth)
    assert url == "mongodb://admin:p%40ss%3Aw%2Frd%3F@db:27017/?replicaSet=rs0&authSource=admin"
    assert mongodb_url_with("mongodb://db:27017/", MongoAuth()) == "mongodb://db:27017/"
