"""The charts are well-formed SVG with a viewBox, a title and a description, Indonesian labels, the
view's numbers, the curve's bounds, and escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pytest

from reporting.domain import charts
from reporting.domain.exports import ViewKind

Views = dict[ViewKind, Callable[..., dict[str, Any]]]
NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 (our own output)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.get("role") == "img"
    assert root.find("svg:title", NS) is not None
    assert root.find("svg:desc", NS) is not None
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def bars(root: ET.Element) -> list[dict[str, str]]:
    return [
        dict(r.attrib)
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if "data-count" in r.attrib or "data-score" in r.attrib
    ]


def test_distribution_has_a_bar_per_predikat_with_counts_and_the_curve(views: Views) -> None:
    root = parse(charts.distribution("DINKES", 2026, views[ViewKind.OPD](), "2026-Q1"))
    assert root.findtext("svg:title", namespaces=NS) == "Distribusi predikat DINKES 2026-Q1"
    found = {b["data-predikat"]: (int(b["data-count"]), float(b["data-share"])) for b in bars(root)}
    assert found == {
        "sangat_baik": (1, 0.3333),
        "baik": (2, 0.6667),
        "butuh_perbaikan": (0, 0.0),
        "kurang_misconduct": (0, 0.0),
        "sangat_kurang": (0, 0.0),
    }
    labels = texts(root)
    assert {"Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang"} <= set(labels)
    assert "2 (66,7%)" in labels
    bounds = [line.attrib for line in root.iter("{http://www.w3.org/2000/svg}line") if "data-bound" in line.attrib]
    assert bounds == [{**bounds[0], "data-bound": "maks", "data-share": "0.7000"}]  # Baik paling banyak 70%
    assert any(t.startswith("Melanggar: harus ada Butuh Perbaikan") for t in labels)
    desc = root.findtext("svg:desc", namespaces=NS) or ""
    assert "3 penilaian" in desc
    assert "Baik paling banyak 70%" in desc


def test_distribution_defaults_to_the_latest_period(views: Views) -> None:
    root = parse(charts.distribution("DINKES", 2026, views[ViewKind.OPD](), None))
    assert root.findtext("svg:title", namespaces=NS) == "Distribusi predikat DINKES 2026-Q2"


@pytest.mark.parametrize(
    ("org", "bounds"),
    [
        ("butuh_perbaikan", {("min", "0.6000"), ("maks", "0.1000")}),
        ("sangat_kurang", {("min", "0.6000"), ("maks", "0.0000")}),
    ],
)
def test_distribution_draws_the_bounds_of_the_organisation_predikat(
    views: Views, org: str, bounds: set[tuple[str, str]]
) -> None:
    root = parse(charts.distribution("DINKES", 2026, views[ViewKind.OPD](org=org), "2026-Q1"))
    found = {
        (line.get("data-bound"), line.get("data-share"))
        for line in root.iter("{http://www.w3.org/2000/svg}line")
        if line.get("data-bound")
    }
    assert found == bounds


def test_distribution_without_an_organisation_predikat_or_appraisals(views: Views) -> None:
    root = parse(charts.distribution("DINKES", 2026, views[ViewKind.OPD](empty=True), None))
    assert all(b["data-count"] == "0" for b in bars(root))
    assert "Predikat organisasi belum ditetapkan: tanpa kurva" in texts(root)
    assert not [line for line in root.iter("{http://www.w3.org/2000/svg}line") if line.get("data-bound")]
    missing = parse(charts.distribution("DINKES", 2026, views[ViewKind.OPD](), "2026-Q4"))
    assert missing.findtext("svg:title", namespaces=NS) == "Distribusi predikat DINKES 2026-Q4"
    assert all(b["data-count"] == "0" for b in bars(missing))


def test_trend_stacks_each_period(views: Views) -> None:
    root = parse(charts.trend(2026, views[ViewKind.CITY]()))
    assert root.findtext("svg:title", namespaces=NS) == "Tren predikat kota 2026"
    stacked = {(b["data-period"], b["data-predikat"]): int(b["data-count"]) for b in bars(root)}
    assert stacked == {
        ("2026-Q1", "sangat_baik"): 1,
        ("2026-Q1", "baik"): 2,
        ("2026-Q2", "baik"): 1,
        ("2026-Q2", "butuh_perbaikan"): 1,
    }
    assert {"2026-Q1", "2026-Q2", "Sangat Baik", "3", "2"} <= set(texts(root))
    assert "2026-Q1: 3 penilaian" in (root.findtext("svg:desc", namespaces=NS) or "")


def test_trend_of_an_empty_year(views: Views) -> None:
    root = parse(charts.trend(2026, views[ViewKind.CITY](empty=True)))
    assert bars(root) == []
    assert "Belum ada penilaian" in texts(root)


def test_adoption_ranks_opd_best_first(views: Views) -> None:
    root = parse(charts.adoption(2026, views[ViewKind.CITY]()))
    assert [(b["data-opd"], b["data-score"]) for b in bars(root)] == [("BAPPEDA", "0.9000"), ("DINKES", "0.4444")]
    labels = texts(root)
    assert labels.index("1. BAPPEDA") < labels.index("2. DINKES") < labels.index("3. DISDIK")
    assert "tanpa data" in labels
    assert "90,0%" in labels


def test_adoption_of_an_empty_year_and_of_too_many_opd(views: Views) -> None:
    assert "Belum ada data" in texts(parse(charts.adoption(2026, views[ViewKind.CITY](empty=True))))
    many = views[ViewKind.CITY]()
    row = many["adoption"][0]
    many["adoption"] = [row | {"opd_code": f"OPD{i}", "rank": i} for i in range(1, charts.ADOPTION_ROWS + 6)]
    root = parse(charts.adoption(2026, many))
    assert len(bars(root)) == charts.ADOPTION_ROWS
    assert "5 OPD lainnya tidak digambar" in texts(root)


def test_text_from_data_is_escaped(views: Views) -> None:
    city = views[ViewKind.CITY]()
    city["adoption"][0]["opd_code"] = '<script>alert("x")</script>&'
    svg = charts.adoption(2026, city)
    assert "<script>" not in svg
    root = parse(svg)
    assert '1. <script>alert("x")</script>&' in texts(root)
    assert bars(root)[0]["data-opd"] == '<script>alert("x")</script>&'
