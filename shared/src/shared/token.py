"""Local signing keys and a command that mints a bearer token for a NIP and roles.

    python -m shared.token --nip 198609262015051001 --role pegawai [--role pejabat_penilai]
    python -m shared.token --nip 199304132023211001 --role pegawai,admin_opd --opd DINKES
    python -m shared.token --nip PPK --role ppk          # the Wali Kota (no NIP; shared.auth)

It refuses what every service would refuse (``shared.auth.claims_problem``) and an ``admin_opd`` without
``--opd`` (every OPD-scoped request would be 403).

Keys are generated on first use in ``.run/keys/`` (never committed). Production verifies tokens of
the city's identity provider instead (``AUTH_JWKS_URL``) and has no private key here at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.auth import Role, claims_problem

DEFAULT_KEYS_DIR = Path(".run") / "keys"
PRIVATE_KEY = "jwt-private.pem"
PUBLIC_KEY = "jwt-public.pem"
LOCAL_ISSUER = "kinerja-asn-local"


def ensure_local_keypair(keys_dir: Path = DEFAULT_KEYS_DIR) -> tuple[Path, Path]:
    """An ES256 (P-256) key pair in ``keys_dir``, generated if absent; returns (private, public) paths."""
    private_path, public_path = keys_dir / PRIVATE_KEY, keys_dir / PUBLIC_KEY
    if private_path.exists() and public_path.exists():
        return private_path, public_path
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem)
    public_path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private_path, public_path


def mint_token(
    private_key_file: Path,
    nip: str,
    roles: Iterable[Role | str],
    *,
    opd_code: str | None = None,
    name: str | None = None,
    audience: str = "kinerja-asn",
    issuer: str = LOCAL_ISSUER,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": nip,
        "roles": [str(Role(role)) for role in roles],
        "aud": audience,
        "iss": issuer,
        "iat": now,
        "exp": now + ttl,
    }
    if opd_code:
        claims["opd"] = opd_code
    if name:
        claims["name"] = name
    return jwt.encode(claims, private_key_file.read_text(), algorithm="ES256")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.token", description="Mint a local bearer token for calling the APIs."
    )
    parser.add_argument("--nip", required=True, help="18-digit NIP, or PPK (with --role ppk): the token's subject")
    parser.add_argument(
        "--role",
        action="append",
        required=True,
        help=f"a role, or several separated by commas; repeatable ({', '.join(r.value for r in Role)})",
    )
    parser.add_argument("--opd", help="OPD code of the caller (required with admin_opd)")
    parser.add_argument("--name")
    parser.add_argument("--hours", type=float, default=8.0, help="lifetime (default 8)")
    parser.add_argument("--keys-dir", type=Path, default=DEFAULT_KEYS_DIR)
    args = parser.parse_args(argv)
    names = [name.strip() for value in args.role for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - {r.value for r in Role})
    if unknown or not names:
        parser.error(f"unknown role {', '.join(unknown) or '(none)'}; known: {', '.join(r.value for r in Role)}")
    roles = frozenset(Role(name) for name in names)
    problem = claims_problem(args.nip, roles, args.opd, args.name)
    if problem is not None:
        parser.error(problem.en)
    if Role.ADMIN_OPD in roles and not args.opd:
        parser.error("admin_opd needs --opd (the OPD it administers)")
    if not 0 < args.hours <= 24 * 7:
        parser.error("--hours must be more than 0 and at most 168")
    private_path, _ = ensure_local_keypair(args.keys_dir)
    print(
        mint_token(
            private_path,
            args.nip,
            sorted(roles),
            opd_code=args.opd,
            name=args.name,
            ttl=timedelta(hours=args.hours),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
