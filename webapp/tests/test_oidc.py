"""Signing in with OpenID Connect (authorization code flow with PKCE) against a provider of the test: the
portal sends the browser to the provider with a S256 challenge, state and nonce, exchanges the code with
the verifier, checks the ID token's nonce, verifies the access token against the provider's JWKS and
opens a session. A forged or replayed state, a wrong verifier (the provider refuses), an ID token of
another sign-in or a token signed by another key opens nothing. The developer sign-in does not exist in
this configuration."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from kinerja_testing import free_port

NIP = "198609262015051001"


@dataclass
class Provider:
    url: str
    key: ec.EllipticCurvePrivateKey
    challenges: dict[str, str] = field(default_factory=dict)
    """code -> the S256 challenge it was issued for."""
    nonces: dict[str, str] = field(default_factory=dict)
    """code -> the nonce of the authorization request."""
    wrong_nonce: bool = False
    """When set, ID tokens carry another nonce than the one asked for."""
    groups: int = 0
    """Groups to put in the access token (a large Keycloak token)."""
    signing_key: ec.EllipticCurvePrivateKey | None = None
    """When set, tokens are signed with this key instead (not the one the JWKS publishes)."""

    def token(self) -> str:
        now = int(time.time())
        claims = {"sub": NIP, "iss": self.url, "aud": "kinerja-asn", "iat": now, "exp": now + 600}
        claims["realm_access"] = {"roles": ["pegawai"]}
        if self.groups:
            claims["groups"] = [f"/pemkot-palembang/opd/dinas-kesehatan/unit-{i:04d}" for i in range(self.groups)]
        return jwt.encode(claims, self.signing_key or self.key, algorithm="ES256", headers={"kid": "k1"})

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"sub": NIP, "iss": self.url, "aud": "kinerja-portal", "iat": now, "exp": now + 600}
        claims["nonce"] = "another-sign-in" if self.wrong_nonce else nonce
        return jwt.encode(claims, self.signing_key or self.key, algorithm="ES256", headers={"kid": "k1"})


@pytest.fixture
def provider() -> Iterator[Provider]:
    port = free_port()
    state = Provider(f"http://127.0.0.1:{port}", ec.generate_private_key(ec.SECP256R1()))

    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": state.url,
                        "authorization_endpoint": f"{state.url}/auth",
                        "token_endpoint": f"{state.url}/token",
                        "jwks_uri": f"{state.url}/jwks",
                    },
                )
            elif parts.path == "/jwks":
                jwk = json.loads(ECAlgorithm.to_jwk(state.key.public_key()))
                self._json(200, {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "ES256"}]})
            elif parts.path == "/auth":  # the person signs in at the provider: here, at once
                assert query["response_type"] == "code"
                assert query["code_challenge_method"] == "S256"
                assert query["nonce"]
                code = os.urandom(8).hex()
                state.challenges[code] = query["code_challenge"]
                state.nonces[code] = query["nonce"]
                target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                self.send_response(302)
                self.send_header("location", target)
                self.end_headers()
            else:
                self._json(404, {})

        def do_POST(self) -> None:
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["content-length"])).decode()).items()}
            challenge = state.challenges.pop(form.get("code", ""), None)
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if challenge is None or base64.urlsafe_b64encode(digest).decode().rstrip("=") != challenge:
                self._json(400, {"error": "invalid_grant"})
                return
            tokens = {"access_token": state.token(), "token_type": "Bearer", "expires_in": 600}
            tokens["id_token"] = state.id_token(state.nonces.pop(form["code"]))
            self._json(200, tokens)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(provider: Provider, launch_portal: Callable[..., contextlib.AbstractContextManager[str]]) -> Iterator[str]:
    """A portal that signs in with the provider only (no developer sign-in)."""
    with launch_portal(
        PORTAL_OIDC_ISSUER=provider.url, PORTAL_OIDC_CLIENT_ID="kinerja-portal", PORTAL_ROLES_CLAIM="realm_access.roles"
    ) as url:
        yield url


def start(client: httpx.Client) -> str:
    """The portal's redirect to the provider's authorization endpoint."""
    response = client.get("/masuk/oidc")
    assert response.status_code == 303
    return response.headers["location"]


def test_the_code_flow_with_pkce_opens_a_session(portal: str, provider: Provider) -> None:
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        page = client.get("/masuk")
        assert "/masuk/oidc" in page.text
        assert 'action="/masuk/dev"' not in page.text  # no developer sign-in here
        assert client.post("/masuk/dev", data={"nip": NIP, "roles": "pegawai"}).status_code == 404
        authorize = start(client)
        query = parse_qs(urlsplit(authorize).query)
        assert query["code_challenge_method"] == ["S256"]
        assert query["redirect_uri"] == [f"{portal}/masuk/callback"]
        back = httpx.get(authorize, follow_redirects=False)
        callback = client.get(back.headers["location"].removeprefix(portal))
        assert callback.status_code == 303, callback.text
        assert callback.headers["location"] == "/"
        assert "kinerja_sesi=" in callback.headers["set-cookie"]
        # signed in: the sign-in page sends the person on to the beranda
        assert client.get("/masuk").headers["location"] == "/"


def test_a_state_is_accepted_once_and_the_id_token_must_carry_the_nonce(portal: str, provider: Provider) -> None:
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        authorize = start(client)
        before = dict(client.cookies)  # the pre-sign-in cookie, as a thief might have copied it
        callback = httpx.get(authorize, follow_redirects=False).headers["location"].removeprefix(portal)
        assert client.get(callback).status_code == 303
    with httpx.Client(base_url=portal, cookies=before, follow_redirects=False) as replay:
        again = replay.get(callback)
        assert again.status_code == 400
        assert "sudah dipakai" in again.text
        assert "kinerja_sesi=" not in again.headers.get("set-cookie", "")

    provider.wrong_nonce = True  # an ID token obtained for another sign-in
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        back = httpx.get(start(client), follow_redirects=False)
        refused = client.get(back.headers["location"].removeprefix(portal))
        assert refused.status_code == 403
        assert "bukan untuk proses masuk ini" in refused.text
        assert "kinerja_sesi=" not in refused.headers.get("set-cookie", "")


def test_a_forged_state_a_wrong_verifier_or_a_foreign_signature_opens_nothing(portal: str, provider: Provider) -> None:
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        authorize = start(client)
        back = httpx.get(authorize, follow_redirects=False)
        location = urlsplit(back.headers["location"])
        code = parse_qs(location.query)["code"][0]
        forged = client.get(f"/masuk/callback?{urlencode({'code': code, 'state': 'forged'})}")
        assert forged.status_code == 400
        assert "kinerja_sesi=" not in forged.headers.get("set-cookie", "")

    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        authorize = start(client)
        # the provider saw another challenge: the portal's verifier no longer matches
        query = parse_qs(urlsplit(authorize).query)
        tampered = authorize.replace(query["code_challenge"][0], "A" * 43)
        assert tampered != authorize, authorize
        back = httpx.get(tampered, follow_redirects=False)
        refused = client.get(back.headers["location"].removeprefix(portal))
        assert refused.status_code == 403
        assert "Masuk gagal" in refused.text

    provider.signing_key = ec.generate_private_key(ec.SECP256R1())  # not the key the JWKS publishes
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        back = httpx.get(start(client), follow_redirects=False)
        foreign = client.get(back.headers["location"].removeprefix(portal))
        assert foreign.status_code == 403
        assert "kinerja_sesi=" not in foreign.headers.get("set-cookie", "")


def test_a_large_token_is_kept_over_several_cookies(portal: str, provider: Provider) -> None:
    provider.groups = 110  # about 7 KB of token: two or three cookies, under the services' 8 KiB bound
    with httpx.Client(base_url=portal, follow_redirects=False) as client:
        back = httpx.get(start(client), follow_redirects=False)
        callback = client.get(back.headers["location"].removeprefix(portal))
        assert callback.status_code == 303, callback.text
        assert {"kinerja_sesi", "kinerja_sesi_1"} <= set(client.cookies.keys())
        assert client.get("/masuk").headers["location"] == "/"  # signed in
        del client.cookies["kinerja_sesi_1"]  # a part missing: no session
        assert client.get("/masuk").status_code == 200
