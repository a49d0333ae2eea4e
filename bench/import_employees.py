"""Benchmark: CSV bulk import of employees into the appraisal service.

    make stack-up && .venv/bin/python bench/import_employees.py [--rows 2000]

Runs the appraisal service in-process against the local Kafka and FerretDB (a fresh database),
imports a generated CSV of valid rows, then the same file again (every row unchanged), and prints
rows per second for both. Each row is one document write carrying its employee.registered event.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from pathlib import Path

import httpx

from appraisal.config import Settings
from appraisal.main import create_app
from kinerja_testing import serve
from shared.token import ensure_local_keypair, mint_token


def csv_rows(count: int) -> str:
    lines = ["nip,name,employee_type,position_type,opd_code,unit_code,pejabat_penilai_nip"]
    for n in range(count):
        day, seq = n % 28 + 1, n // 28 % 999 + 1
        month = n // (28 * 999) % 12 + 1
        nip = f"1985{month:02d}{day:02d}201001{1 + n % 2}{seq:03d}"
        lines.append(f"{nip},Pegawai {n},PNS,PELAKSANA,DINKES,UNIT{n % 20},197501012000031001")
    return "\n".join(lines)


async def run_once(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> tuple[float, dict[str, int]]:
    started = time.perf_counter()
    response = await client.post("/api/v1/employee-imports", content=body, headers=headers)
    response.raise_for_status()
    location = response.headers["location"]
    while True:
        job = (await client.get(location, headers=headers)).json()
        if job["status"] != "running":
            break
        await asyncio.sleep(1.0)
    elapsed = time.perf_counter() - started
    return elapsed, {k: job[k] for k in ("total", "created", "updated", "unchanged", "rejected")}


async def main(rows: int) -> None:
    keys_dir = Path(".run/keys")
    private, public = ensure_local_keypair(keys_dir)
    settings = Settings(
        auth_public_key_file=public, mongodb_database=f"bench_{uuid.uuid4().hex[:8]}", log_level="WARNING"
    )
    headers = {
        "Authorization": f"Bearer {mint_token(private, '197001012000011001', ['admin_bkpsdm'])}",
        "content-type": "text/csv",
    }
    body = csv_rows(rows).encode()
    async with serve(create_app(settings)) as client:
        for label in ("first import (all created)", "second import (all unchanged)"):
            elapsed, counts = await run_once(client, body, headers)
            print(f"{label}: {rows} rows in {elapsed:.1f} s = {rows / elapsed:.0f} rows/s  {counts}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    asyncio.run(main(parser.parse_args().rows))
