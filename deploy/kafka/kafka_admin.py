#!/usr/bin/env python3
"""A minimal Kafka admin client in the standard library: SASL/SCRAM login, readiness, ACLs.

Used by ``deploy/local/stack.py`` (which runs before the project's virtualenv exists) and by the
compose set-up container (a bare Python image), so both apply ``deploy/kafka/acls.json`` the same
way. It speaks only non-flexible request versions every Kafka 3.x broker answers:

    SaslHandshake v1, SaslAuthenticate v1 (SCRAM-SHA-512 or -256), Metadata v1,
    DescribeAcls v1, CreateAcls v1, DeleteAcls v1

    python3 kafka_admin.py wait  --bootstrap HOST:PORT --username admin --password-file FILE [--timeout 120]
    python3 kafka_admin.py apply --bootstrap HOST:PORT --username admin --password-file FILE --acls acls.json

``apply`` is idempotent: it adds the ACLs the file lists and removes the other ACLs of the
principals the file names (a permission the code no longer needs goes away); ACLs of principals it
does not name are left alone. Passwords are read from files and never printed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import socket
import struct
import sys
import time
from collections.abc import Iterable
from pathlib import Path

RESOURCE_TYPES = {"ANY": 1, "TOPIC": 2, "GROUP": 3, "CLUSTER": 4, "TRANSACTIONAL_ID": 5}
PATTERN_TYPES = {"ANY": 1, "MATCH": 2, "LITERAL": 3, "PREFIXED": 4}
OPERATIONS = {
    "ANY": 1,
    "ALL": 2,
    "READ": 3,
    "WRITE": 4,
    "CREATE": 5,
    "DELETE": 6,
    "ALTER": 7,
    "DESCRIBE": 8,
    "CLUSTER_ACTION": 9,
    "DESCRIBE_CONFIGS": 10,
    "ALTER_CONFIGS": 11,
    "IDEMPOTENT_WRITE": 12,
}
PERMISSIONS = {"ANY": 1, "DENY": 2, "ALLOW": 3}
HASHES = {"SCRAM-SHA-512": "sha512", "SCRAM-SHA-256": "sha256"}

Acl = tuple[str, str, str, str, str]
"""(principal without ``User:``, resource type, resource name, pattern type, operation), all ALLOW from any host."""


class KafkaAdminError(RuntimeError):
    pass


class AuthenticationFailed(KafkaAdminError):
    pass


# ---------------------------------------------------------------- encoding


def _string(value: str | None) -> bytes:
    if value is None:
        return struct.pack(">h", -1)
    raw = value.encode()
    return struct.pack(">h", len(raw)) + raw


def _bytes(value: bytes) -> bytes:
    return struct.pack(">i", len(value)) + value


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return int(value)

    def string(self) -> str | None:
        length = self.take(">h")
        if length < 0:
            return None
        value = self.data[self.pos : self.pos + length].decode()
        self.pos += length
        return value

    def bytes_(self) -> bytes:
        length = self.take(">i")
        value = self.data[self.pos : self.pos + max(length, 0)]
        self.pos += max(length, 0)
        return value


# ---------------------------------------------------------------- connection


class Connection:
    """One authenticated connection to a broker."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.correlation = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def request(self, api_key: int, version: int, body: bytes) -> _Reader:
        self.correlation += 1
        header = struct.pack(">hhi", api_key, version, self.correlation) + _string("kinerja-stack")
        message = header + body
        self.sock.sendall(struct.pack(">i", len(message)) + message)
        size = struct.unpack(">i", self._recv(4))[0]
        reader = _Reader(self._recv(size))
        if reader.take(">i") != self.correlation:
            raise KafkaAdminError("response out of order")
        return reader

    def _recv(self, n: int) -> bytes:
        chunks = b""
        while len(chunks) < n:
            chunk = self.sock.recv(n - len(chunks))
            if not chunk:
                raise ConnectionError("connection closed by the broker")
            chunks += chunk
        return chunks

    def authenticate(self, username: str, password: str, mechanism: str = "SCRAM-SHA-512") -> None:
        """SASL/SCRAM (RFC 5802) over SaslHandshake v1 + SaslAuthenticate v1."""
        reader = self.request(17, 1, _string(mechanism))
        error = reader.take(">h")
        if error:
            raise KafkaAdminError(f"the broker does not offer {mechanism} (error {error})")
        digest = HASHES[mechanism]
        user = username.replace("=", "=3D").replace(",", "=2C")
        client_nonce = secrets.token_urlsafe(24)
        client_first_bare = f"n={user},r={client_nonce}"
        server_first = self._sasl(("n,," + client_first_bare).encode()).decode()
        fields = dict(part.split("=", 1) for part in server_first.split(","))
        nonce, salt, iterations = fields["r"], base64.b64decode(fields["s"]), int(fields["i"])
        if not nonce.startswith(client_nonce):
            raise AuthenticationFailed("the server's nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac(digest, password.encode(), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", digest).digest()
        stored_key = hashlib.new(digest, client_key).digest()
        without_proof = f"c=biws,r={nonce}"
        auth_message = f"{client_first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored_key, auth_message, digest).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        server_final = self._sasl(f"{without_proof},p={base64.b64encode(proof).decode()}".encode()).decode()
        server_key = hmac.new(salted, b"Server Key", digest).digest()
        expected = base64.b64encode(hmac.new(server_key, auth_message, digest).digest()).decode()
        if server_final != f"v={expected}":
            raise AuthenticationFailed("the broker's SCRAM signature does not verify")

    def _sasl(self, payload: bytes) -> bytes:
        reader = self.request(36, 1, _bytes(payload))
        error, message = reader.take(">h"), reader.string()
        if error:
            raise AuthenticationFailed(f"SASL authentication failed (error {error}): {message}")
        return reader.bytes_()

    def broker_count(self) -> int:
        """Metadata v1 for no topics: the number of brokers in the answer."""
        return self.request(3, 1, struct.pack(">i", 0)).take(">i")

    def describe_acls(self) -> list[Acl]:
        body = struct.pack(">b", RESOURCE_TYPES["ANY"]) + _string(None) + struct.pack(">b", PATTERN_TYPES["ANY"])
        body += _string(None) + _string(None) + struct.pack(">bb", OPERATIONS["ANY"], PERMISSIONS["ANY"])
        reader = self.request(29, 1, body)
        reader.take(">i")  # throttle
        error, message = reader.take(">h"), reader.string()
        if error:
            raise KafkaAdminError(f"DescribeAcls failed (error {error}): {message}")
        names = {
            "types": {v: k for k, v in RESOURCE_TYPES.items()},
            "patterns": {v: k for k, v in PATTERN_TYPES.items()},
            "ops": {v: k for k, v in OPERATIONS.items()},
        }
        found: list[Acl] = []
        for _ in range(reader.take(">i")):
            rtype, rname, pattern = reader.take(">b"), reader.string() or "", reader.take(">b")
            for _ in range(reader.take(">i")):
                principal, host = reader.string() or "", reader.string()
                operation, permission = reader.take(">b"), reader.take(">b")
                if principal.startswith("User:") and host == "*" and permission == PERMISSIONS["ALLOW"]:
                    found.append(
                        (
                            principal.removeprefix("User:"),
                            names["types"].get(rtype, str(rtype)),
                            rname,
                            names["patterns"].get(pattern, str(pattern)),
                            names["ops"].get(operation, str(operation)),
                        )
                    )
        return found

    def create_acls(self, acls: Iterable[Acl]) -> None:
        acls = list(acls)
        if not acls:
            return
        body = _acl_bindings(acls)
        reader = self.request(30, 1, body)
        reader.take(">i")  # throttle
        if reader.take(">i") != len(acls):
            raise KafkaAdminError("CreateAcls answered for a different number of ACLs")
        for acl in acls:
            error, message = reader.take(">h"), reader.string()
            if error:
                raise KafkaAdminError(f"CreateAcls {acl} failed (error {error}): {message}")

    def delete_acls(self, acls: Iterable[Acl]) -> None:
        acls = list(acls)
        if not acls:
            return
        body = _acl_bindings(acls)
        reader = self.request(31, 1, body)
        reader.take(">i")  # throttle
        if reader.take(">i") != len(acls):
            raise KafkaAdminError("DeleteAcls answered for a different number of filters")
        for acl in acls:
            error, message = reader.take(">h"), reader.string()
            if error:
                raise KafkaAdminError(f"DeleteAcls {acl} failed (error {error}): {message}")
            for _ in range(reader.take(">i")):  # the matching ACLs it removed
                reader.take(">h")
                reader.string()
                reader.take(">b")
                reader.string()
                reader.take(">b")
                reader.string()
                reader.string()
                reader.take(">b")
                reader.take(">b")


# ---------------------------------------------------------------- operations


def split_bootstrap(bootstrap: str) -> tuple[str, int]:
    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    return host or "127.0.0.1", int(port)


def brokers_seen(host: str, port: int, username: str, password: str) -> int:
    """How many live brokers the broker on ``port`` names, once it has let ``username`` in; 0 when
    it does not answer or refuses."""
    try:
        with Connection(host, port, timeout=2) as conn:
            conn.authenticate(username, password)
            return conn.broker_count()
    except (OSError, struct.error, KafkaAdminError):
        return 0


def ready(host: str, port: int, username: str, password: str) -> bool:
    """The broker answers, lets the administrator in and names at least one broker."""
    return brokers_seen(host, port, username, password) >= 1


def load_plan(path: Path) -> tuple[list[str], list[Acl]]:
    document = json.loads(path.read_text())
    acls = [(str(a[0]), str(a[1]), str(a[2]), str(a[3]), str(a[4])) for a in document["acls"]]
    return list(document["principals"]), acls


def apply_acls(host: str, port: int, username: str, password: str, principals: list[str], acls: list[Acl]) -> str:
    """Make the ACLs of ``principals`` exactly ``acls``; returns a one-line summary."""
    with Connection(host, port) as conn:
        conn.authenticate(username, password)
        present = {acl for acl in conn.describe_acls() if acl[0] in principals}
        wanted = set(acls)
        conn.create_acls(sorted(wanted - present))
        conn.delete_acls(sorted(present - wanted))
    added, removed = len(wanted - present), len(present - wanted)
    return f"{len(wanted)} ACLs for {', '.join(principals)} ({added} added, {removed} removed)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["wait", "apply"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--acls", type=Path, help="apply: the plan (deploy/kafka/acls.json)")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    host, port = split_bootstrap(args.bootstrap)
    password = args.password_file.read_text().rstrip("\r\n")
    deadline = time.monotonic() + args.timeout
    while not ready(host, port, args.username, password):
        if time.monotonic() > deadline:
            print(f"kafka at {host}:{port} not ready (or refuses {args.username}) after {args.timeout:.0f}s")
            return 1
        time.sleep(1)
    if args.command == "apply":
        if args.acls is None:
            parser.error("apply needs --acls")
        principals, acls = load_plan(args.acls)
        print(apply_acls(host, port, args.username, password, principals, acls), flush=True)
    return 0


def _acl_bindings(acls: list[Acl]) -> bytes:
    """The ACL bindings of a CreateAcls (v1) request, or the filters of a DeleteAcls (v1) request: the
    two share one layout (resource type, name, pattern type, principal, host, operation, permission)."""
    body = struct.pack(">i", len(acls))
    for principal, rtype, name, pattern, operation in acls:
        body += struct.pack(">b", RESOURCE_TYPES[rtype]) + _string(name) + struct.pack(">b", PATTERN_TYPES[pattern])
        body += _string(f"User:{principal}") + _string("*")
        body += struct.pack(">bb", OPERATIONS[operation], PERMISSIONS["ALLOW"])
    return body


if __name__ == "__main__":
    sys.exit(main())
