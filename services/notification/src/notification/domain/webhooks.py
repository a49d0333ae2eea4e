"""Webhooks as the Standard Webhooks specification has them, so a receiver verifies with an existing
library: headers ``webhook-id`` (stable across retries: the receiver's deduplication key),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256 of
id.timestamp.body>``, space-separated when two secrets are valid during a rotation); secrets are
``whsec_`` + base64 of random bytes. Also: which target URLs are allowed, and the retry schedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
from urllib.parse import urlsplit

from shared.i18n import Text

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of every secret, not a secret)
SECRET_BYTES = 32
MAX_URL_CHARS = 2000
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
URL_CONTROL = re.compile("[\x00-\x20\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


def encode_secret(raw: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def decode_secret(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256(secret, "<id>.<timestamp>.<body>")>``."""
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(decode_secret(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """One signature per valid secret (the new one and, during a rotation's grace period, the old)."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets)


def message_id(delivery_id: str) -> str:
    """The ``webhook-id`` of a delivery: the same for every attempt of it."""
    return "msg_" + hashlib.sha256(delivery_id.encode()).hexdigest()[:32]


def backoff_s(attempt: int, initial_s: float, max_s: float) -> float:
    """Seconds before the next attempt after failed attempt ``attempt`` (1-based): doubling, capped."""
    return float(min(initial_s * 2 ** (attempt - 1), max_s))


def address_refused(host: str, allow_loopback: bool) -> bool:
    """An IP address a webhook may not reach (SSRF): loopback (unless allowed for local use and tests),
    private, link-local, multicast, reserved, unspecified or any other not global (shared address space
    100.64.0.0/10, documentation, benchmarking ...); an IPv4-mapped IPv6 address as its IPv4 address.
    A name is checked once resolved."""
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name: checked against what it resolves to, when sending
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not allow_loopback
    return bool(
        not address.is_global
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def numeric_host(host: str) -> bool:
    """A host a URL parser may read as an IPv4 address although it is not written as one (WHATWG: the
    last label is a number): ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``, ``127.1``. Only the plain
    dotted-decimal form is accepted (and then checked as an address)."""
    if ":" in host:
        return False  # IPv6, read by ipaddress
    labels = host.removesuffix(".").split(".")
    if not NUMERIC_LABEL.fullmatch(labels[-1]):
        return False
    try:
        return str(ipaddress.IPv4Address(host)) != host
    except ValueError:
        return True


def url_problem(url: str, *, allow_loopback_http: bool) -> Text | None:
    """Why a target URL is refused, or None: https only, except http to the loopback address when the
    service allows it (``NOTIFICATION_WEBHOOK_ALLOW_LOOPBACK_HTTP``, local use and tests); no control
    characters or spaces anywhere; no credentials in the URL; no numeric host other than a dotted-decimal
    IPv4 address; no private, link-local or other non-global address."""
    if len(url) > MAX_URL_CHARS:
        return Text("URL webhook terlalu panjang", "The webhook URL is too long")
    if URL_CONTROL.search(url):
        return Text(
            "URL webhook memuat karakter kontrol atau spasi", "The webhook URL holds control characters or spaces"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        return Text("URL webhook tidak valid", "The webhook URL is not valid")
    if not host:
        return Text("URL webhook tidak memiliki host", "The webhook URL has no host")
    if numeric_host(host):
        return Text(
            "URL webhook memakai bentuk alamat IP yang tidak baku",
            "The webhook URL writes an IP address in a non-standard form",
        )
    if parts.username or parts.password:
        return Text("URL webhook tidak boleh memuat kredensial", "The webhook URL may not carry credentials")
    loopback = host in LOOPBACK_NAMES
    if parts.scheme == "http" and not (allow_loopback_http and loopback):
        return Text("URL webhook harus https", "The webhook URL must be https")
    if parts.scheme not in ("http", "https"):
        return Text("URL webhook harus https", "The webhook URL must be https")
    if loopback and not allow_loopback_http:
        return Text("URL webhook menuju alamat lokal", "The webhook URL points at a local address")
    if address_refused(host, allow_loopback_http):
        return Text(
            "URL webhook menuju alamat privat, link-local atau bukan alamat publik",
            "The webhook URL points at a private, link-local or other non-global address",
        )
    return None
