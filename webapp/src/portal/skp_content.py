"""Editing an SKP's content in forms: the pure steps (ids, adding and removing RHK and indicators). The
appraisal service checks every rule (at least one RHK utama, each with an indicator, the cascade); the
portal only builds the content it sends."""

from __future__ import annotations

import copy
import re
from typing import Any

ASPECTS = {"kuantitas": "Kuantitas", "kualitas": "Kualitas", "waktu": "Waktu", "biaya": "Biaya"}
KINDS = {"utama": "Utama", "tambahan": "Tambahan"}
CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""An id the portal puts in a service's path or body (RHK, indicator, import): the services' own bound."""

Content = dict[str, Any]


def content_of(skp: dict[str, Any]) -> Content:
    """What ``PUT /skp/{id}`` takes, from the SKP the service answered."""
    return {"approach": skp.get("approach", "kuantitatif"), "rhk": copy.deepcopy(skp.get("rhk") or [])}


def next_rhk_id(content: Content) -> str:
    taken = {r["rhk_id"] for r in content["rhk"]}
    n = len(taken) + 1
    while f"RHK{n}" in taken:
        n += 1
    return f"RHK{n}"


def next_indicator_id(rhk: dict[str, Any]) -> str:
    taken = {i["indicator_id"] for i in rhk["indicators"]}
    n = len(taken) + 1
    while f"{rhk['rhk_id']}-I{n}" in taken:
        n += 1
    return f"{rhk['rhk_id']}-I{n}"


def indicator(rhk: dict[str, Any], aspect: str, text: str, target: str, unit: str) -> dict[str, Any]:
    if aspect not in ASPECTS:
        raise ValueError(f"aspek {aspect!r} tidak dikenal")
    return {"indicator_id": next_indicator_id(rhk), "aspect": aspect, "text": text, "target": target, "unit": unit}


def add_rhk(
    content: Content, kind: str, text: str, intervened: str | None, first: tuple[str, str, str, str]
) -> Content:
    """A new RHK with its first indicator (``first``: aspect, text, target, unit)."""
    if kind not in KINDS:
        raise ValueError(f"jenis RHK {kind!r} tidak dikenal")
    if intervened is not None and not CODE.fullmatch(intervened):
        raise ValueError("RHK atasan yang diintervensi tidak sah")
    result = copy.deepcopy(content)
    rhk: dict[str, Any] = {"rhk_id": next_rhk_id(result), "kind": kind, "text": text, "indicators": []}
    if intervened:
        rhk["intervened_rhk_id"] = intervened
    rhk["indicators"].append(indicator(rhk, *first))
    result["rhk"].append(rhk)
    return result


def add_indicator(content: Content, rhk_id: str, first: tuple[str, str, str, str]) -> Content:
    result = copy.deepcopy(content)
    rhk = _rhk(result, rhk_id)
    rhk["indicators"].append(indicator(rhk, *first))
    return result


def remove_rhk(content: Content, rhk_id: str) -> Content:
    result = copy.deepcopy(content)
    _rhk(result, rhk_id)
    result["rhk"] = [r for r in result["rhk"] if r["rhk_id"] != rhk_id]
    return result


def remove_indicator(content: Content, rhk_id: str, indicator_id: str) -> Content:
    result = copy.deepcopy(content)
    rhk = _rhk(result, rhk_id)
    kept = [i for i in rhk["indicators"] if i["indicator_id"] != indicator_id]
    if len(kept) == len(rhk["indicators"]):
        raise KeyError(indicator_id)
    rhk["indicators"] = kept
    return result


def _rhk(content: Content, rhk_id: str) -> dict[str, Any]:
    for rhk in content["rhk"]:
        if rhk["rhk_id"] == rhk_id:
            return rhk  # type: ignore[no-any-return]
    raise KeyError(rhk_id)
