"""Field errors of request validation: Bahasa Indonesia by type (from the error's ctx), pydantic's own
English unchanged (shared.field_errors)."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, Literal

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, ValidationError, model_validator

from shared.field_errors import GENERIC, INDONESIAN, field_message, field_name
from shared.http import install_problem_handlers
from shared.i18n import Text, TextError
from shared.inputs import InputModel


class Kind(StrEnum):
    PNS = "PNS"
    PPPK = "PPPK"


class Inner(BaseModel):
    x: int


class Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("ok", min_length=2, max_length=5, pattern="^[a-z]+$")
    items: list[int] = Field(default_factory=lambda: [1], min_length=1, max_length=2)
    count: int = Field(1, ge=1, le=10)
    over: int = Field(1, gt=0, lt=5)
    ratio: float = 1.0
    flag: StrictBool = True
    loose: bool = True
    day: dt.date = dt.date(2026, 1, 1)
    moment: dt.datetime = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    choice: Literal["a", "b", "c"] = "a"
    kind: Kind = Kind.PNS
    text: str = "t"
    mapping: dict[str, int] = Field(default_factory=dict)
    inner: Inner = Field(default_factory=lambda: Inner(x=1))
    ident: uuid.UUID = uuid.UUID(int=1)
    email: EmailStr = "a@example.go.id"
    required: int


def error_of(data: dict[str, Any], model: type[BaseModel] = Everything) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({"required": 1, **data})
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


@pytest.mark.parametrize(
    ("data", "kind", "indonesian"),
    [
        ({"name": "a"}, "string_too_short", "Paling sedikit 2 karakter"),
        ({"name": "abcdefg"}, "string_too_long", "Paling banyak 5 karakter"),
        ({"name": "ABC"}, "string_pattern_mismatch", "Tidak sesuai dengan format yang diharapkan (pola ^[a-z]+$)"),
        ({"items": []}, "too_short", "Paling sedikit 1 item"),
        ({"items": [1, 2, 3]}, "too_long", "Paling banyak 2 item"),
        ({"count": 0}, "greater_than_equal", "Harus lebih besar dari atau sama dengan 1"),
        ({"count": 11}, "less_than_equal", "Harus lebih kecil dari atau sama dengan 10"),
        ({"over": 0}, "greater_than", "Harus lebih besar dari 0"),
        ({"over": 5}, "less_than", "Harus lebih kecil dari 5"),
        ({"count": "x"}, "int_parsing", "Harus berupa bilangan bulat"),
        ({"count": [1]}, "int_type", "Harus berupa bilangan bulat"),
        ({"count": 1.5}, "int_from_float", "Harus berupa bilangan bulat, bukan pecahan"),
        ({"ratio": "x"}, "float_parsing", "Harus berupa angka"),
        ({"flag": "yes"}, "bool_type", "Harus berupa nilai boolean (true atau false)"),
        ({"loose": "maybe"}, "bool_parsing", "Harus berupa nilai boolean (true atau false)"),
        ({"day": "2026-13-01"}, "date_from_datetime_parsing", "Harus berupa tanggal yang valid (YYYY-MM-DD)"),
        ({"moment": "tomorrow"}, "datetime_from_date_parsing", INDONESIAN["datetime_parsing"]),
        ({"choice": "z"}, "literal_error", "Harus salah satu dari: 'a', 'b' atau 'c'"),
        ({"kind": "X"}, "enum", "Harus salah satu dari: 'PNS' atau 'PPPK'"),
        ({"surplus": 1}, "extra_forbidden", "Isian ini tidak dikenal dan tidak diizinkan"),
        ({"text": 5}, "string_type", "Harus berupa teks"),
        ({"items": "x"}, "list_type", "Harus berupa daftar (array JSON)"),
        ({"mapping": []}, "dict_type", "Harus berupa objek JSON"),
        ({"inner": 3}, "model_type", "Harus berupa objek JSON"),
        ({"ident": "nope"}, "uuid_parsing", "Harus berupa UUID yang valid"),
        ({"email": "not-an-email"}, "value_error", "Harus berupa alamat email yang valid"),
        ({"required": None}, "int_type", "Harus berupa bilangan bulat"),
    ],
)
def test_each_type_in_bahasa_indonesia_with_its_ctx_and_english_unchanged(
    data: dict[str, Any], kind: str, indonesian: str
) -> None:
    error = error_of(data)
    assert error["type"] == kind
    assert field_message(error) == Text(indonesian, error["msg"])


def test_missing_and_the_field_path() -> None:
    with pytest.raises(ValidationError) as caught:
        Everything.model_validate({})
    error = dict(caught.value.errors()[0])
    assert (error["type"], field_name(error)) == ("missing", "required")
    assert field_message(error) == Text("Wajib diisi", "Field required")


def test_the_types_the_services_meet_all_have_a_text() -> None:
    named = {
        "missing",
        "string_too_short",
        "string_too_long",
        "string_pattern_mismatch",
        "too_short",
        "too_long",
        "greater_than_equal",
        "less_than_equal",
        "int_parsing",
        "float_parsing",
        "bool_parsing",
        "date_parsing",
        "date_from_datetime_parsing",
        "datetime_parsing",
        "literal_error",
        "enum",
        "extra_forbidden",
        "string_type",
        "int_type",
        "list_type",
        "dict_type",
        "model_type",
        "model_attributes_type",
        "value_error",
        "uuid_parsing",
        "json_invalid",
    }
    assert named <= set(INDONESIAN)


def test_an_unknown_type_reads_generic_in_indonesian_and_pydantic_in_english() -> None:
    error = {"type": "something_new", "loc": ("body", "x"), "msg": "Something new went wrong", "ctx": {"a": 1}}
    assert field_message(error) == Text(GENERIC, "Something new went wrong")


def test_a_text_missing_its_ctx_falls_back_to_generic() -> None:
    error = {"type": "string_too_short", "loc": ("x",), "msg": "String should have at least 2 characters"}
    assert field_message(error) == Text(GENERIC, "String should have at least 2 characters")


class Refusing(BaseModel):
    a: int = 0

    @model_validator(mode="after")
    def _refuse(self) -> Refusing:
        if self.a < 0:
            raise TextError(Text("a tidak boleh negatif", "a cannot be negative"))
        if self.a > 100:
            raise ValueError("a is far too large")
        return self


def test_a_validator_of_this_project_speaks_both_languages() -> None:
    error = error_of({"a": -1}, Refusing)
    assert field_message(error) == Text("a tidak boleh negatif", "a cannot be negative")
    foreign = error_of({"a": 101}, Refusing)  # a plain ValueError: generic in Indonesian
    assert field_message(foreign) == Text(GENERIC, "Value error, a is far too large")


class Body(InputModel):
    name: str = Field(min_length=2)
    count: int = Field(ge=1)


def test_the_problem_answer_speaks_indonesian_by_default_and_english_on_request() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    async def create(body: Body, limit: int = Query(10, le=50)) -> dict[str, int]:
        return {"count": body.count}

    client = TestClient(app)
    body = {"name": "x", "count": 0}
    answer = client.post("/things?limit=99", json=body)
    problem = answer.json()
    assert (answer.status_code, problem["code"], answer.headers["Content-Language"]) == (422, "validation_error", "id")
    assert problem["title"] == "Permintaan tidak valid"
    assert problem["detail"] == "Isian yang tidak valid: query.limit, body.name, body.count"
    assert problem["errors"] == [
        {"field": "query.limit", "message": "Harus lebih kecil dari atau sama dengan 50"},
        {"field": "body.name", "message": "Paling sedikit 2 karakter"},
        {"field": "body.count", "message": "Harus lebih besar dari atau sama dengan 1"},
    ]
    english = client.post("/things?limit=99", json=body, headers={"Accept-Language": "en"})
    assert english.json()["code"] == "validation_error"
    assert english.headers["Content-Language"] == "en"
    assert english.json()["title"] == "The request is not valid"
    assert english.json()["errors"][1] == {"field": "body.name", "message": "String should have at least 2 characters"}
    control = client.post("/things", json={"name": "ab\x07", "count": 1})
    assert control.json()["errors"] == [{"field": "body", "message": "name: karakter kontrol U+0007 tidak diizinkan"}]
    broken = client.post("/things", content=b"{", headers={"Content-Type": "application/json"})
    assert (broken.status_code, broken.json()["code"]) == (400, "invalid_json")
    assert broken.json()["detail"] == "Isi permintaan bukan JSON yang valid"
