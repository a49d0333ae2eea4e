"""The portal's pure parts: SKP content edits, the sealed session cookie, the settings' refusals."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from portal import skp_content
from portal.apis import field_label, problem_of
from portal.config import Settings
from portal.session import MAX_CHUNKS, MAX_COOKIE, Revocations, Sealer, Session, cookie_names, joined_cookie

FIRST = ("kuantitas", "Cakupan imunisasi dasar lengkap", "95", "%")


def test_rhk_and_indicator_ids_are_fresh_and_edits_never_change_the_input() -> None:
    empty: skp_content.Content = {"approach": "kuantitatif", "rhk": []}
    one = skp_content.add_rhk(empty, "utama", "Meningkatnya cakupan imunisasi", "RHK1", FIRST)
    assert empty["rhk"] == []
    assert one["rhk"][0]["rhk_id"] == "RHK1"
    assert one["rhk"][0]["intervened_rhk_id"] == "RHK1"
    assert one["rhk"][0]["indicators"][0]["indicator_id"] == "RHK1-I1"
    two = skp_content.add_rhk(one, "tambahan", "Tugas tambahan", None, ("waktu", "Tepat waktu", "12", "bulan"))
    assert [r["rhk_id"] for r in two["rhk"]] == ["RHK1", "RHK2"]
    assert "intervened_rhk_id" not in two["rhk"][1]
    more = skp_content.add_indicator(two, "RHK1", ("kualitas", "Mutu layanan", "90", "%"))
    assert [i["indicator_id"] for i in more["rhk"][0]["indicators"]] == ["RHK1-I1", "RHK1-I2"]
    fewer = skp_content.remove_indicator(more, "RHK1", "RHK1-I1")
    assert [i["indicator_id"] for i in fewer["rhk"][0]["indicators"]] == ["RHK1-I2"]
    again = skp_content.add_indicator(fewer, "RHK1", FIRST)
    assert [i["indicator_id"] for i in again["rhk"][0]["indicators"]] == ["RHK1-I2", "RHK1-I3"]
    gone = skp_content.remove_rhk(again, "RHK1")
    assert [r["rhk_id"] for r in gone["rhk"]] == ["RHK2"]
    assert skp_content.next_rhk_id(gone) == "RHK3"


def test_bad_edits_are_refused() -> None:
    content = skp_content.add_rhk({"approach": "kuantitatif", "rhk": []}, "utama", "x", None, FIRST)
    with pytest.raises(ValueError, match="aspek"):
        skp_content.add_indicator(content, "RHK1", ("mutu", "x", "1", "%"))
    with pytest.raises(ValueError, match="jenis"):
        skp_content.add_rhk(content, "pokok", "x", None, FIRST)
    with pytest.raises(ValueError, match="tidak sah"):
        skp_content.add_rhk(content, "utama", "x", "RHK 1; drop", FIRST)
    with pytest.raises(KeyError):
        skp_content.remove_rhk(content, "RHK9")
    with pytest.raises(KeyError):
        skp_content.remove_indicator(content, "RHK1", "RHK1-I9")


def sealer() -> Sealer:
    return Sealer(os.urandom(32))


def test_a_session_opens_only_with_its_secret_untampered_and_unexpired() -> None:
    seal = sealer()
    session = Session(nip="198609262015051001", roles=["pegawai"], token="t" * 900, expires_at=time.time() + 60)
    (value,) = seal.seal_session(session)  # one cookie
    opened = seal.open_session(value)
    assert opened is not None
    assert (opened.nip, opened.roles, opened.csrf) == (session.nip, session.roles, session.csrf)
    assert session.token not in value  # sealed, not merely signed
    assert sealer().open_session(value) is None  # another secret
    tampered = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    assert seal.open_session(tampered) is None
    assert seal.open_session("not-a-cookie") is None
    assert seal.open_session(None) is None
    assert seal.open_session("x" * (MAX_COOKIE + 1)) is None
    # a value sealed for another purpose (the pre-sign-in cookie) is not a session
    assert seal.open_session(seal.seal("kinerja_pra", {"nip": "x"})) is None
    expired = Session(nip="1" * 18, roles=["pegawai"], token="t", expires_at=time.time() - 1)
    assert seal.open_session(seal.seal_session(expired)[0]) is None


def test_a_large_session_spans_several_cookies_up_to_the_services_token_bound() -> None:
    seal = sealer()
    big = Session(nip="198609262015051001", roles=["pegawai"], token="t" * 8192, expires_at=time.time() + 60)
    parts = seal.seal_session(big)
    assert 1 < len(parts) <= MAX_CHUNKS
    assert all(len(p) <= MAX_COOKIE for p in parts)
    cookies = dict(zip(cookie_names(), parts, strict=False))
    opened = seal.open_session(joined_cookie(cookies))
    assert opened is not None
    assert opened.token == big.token
    # a part missing or out of order opens nothing
    assert seal.open_session(joined_cookie({**cookies, cookie_names()[1]: ""})) is None
    assert seal.open_session("".join(reversed(parts))) is None
    with pytest.raises(ValueError, match="too large"):
        seal.seal_session(Session(nip=big.nip, roles=[], token="t" * 12_000, expires_at=big.expires_at))


def test_a_revoked_session_id_stays_revoked_until_its_session_would_have_expired() -> None:
    revoked = Revocations(limit=3)
    now = time.time()
    revoked.revoke("a", now + 60)
    revoked.revoke("old", now - 1)
    assert "a" in revoked
    assert "old" not in revoked
    assert "b" not in revoked
    revoked.revoke("b", now + 30)
    revoked.revoke("c", now + 90)  # full: the expired one goes first
    assert all(sid in revoked for sid in ("a", "b", "c"))
    revoked.revoke("d", now + 120)  # still full: the one that expires first goes
    assert "b" not in revoked
    assert all(sid in revoked for sid in ("a", "c", "d"))


def test_a_field_path_reads_as_words() -> None:
    assert field_label("body.evidence_links.0") == "tautan bukti ke-1"
    assert field_label("body.rhk.0.indicators.1.target") == "RHK ke-1, indikator ke-2, target"
    assert field_label("query.some_new_field") == "some new field"
    assert field_label("") == ""


def test_the_secret_must_be_32_bytes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Sealer(b"short")
    path = tmp_path / "secret"
    path.write_text("not base64!")
    with pytest.raises(ValueError, match="cannot read"):
        Sealer.from_file(path)
    path.write_text(base64.b64encode(os.urandom(32)).decode())
    assert Sealer.from_file(path) is not None


def test_settings_refuse_a_developer_sign_in_in_production_and_need_one_way_in(tmp_path: Path) -> None:
    secret = tmp_path / "s"
    with pytest.raises(ValidationError, match="production"):
        Settings(session_secret_file=secret, environment="production", dev_signin_key_file=tmp_path / "k")
    with pytest.raises(ValidationError, match="PORTAL_OIDC_ISSUER"):
        Settings(session_secret_file=secret)
    with pytest.raises(ValidationError, match="go together"):
        Settings(session_secret_file=secret, oidc_issuer="https://sso.example/realms/asn")
    with pytest.raises(ValidationError, match="loopback"):  # a public portal with the developer sign-in
        Settings(session_secret_file=secret, dev_signin_key_file=tmp_path / "k", public_url="https://kinerja.example")
    local = Settings(session_secret_file=secret, dev_signin_key_file=tmp_path / "k")
    assert local.secure_cookies is False  # http on this machine
    public = Settings(
        session_secret_file=secret,
        environment="production",
        public_url="https://kinerja.palembang.go.id",
        oidc_issuer="https://sso.example/realms/asn",
        oidc_client_id="portal",
    )
    assert public.secure_cookies is True


def test_a_problem_answer_becomes_a_readable_message() -> None:
    import httpx

    response = httpx.Response(
        422,
        json={
            "title": "Isian tidak sah",
            "detail": "SKP tidak dapat diajukan",
            "code": "validation_error",
            "errors": [{"field": "body.rhk.0.text", "message": "wajib diisi"}, {"message": "x"}, "junk"],
        },
    )
    problem = problem_of(response)
    assert (problem.status, problem.title, problem.code) == (422, "Isian tidak sah", "validation_error")
    assert problem.fields == ["RHK ke-1, uraian: wajib diisi", "x"]
    assert problem_of(httpx.Response(502, text="<html>")).title == "Permintaan tidak dapat diproses"
