from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from kinerja_testing import Keys
from shared.auth import PPK_SUBJECT, Role, TokenVerifier
from shared.http import ProblemError
from shared.i18n import Text
from shared.token import ensure_local_keypair, mint_token
from shared.token import main as token_main

NIP = "198609262015051001"


def verifier(keys: Keys, **overrides: object) -> TokenVerifier:
    options: dict[str, object] = {
        "public_key_file": keys.public,
        "jwks_url": None,
        "audience": "kinerja-asn",
        "issuer": None,
    }
    options.update(overrides)
    return TokenVerifier(**options)  # type: ignore[arg-type]


async def test_valid_token_gives_nip_and_roles(keys: Keys) -> None:
    token = mint_token(keys.private, NIP, ["pegawai", "pejabat_penilai"], opd_code="DINKES")
    principal = await verifier(keys).verify(token)
    assert principal.nip == NIP
    assert principal.roles == {Role.PEGAWAI, Role.PEJABAT_PENILAI}
    assert principal.opd_code == "DINKES"


async def test_expired_token_is_401(keys: Keys) -> None:
    token = mint_token(keys.private, NIP, ["pegawai"], ttl=timedelta(seconds=-5))
    with pytest.raises(ProblemError) as caught:
        await verifier(keys).verify(token)
    assert caught.value.status == 401
    assert caught.value.detail == Text("Token bearer sudah kedaluwarsa", "The bearer token has expired")


async def test_wrong_audience_is_401(keys: Keys) -> None:
    token = mint_token(keys.private, NIP, ["pegawai"], audience="another-app")
    with pytest.raises(ProblemError) as caught:
        await verifier(keys).verify(token)
    assert caught.value.status == 401


async def test_wrong_issuer_is_401_when_issuer_is_configured(keys: Keys) -> None:
    token = mint_token(keys.private, NIP, ["pegawai"], issuer="someone-else")
    with pytest.raises(ProblemError):
        await verifier(keys, issuer="kinerja-asn-local").verify(token)


async def test_token_signed_by_another_key_is_401(keys: Keys, tmp_path: Path) -> None:
    other_private, _ = ensure_local_keypair(tmp_path)
    token = mint_token(other_private, NIP, ["admin_bkpsdm"])
    with pytest.raises(ProblemError) as caught:
        await verifier(keys).verify(token)
    assert caught.value.code == "unauthenticated"


async def test_unsigned_token_is_rejected(keys: Keys) -> None:
    token = jwt.encode({"sub": NIP, "roles": ["admin_bkpsdm"], "aud": "kinerja-asn", "exp": 4102444800}, "", "none")
    with pytest.raises(ProblemError):
        await verifier(keys).verify(token)


async def test_nested_roles_claim_keycloak_style_and_unknown_roles_ignored(keys: Keys) -> None:
    token = jwt.encode(
        {
            "sub": NIP,
            "aud": "kinerja-asn",
            "exp": 4102444800,
            "realm_access": {"roles": ["admin_opd", "offline_access"]},
        },
        keys.private.read_text(),
        algorithm="ES256",
    )
    principal = await verifier(keys, roles_claim="realm_access.roles").verify(token)
    assert principal.roles == {Role.ADMIN_OPD}


def test_verifier_needs_a_key_source() -> None:
    with pytest.raises(ValueError, match="AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL"):
        TokenVerifier(public_key_file=None, jwks_url=None, audience="a", issuer=None)


def test_local_keypair_is_created_once_with_private_key_unreadable_by_others(tmp_path: Path) -> None:
    private, public = ensure_local_keypair(tmp_path)
    first = private.read_bytes()
    assert private.stat().st_mode & 0o077 == 0
    assert ensure_local_keypair(tmp_path) == (private, public)
    assert private.read_bytes() == first


async def test_tokens_are_verified_against_a_jwks_endpoint(keys: Keys) -> None:
    """Production points AUTH_JWKS_URL at the identity provider; here a local HTTP server plays it."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    public_key = load_pem_public_key(keys.public.read_bytes())
    assert isinstance(public_key, EllipticCurvePublicKey)
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public_key)) | {"kid": "k1", "use": "sig", "alg": "ES256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/certs"
        token = jwt.encode(
            {"sub": NIP, "aud": "kinerja-asn", "exp": 4102444800, "roles": ["pimpinan"]},
            keys.private.read_text(),
            algorithm="ES256",
            headers={"kid": "k1"},
        )
        principal = await verifier(keys, public_key_file=None, jwks_url=url).verify(token)
        assert principal.roles == {Role.PIMPINAN}
        unknown_kid = jwt.encode(
            {"sub": NIP, "aud": "kinerja-asn", "exp": 4102444800},
            keys.private.read_text(),
            algorithm="ES256",
            headers={"kid": "other"},
        )
        with pytest.raises(ProblemError):
            await verifier(keys, public_key_file=None, jwks_url=url).verify(unknown_kid)
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": 198609262015051001},  # not a string
        {"sub": "not-a-nip"},
        {"sub": "١٩٨٦٠٩٢٦٢٠١٥٠٥١٠٠١"},  # digits, but not ASCII ones
        {"opd": {"$ne": None}},  # a query operator where a code belongs
        {"opd": ""},  # empty: would read as "no OPD filter"
        {"opd": "dinkes; drop"},
        {"opd": ["DINKES"]},
        {"name": "x" * 201},
        {"name": {"first": "A"}},
    ],
)
async def test_claims_of_the_wrong_type_or_shape_are_401(keys: Keys, claims: dict[str, object]) -> None:
    """Claims are input like any other: a signed token with a malformed claim is refused at the edge."""
    body: dict[str, object] = {"sub": NIP, "aud": "kinerja-asn", "exp": 4102444800, "roles": ["admin_opd"]}
    token = jwt.encode(body | claims, keys.private.read_text(), algorithm="ES256")
    with pytest.raises(ProblemError) as refused:
        await verifier(keys).verify(token)
    assert refused.value.status == 401


async def test_the_401_says_nothing_of_the_library_or_the_key(keys: Keys, tmp_path: Path) -> None:
    other_private, _ = ensure_local_keypair(tmp_path / "other")
    token = mint_token(other_private, NIP, ["pegawai"])
    with pytest.raises(ProblemError) as refused:
        await verifier(keys).verify(token)
    assert refused.value.detail == Text("Token bearer tidak valid", "The bearer token is not valid")


async def test_roles_that_are_not_strings_are_ignored(keys: Keys) -> None:
    body = {"sub": NIP, "aud": "kinerja-asn", "exp": 4102444800, "roles": [{"$in": ["admin_bkpsdm"]}, "pegawai"]}
    principal = await verifier(keys).verify(jwt.encode(body, keys.private.read_text(), algorithm="ES256"))
    assert principal.roles == {Role.PEGAWAI}


async def test_the_ppk_has_no_nip_its_subject_is_ppk_with_the_ppk_role(keys: Keys) -> None:
    principal = await verifier(keys).verify(mint_token(keys.private, PPK_SUBJECT, ["ppk", "pimpinan"]))
    assert principal.nip == "PPK"
    assert principal.roles == {Role.PPK, Role.PIMPINAN}


@pytest.mark.parametrize(
    ("sub", "roles"),
    [
        ("PPK", ["pegawai"]),  # the PPK subject without the role
        ("PPK", ["admin_bkpsdm"]),
        (NIP, ["ppk"]),  # the role on an ASN's NIP
        (NIP, ["ppk", "pejabat_penilai"]),
        ("ppk", ["ppk"]),  # the sentinel is exact
        ("PPK ", ["ppk"]),
    ],
)
async def test_the_ppk_role_and_subject_only_go_together(keys: Keys, sub: str, roles: list[str]) -> None:
    body = {"sub": sub, "aud": "kinerja-asn", "exp": 4102444800, "roles": roles}
    with pytest.raises(ProblemError) as refused:
        await verifier(keys).verify(jwt.encode(body, keys.private.read_text(), algorithm="ES256"))
    assert refused.value.status == 401


def test_the_token_command_mints_several_roles_and_an_opd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--nip", NIP, "--role", "pegawai,admin_opd", "--role", "pejabat_penilai", "--opd", "DINKES"]
    assert token_main([*argv, "--keys-dir", str(tmp_path)]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert (claims["sub"], sorted(claims["roles"]), claims["opd"]) == (
        NIP,
        ["admin_opd", "pegawai", "pejabat_penilai"],
        "DINKES",
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--nip", "abc", "--role", "pegawai"], "subject is not a NIP"),
        (["--nip", "PPK", "--role", "admin_bkpsdm"], "ppk role and the PPK subject go together"),
        (["--nip", NIP, "--role", "ppk"], "ppk role and the PPK subject go together"),
        (["--nip", NIP, "--role", "admin_opd"], "admin_opd needs --opd"),
        (["--nip", NIP, "--role", "admin_opd", "--opd", "dinkes"], "opd claim is not an OPD code"),
        (["--nip", NIP, "--role", "pegawai,bogus"], "unknown role bogus"),
        (["--nip", NIP, "--role", ","], "unknown role (none)"),
        (["--nip", NIP, "--role", "pegawai", "--hours", "0"], "--hours must be"),
    ],
)
def test_the_token_command_refuses_what_the_services_refuse(
    argv: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        token_main([*argv, "--keys-dir", str(tmp_path)])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert says in captured.err
    assert captured.out == ""  # no token printed
