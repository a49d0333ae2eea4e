"""A webhook goes to the address that was checked, not to whatever the name resolves to next (DNS rebinding),
and keeps its name for the Host header and TLS (a real HTTPS receiver on this machine, its certificate issued
to the name only)."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi import FastAPI, Request, Response

from kinerja_testing import eventually, free_port
from notification.services.delivery import DeliveryError, pinned_target

NAME = "hooks.example"  # .example never resolves: a second lookup of it would fail the send


class Resolver:
    """Answers ``answers`` in turn (the last one again after that) and counts the lookups."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers, self.calls = list(answers), 0

    async def __call__(self, host: str) -> list[str]:
        assert host == NAME
        self.calls += 1
        return self.answers[min(self.calls, len(self.answers)) - 1]


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``NAME`` only (not for 127.0.0.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[tuple[int, list[str], ssl.SSLContext]]:
    """An HTTPS receiver on 127.0.0.1: its port, the Host headers it saw, a client context trusting it."""
    cert_file, key_file = certificate(tmp_path)
    seen: list[str] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        seen.append(request.headers["host"])
        return Response(status_code=204)

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, ssl_certfile=str(cert_file), ssl_keyfile=str(key_file)
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=30)
    try:
        yield port, seen, ssl.create_default_context(cafile=str(cert_file))
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def test_the_send_goes_to_the_checked_address_under_its_name(
    receiver: tuple[int, list[str], ssl.SSLContext],
) -> None:
    port, seen, trust = receiver
    resolve = Resolver(["127.0.0.1"], ["8.8.8.8"])  # the second answer would send it elsewhere
    target = await pinned_target(f"https://{NAME}:{port}/hook", True, resolve)
    assert str(target.url) == f"https://127.0.0.1:{port}/hook"
    assert (target.host, target.extensions) == (f"{NAME}:{port}", {"sni_hostname": NAME})
    async with httpx.AsyncClient(verify=trust, limits=httpx.Limits(max_keepalive_connections=0)) as http:
        response = await http.post(
            target.url, content=b"{}", headers={"host": target.host}, extensions=target.extensions
        )
    assert response.status_code == 204
    assert seen == [f"{NAME}:{port}"]
    assert resolve.calls == 1  # the name was looked up once, for the check
    # Without the name for TLS, the certificate (issued to the name) does not match the address.
    async with httpx.AsyncClient(verify=trust) as http:
        with pytest.raises(httpx.ConnectError):
            await http.post(target.url, content=b"{}")


@pytest.mark.parametrize(
    "answer",
    [["127.0.0.1"], ["8.8.8.8", "10.0.0.5"], ["::ffff:192.168.1.1"], ["169.254.169.254"], ["fd00::1"]],
)
async def test_a_name_with_any_refused_address_is_refused(answer: list[str]) -> None:
    with pytest.raises(DeliveryError, match="refused address"):
        await pinned_target(f"https://{NAME}/hook", False, Resolver(answer))


async def test_a_public_address_is_kept_for_the_connection() -> None:
    target = await pinned_target(f"https://{NAME}:8443/hook?x=1", False, Resolver(["8.8.8.8", "2001:4860:4860::8888"]))
    assert (str(target.url), target.host) == ("https://8.8.8.8:8443/hook?x=1", f"{NAME}:8443")
    idn = await pinned_target(
        "https://bücher.example/hook", False, lambda host: _answer(host, ["2001:4860:4860::8888"])
    )
    assert (str(idn.url), idn.host, idn.extensions) == (
        "https://[2001:4860:4860::8888]/hook",
        "xn--bcher-kva.example",
        {"sni_hostname": "xn--bcher-kva.example"},
    )


async def _answer(host: str, addresses: list[str]) -> list[str]:
    assert host == "xn--bcher-kva.example"  # the name is looked up IDNA-encoded
    return addresses


async def test_a_name_that_does_not_resolve_is_refused() -> None:
    async def fails(host: str) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(DeliveryError, match="cannot resolve"):
        await pinned_target(f"https://{NAME}/hook", False, fails)
    with pytest.raises(DeliveryError, match="cannot resolve"):
        await pinned_target(f"https://{NAME}/hook", False, Resolver([]))


async def test_a_url_refused_by_the_rules_is_not_resolved() -> None:
    resolve = Resolver(["8.8.8.8"])
    with pytest.raises(DeliveryError, match="URL refused"):
        await pinned_target(f"http://{NAME}/hook", False, resolve)  # http to a name that is not loopback
    assert resolve.calls == 0
