"""The main charts as SVG (issue 12, point 3), pure and hand-written: no plotting library.

Each chart is one ``<svg>`` with a ``viewBox`` (it scales), ``role="img"``, a ``<title>`` and a
``<desc>`` that say in Bahasa Indonesia what it shows with its numbers (for screen readers), and
labels in Bahasa Indonesia. Every text from data is escaped (``xml.sax.saxutils``).

- ``distribution``: one OPD's predikat distribution in one period, a bar per predikat (its share;
  the count and share written above it), with the curve's bounds for the OPD's organisation predikat
  (PermenPANRB 6/2022 pola distribusi, ``shared.regulation``) drawn as dashed lines on the predikat
  they bound, and the rules broken listed below;
- ``trend``: the city's predikat distribution per period across the year, stacked bars of counts;
- ``adoption``: the OPD ranked by adoption score (0-1), horizontal bars, best first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from reporting.domain.exports import ORG_PREDIKAT_LABELS, PREDIKAT_LABELS
from shared.events import OrgPredikat, Predikat
from shared.regulation import DISTRIBUTION_2022

View = Mapping[str, Any]

COLOURS: Mapping[str, str] = {
    Predikat.SANGAT_BAIK: "#1a7f37",
    Predikat.BAIK: "#4c9be8",
    Predikat.BUTUH_PERBAIKAN: "#e3b341",
    Predikat.KURANG_MISCONDUCT: "#e8743b",
    Predikat.SANGAT_KURANG: "#c0392b",
}
FONT = 'font-family="Arial, Helvetica, sans-serif"'
ADOPTION_ROWS = 60
"""OPD drawn in the adoption chart (Palembang has fewer; the rest would be left off, and the chart says so)."""


def percent(share: float) -> str:
    return f"{share * 100:.1f}%".replace(".", ",")


def _svg(width: int, height: int, title: str, desc: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="title desc" {FONT} font-size="12">',
            f'<title id="title">{escape(title)}</title>',
            f'<desc id="desc">{escape(desc)}</desc>',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
            f'<text x="{width / 2:.0f}" y="24" text-anchor="middle" font-size="16" font-weight="bold">'
            f"{escape(title)}</text>",
            *body,
            "</svg>",
            "",
        ]
    )


def _text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def distribution(opd_code: str, year: int, view: View, period: str | None) -> str:
    """The OPD view's distribution of ``period`` (default: the latest period with appraisals)."""
    periods = view.get("periods", [])
    chosen = next((p for p in periods if p["period"] == period), None) if period else (periods[-1] if periods else None)
    shown = period or (chosen["period"] if chosen else str(year))
    counts = {p.value: int((chosen or {}).get("counts", {}).get(p.value, 0)) for p in Predikat}
    total = sum(counts.values())
    org = view.get("organisation_predikat")
    rules = DISTRIBUTION_2022.rules[OrgPredikat(org)] if org else ()
    width, height, left, top, plot_h, bar_w, gap = 720, 460, 70, 60, 260, 90, 30
    title = f"Distribusi predikat {opd_code} {shown}"
    desc_parts = [
        f"{PREDIKAT_LABELS[p]}: {counts[p]} ({percent(counts[p] / total) if total else '0%'})" for p in counts
    ]
    desc = f"{total} penilaian. " + "; ".join(desc_parts) + "."
    if org:
        desc += f" Kurva predikat organisasi {ORG_PREDIKAT_LABELS[org]}: " + "; ".join(r.text for r in rules) + "."
    else:
        desc += " Predikat organisasi belum ditetapkan: tanpa kurva."
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 20}" y2="{top + plot_h}" stroke="#333"/>']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 8, y + 4, f"{tick * 100:.0f}%", text_anchor="end"))
    for i, p in enumerate(counts):
        x = left + gap + i * (bar_w + gap)
        share = counts[p] / total if total else 0.0
        h = plot_h * share
        label = f"{counts[p]} ({percent(share)})"
        body.append(
            f'<rect x="{x}" y="{top + plot_h - h:.1f}" width="{bar_w}" height="{h:.1f}" fill="{COLOURS[p]}" '
            f'data-predikat="{p}" data-count="{counts[p]}" data-share="{share:.4f}"/>'
        )
        body.append(_text(x + bar_w / 2, top + plot_h - h - 6, label, text_anchor="middle"))
        body.append(_text(x + bar_w / 2, top + plot_h + 18, PREDIKAT_LABELS[p], text_anchor="middle"))
        for rule in rules:
            if rule.predikat != {Predikat(p)}:
                continue
            for bound, word in ((rule.max_share, "maks"), (rule.min_share, "min")):
                if bound is None:
                    continue
                y = top + plot_h * (1 - bound)
                body.append(
                    f'<line x1="{x - 6}" y1="{y:.1f}" x2="{x + bar_w + 6}" y2="{y:.1f}" stroke="#000" '
                    f'stroke-width="2" stroke-dasharray="6 3" data-bound="{word}" data-share="{bound:.4f}"/>'
                )
                body.append(_text(x + bar_w + 8, y + 4, f"{word} {percent(bound)}", font_size="10"))
    y = top + plot_h + 44
    if org:
        body.append(
            _text(left, y, f"Kurva: predikat organisasi {ORG_PREDIKAT_LABELS[org]} ({DISTRIBUTION_2022.version})")
        )
        violations = (chosen or {}).get("curve", {}).get("violations", [])
        for rule in violations:
            y += 18
            body.append(_text(left, y, f"Melanggar: {rule['rule']}", fill="#c0392b"))
        if not violations:
            body.append(_text(left, y + 18, "Sesuai kurva" if total else "Belum ada penilaian"))
    else:
        body.append(_text(left, y, "Predikat organisasi belum ditetapkan: tanpa kurva"))
    body.append(_text(width - 20, height - 12, f"Jumlah penilaian: {total}", text_anchor="end"))
    return _svg(width, height, title, desc, body)


def trend(year: int, view: View) -> str:
    """The city view's trend: per period, the count of each predikat, stacked."""
    rows = view.get("trend", [])
    width, height, left, top, plot_h = 760, 440, 70, 60, 260
    peak = max((t["total"] for t in rows), default=0)
    scale = plot_h / peak if peak else 0.0
    slot = (width - left - 200) / max(len(rows), 1)
    bar_w = min(80.0, slot * 0.6)
    title = f"Tren predikat kota {year}"
    parts = [
        f"{t['period']}: {t['total']} penilaian ("
        + ", ".join(f"{PREDIKAT_LABELS[p]} {int(t['counts'].get(p.value, 0))}" for p in Predikat)
        + ")"
        for t in rows
    ]
    desc = "; ".join(parts) + "." if parts else "Belum ada penilaian tahun ini."
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 200}" y2="{top + plot_h}" stroke="#333"/>']
    for fraction in (0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        body.append(_text(left - 8, y + 4, f"{round(peak * fraction)}", text_anchor="end"))
    for i, t in enumerate(rows):
        x = left + i * slot + (slot - bar_w) / 2
        base = float(top + plot_h)
        for p in Predikat:
            n = int(t["counts"].get(p.value, 0))
            if not n:
                continue
            h = n * scale
            base -= h
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS[p]}" '
                f'data-period={quoteattr(t["period"])} data-predikat="{p.value}" data-count="{n}"/>'
            )
        body.append(_text(x + bar_w / 2, base - 6, str(t["total"]), text_anchor="middle"))
        body.append(_text(x + bar_w / 2, top + plot_h + 18, t["period"], text_anchor="middle"))
    if not rows:
        body.append(_text(width / 2, top + plot_h / 2, "Belum ada penilaian", text_anchor="middle"))
    for i, p in enumerate(Predikat):
        y = top + 10 + i * 22
        body.append(f'<rect x="{width - 180}" y="{y}" width="14" height="14" fill="{COLOURS[p]}"/>')
        body.append(_text(width - 160, y + 12, PREDIKAT_LABELS[p]))
    return _svg(width, height, title, desc, body)


def adoption(year: int, view: View) -> str:
    """The city view's adoption ranking: score per OPD (0-1), best first."""
    rows = list(view.get("adoption", []))
    drawn = rows[:ADOPTION_ROWS]
    row_h, left, top, plot_w = 24, 200, 50, 440.0
    width, height = 760, top + row_h * max(len(drawn), 1) + 60
    title = f"Adopsi per OPD {year}"
    parts = [
        f"{r.get('rank')}. {r['opd_code']}: {percent(r['score']) if r['score'] is not None else '-'}" for r in rows
    ]
    desc = "Skor adopsi (rata-rata pangsa SKP disetujui tepat waktu, evaluasi tepat waktu, pesan dibaca). " + (
        "; ".join(parts) + "." if parts else "Belum ada data."
    )
    body = []
    for i, r in enumerate(drawn):
        y = top + i * row_h
        score = r["score"]
        body.append(_text(left - 10, y + 16, f"{r.get('rank')}. {r['opd_code']}", text_anchor="end"))
        if score is None:
            body.append(_text(left + 4, y + 16, "tanpa data", fill="#777"))
            continue
        w = plot_w * score
        body.append(
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="#4c9be8" '
            f'data-opd={quoteattr(r["opd_code"])} data-score="{score:.4f}"/>'
        )
        body.append(_text(left + w + 6, y + 16, percent(score)))
    if not drawn:
        body.append(_text(width / 2, top + 16, "Belum ada data", text_anchor="middle"))
    if len(rows) > len(drawn):
        body.append(_text(left, height - 30, f"{len(rows) - len(drawn)} OPD lainnya tidak digambar"))
    body.append(f'<line x1="{left}" y1="{top - 4}" x2="{left}" y2="{height - 50}" stroke="#333"/>')
    return _svg(width, height, title, desc, body)
