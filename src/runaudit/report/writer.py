"""Write a report folder: ``index.html``, the figures as PNG, ``weekly.csv``,
``activities.csv``, ``ingest.csv``, ``findings.json`` and optionally
``report.pdf``.

Every file is written to a temporary name and renamed into place, so an
interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from runaudit.advice.exercises import Exercise, load_catalog
from runaudit.advice.plan import WeekPlan, finding_exercises
from runaudit.intake.account import DIFF_PCT, SERVICE_NAMES, format_pct
from runaudit.reading.cache import atomic_path, write_text_atomic
from runaudit.report import plots
from runaudit.report.html import SECTIONS, render_html
from runaudit.report.overview import OPEN_FINDING_WEEKS, athlete_numbers
from runaudit.report.text import to_csv
from runaudit.rules.findings import findings_json, severity_counts
from runaudit.rules.messages import format_date, format_distance
from runaudit.units import km_to

if TYPE_CHECKING:
    from runaudit.audit import Audit

_A4_LANDSCAPE = (11.69, 8.27)


@dataclass(frozen=True)
class ReportFiles:
    """Paths of what :func:`write_report` wrote."""

    folder: Path
    index: Path
    figures: dict[str, Path] = field(default_factory=dict)
    data: dict[str, Path] = field(default_factory=dict)
    pdf: Path | None = None


def figure_png(fig: Figure, dpi: int = 110) -> bytes:
    """PNG bytes of a figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def write_report(
    audit: Audit,
    out_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    units: str = "km",
    pdf: bool = False,
) -> ReportFiles:
    """Write the report of one athlete into ``out_dir`` (created if needed).

    Parameters
    ----------
    audit : Audit
        From :func:`runaudit.load_export`.
    out_dir : path-like
    title : str, optional
        Page heading; defaults to "runaudit report".
    units : {"km", "mi"}
        Distance unit of everything a person reads; CSV/JSON keep ``_km`` columns.
    pdf : bool
        Also write ``report.pdf`` with one page per section.

    Returns
    -------
    ReportFiles
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    title = title or "runaudit report"
    figures = plots.report_figures(
        audit.weekly, audit.activities, audit.findings, thresholds=audit.thresholds, units=units
    )
    images: dict[str, bytes] = {}
    figure_paths: dict[str, Path] = {}
    for name, fig in figures.items():
        images[name] = figure_png(fig)
        path = folder / f"{name}.png"
        with atomic_path(path) as tmp:
            tmp.write_bytes(images[name])
        figure_paths[name] = path
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = render_html(audit, images, title=title, units=units, generated=f"on {stamp}")
    index = folder / "index.html"
    write_text_atomic(index, html)
    data = {
        "weekly.csv": to_csv(audit.weekly),
        "activities.csv": to_csv(audit.activities),
        "ingest.csv": to_csv(audit.ingest.ledger_frame()),
        "findings.json": findings_json(audit.findings) + "\n",
    }
    data_paths = {}
    for name, text in data.items():
        write_text_atomic(folder / name, text)
        data_paths[name] = folder / name
    pdf_path = None
    if pdf:
        pdf_path = folder / "report.pdf"
        write_pdf(audit, pdf_path, title=title, units=units)
    return ReportFiles(folder, index, figure_paths, data_paths, pdf_path)


# --------------------------------------------------------------------------- PDF


def _text_page(title: str, paragraphs: list[str], *, footer: str = "") -> Figure:
    """An A4 landscape page of wrapped text in two columns.

    The type shrinks (10 → 7 pt) until the text fits; only what still does not
    fit at 7 pt is cut, with a pointer to index.html, which always has it all.
    """
    fig = Figure(figsize=_A4_LANDSCAPE)
    fig.text(0.05, 0.93, title, fontsize=18, weight="bold", va="top", parse_math=False)
    top, bottom = 0.86, 0.06
    columns = (0.05, 0.52)
    for size in (10.0, 9.0, 8.0, 7.0):
        width = int(60 * 10.0 / size)  # characters per column line at this size
        line_h = 0.0026 * size
        lines: list[str] = []
        for para in paragraphs:
            lines.extend(textwrap.wrap(para, width, subsequent_indent="   ") or [""])
            lines.append("")
        capacity = int((top - bottom) / line_h) * len(columns)
        if len(lines) <= capacity:
            break
    if len(lines) > capacity:
        shown = lines[: capacity - 1]
        rest = len(paragraphs) - sum(1 for line in shown if line == "")
        lines = [*shown, f"… and {rest} more in index.html"]
    per_column = int((top - bottom) / line_h)
    for k, line in enumerate(lines):
        x = columns[k // per_column]
        y = top - (k % per_column) * line_h
        # parse_math=False: a "$" in an export's text is printed, never typeset as math
        fig.text(x, y, line, fontsize=size, va="top", family="DejaVu Sans", parse_math=False)
    if footer:
        fig.text(0.05, 0.03, footer, fontsize=8, color="#555555")
    return fig


def short_dose(ex: Exercise) -> str:
    """A dose in a few characters: ``"3×15 per side, 3x per week"``."""
    d = ex.dose
    amount = f"{d.reps}" if d.reps else (f"{d.hold_s} s" if d.hold_s else "")
    core = f"{d.sets}×{amount}" if amount else f"{d.sets} set{'s' if d.sets != 1 else ''}"
    if ex.kind == "programming":
        return d.frequency
    return f"{core}{' per side' if d.per_side else ''}, {d.frequency}"


def _chart_page(title: str, draw: list[Callable[[Axes], object]]) -> Figure:
    """An A4 landscape page with one chart per drawing function, stacked."""
    fig = Figure(figsize=_A4_LANDSCAPE, layout="constrained")
    fig.suptitle(title, fontsize=16, weight="bold", x=0.02, ha="left")
    axes = fig.subplots(len(draw), 1, squeeze=False)[:, 0]
    for ax, plot in zip(axes, draw, strict=True):
        plot(ax)
    return fig


def pdf_pages(audit: Audit, *, title: str, units: str = "km") -> list[Figure]:
    """The report as PDF pages: exactly one page per report section, in order."""
    t = audit.thresholds
    weekly, acts, found = audit.weekly, audit.activities, audit.findings
    numbers = athlete_numbers(audit)
    total = float(acts["distance_km"].sum()) if not acts.empty else 0.0
    counts = severity_counts(found)
    summary = [
        f"Weeks: {len(weekly)}  ·  runs: {len(acts)}  ·  total distance: "
        f"{format_distance(total, units)}  ·  moving time: {numbers.moving_time}",
        f"Findings: {counts['alert']} alert, {counts['warning']} warning, {counts['info']} info.",
    ]
    if numbers.last_week is not None:
        summary.append(
            f"Latest week ({format_date(numbers.last_week)}): "
            f"{format_distance(numbers.last_week_km, units)}; "
            f"{len(numbers.open_findings)} findings in the last {OPEN_FINDING_WEEKS} weeks."
        )
    pages: dict[str, Figure] = {"summary": _text_page(title, summary)}
    pages["load"] = _chart_page(
        "Weekly distance and load",
        [lambda ax: plots.plot_weekly_distance(weekly, found, thresholds=t, ax=ax, units=units)],
    )
    pages["descent"] = _chart_page(
        "Descent and downhill running",
        [lambda ax: plots.plot_descent(weekly, found, ax=ax, units=units)],
    )
    pages["cadence"] = _chart_page(
        "Cadence",
        [
            lambda ax: plots.plot_cadence(weekly, found, thresholds=t, ax=ax),
            lambda ax: plots.plot_cadence_distribution(acts, thresholds=t, ax=ax),
        ],
    )
    pages["long-runs"] = _chart_page(
        "Long runs",
        [lambda ax: plots.plot_long_runs(acts, found, thresholds=t, ax=ax, units=units)],
    )
    catalog = load_catalog()
    newest = sorted(found, key=lambda f: f.week_start, reverse=True)
    plan = audit.plan
    in_plan = finding_exercises(plan, newest)
    paragraphs = []
    for f in newest:
        names = "; ".join(
            f"{catalog.exercises[i].name} ({short_dose(catalog.exercises[i])})"
            for i in in_plan[f]
            if i in catalog.exercises
        )
        paragraphs.append(
            f"[{f.severity.upper()}] {f.message}" + (f"  Exercises: {names}" if names else "")
        )
    pages["plan"] = _text_page("Plan for the coming week", plan_lines(plan, units))
    pages["findings"] = _text_page(
        "Findings", paragraphs or ["Nothing in this history matches a risk pattern."]
    )
    ingest_counts = audit.ingest.counts()
    ingest_text = [", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in ingest_counts.items())]
    ingest_text += [
        f"{e.bucket}: {e.source}: {e.reason}"
        for e in audit.ingest.ledger
        if e.bucket in ("skipped", "duplicate", "other_sport")
    ]
    ingest_text += service_lines(audit, units)
    pages["ingest"] = _text_page("What was read", ingest_text)
    safety = [f"Not medical advice. {catalog.disclaimer}"]
    safety += [f"See a clinician: {flag.sign} — {flag.action}" for flag in catalog.red_flags]
    safety += [f"{item.title}: {item.text}" for item in catalog.advice]
    pages["safety"] = _text_page("Red flags and advice", safety)
    return [pages[anchor] for anchor, _ in SECTIONS]


def service_lines(audit: Audit, units: str = "km") -> list[str]:
    """The services' records, their weekly totals beside runaudit's and the shoes, as
    short paragraphs (PDF page "What was read"); export texts are kept as written."""
    account = audit.ingest.metadata
    lines = [account.summary_line()] if account.files else []
    lines += [*account.problems, *account.notes]
    weeks = account.weeks_side_by_side()
    if not weeks.empty:
        services = [s for s in SERVICE_NAMES if f"{s}_km" in weeks.columns]
        lines.append(
            f"Each week as the services reported it ({units}; difference = runaudit against"
            f" the service; more than {DIFF_PCT:g} % apart marked DIFFERS):"
        )
        for r in weeks.to_dict("records"):
            parts = [f"{r['week_start']:%Y-%m-%d}: runaudit {km_to(r['runaudit_km'], units):.1f}"]
            for s in services:
                km, pct = r[f"{s}_km"], r[f"{s}_diff_pct"]
                if pd.isna(km):
                    continue
                parts.append(
                    f"{SERVICE_NAMES[s]} {km_to(km, units):.1f} ({format_pct(pct)})"
                    + (" DIFFERS" if s in r["differs"] else "")
                )
            lines.append(" · ".join(parts))
    shoes = audit.shoes
    if not shoes.empty:
        lines.append("Shoes (first run – last run, runs, distance):")
        lines += [
            f"{r['shoe']}: {r['first_run'] or '–'} – {r['last_run'] or '–'}, {r['runs']} runs,"
            f" {format_distance(float(r['distance_km']), units)}"
            for r in shoes.to_dict("records")
        ]
    return lines


def plan_lines(plan: WeekPlan, units: str = "km") -> list[str]:
    """The plan as short paragraphs (PDF page)."""
    if plan.data_ends is None:
        return ["No runs yet."]
    return plan.lines()


def write_pdf(audit: Audit, path: Path, *, title: str, units: str = "km") -> Path:
    """Write the multi-page PDF report (one page per section) atomically."""
    with atomic_path(path) as tmp, PdfPages(tmp) as pdf:
        for page in pdf_pages(audit, title=title, units=units):
            pdf.savefig(page)
        info = pdf.infodict()
        info["Title"] = title
        info["Creator"] = "runaudit"
    return path
