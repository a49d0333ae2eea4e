"""Bahasa Indonesia by default, English when the caller asks for it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.http import ProblemError, install_problem_handlers
from shared.i18n import Text, TextError, from_stored, join, negotiate, stored, verbatim


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "id"),
        ("", "id"),
        ("*", "id"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("EN-gb", "en"),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "id"),
        ("en;q=0.8,id", "id"),
        ("en,id;q=0.5", "en"),
        ("in", "id"),
        ("fr,en;q=0.5", "en"),
        ("fr,de", "id"),
        ("en;q=0", "id"),
        ("en;q=nan", "id"),
        ("en;q=7", "id"),
        ("en;q=abc", "id"),
        ("en;q=0.5,id;q=0.5", "id"),
        (";;;,,,", "id"),
        ("x" * 10_000 + ",en", "id"),
        (",".join(["fr"] * 20) + ",en", "id"),
    ],
)
def test_negotiate(header: str | None, language: str) -> None:
    assert negotiate(header) == language


def test_text_and_join() -> None:
    one, two = Text("satu", "one"), Text("dua", "two")
    assert str(one) == "satu"
    assert one.in_("en") == "one"
    assert one.in_("id") == "satu"
    assert join([one, two]) == Text("satu; dua", "one; two")
    assert one + two == Text("satudua", "onetwo")


def test_problem_details_follow_accept_language() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise ProblemError(
            409,
            "already_done",
            Text("Konflik", "Conflict"),
            Text("Sudah dikerjakan", "Already done"),
            errors=[{"field": "nip", "message": Text("NIP salah", "Wrong NIP")}],
        )

    client = TestClient(app)
    indonesian = client.get("/boom")
    assert indonesian.status_code == 409
    assert indonesian.headers["content-language"] == "id"
    assert "Accept-Language" in indonesian.headers["vary"]
    body = indonesian.json()
    assert (body["title"], body["detail"], body["code"]) == ("Konflik", "Sudah dikerjakan", "already_done")
    assert body["errors"] == [{"field": "nip", "message": "NIP salah"}]
    english = client.get("/boom", headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    assert (english["title"], english["detail"], english["code"]) == ("Conflict", "Already done", "already_done")
    assert english["errors"] == [{"field": "nip", "message": "Wrong NIP"}]


def test_a_text_kept_in_a_database_keeps_both_languages_and_an_old_plain_string_is_said_as_it_is() -> None:
    text = Text("kolom tidak ada: nip", "missing column: nip")
    assert stored(text) == {"id": "kolom tidak ada: nip", "en": "missing column: nip"}
    assert from_stored(stored(text)) == text
    assert from_stored("an employee with NIP 1 is already registered") == verbatim(
        "an employee with NIP 1 is already registered"
    )
    assert from_stored({"id": 1}).in_("en") == "{'id': 1}"  # not what stored() writes: shown as it is


def test_a_validators_refusal_carries_both_languages() -> None:
    refusal = TextError(Text("tidak boleh", "not allowed"))
    assert str(refusal) == "not allowed"
    assert refusal.text.ind == "tidak boleh"
