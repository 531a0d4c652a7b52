"""Coaches: one report per athlete plus a roster page sorted by urgency.

The athletes folder holds one sub-folder or export zip per athlete; each gets
its own report in ``OUT/<athlete>/`` and a row on ``OUT/index.html`` with the
latest week's distance, load ratio, cadence and open findings (those of the
last four weeks), most urgent first.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from runaudit.audit import Audit
from runaudit.cohort import Roster
from runaudit.report.html import render_template
from runaudit.report.overview import OPEN_FINDING_WEEKS, AthleteNumbers, athlete_numbers
from runaudit.report.view import DEFAULT_CHART_WEEKS
from runaudit.report.writer import staged_folder, write_report
from runaudit.rules.messages import format_date, format_distance


@dataclass(frozen=True)
class RosterRow:
    """One athlete on the roster page.

    ``numbers`` is None when the athlete's input could not be read or held no
    run; ``error`` then says which.
    """

    name: str
    folder: str
    numbers: AthleteNumbers | None
    error: str | None = None

    @property
    def urgency(self) -> tuple[int, int, float]:
        """Sort key: worst open severity, number of open findings, load ratio."""
        return self.numbers.urgency if self.numbers is not None else (-2, 0, 0.0)

    @property
    def status(self) -> str:
        """``worst severity``, ``nothing open`` or ``no runs`` (the CLI's line)."""
        if self.numbers is None:
            return "no runs"
        return self.numbers.worst or "nothing open"


def safe_slug(name: str) -> str:
    """A folder name for an athlete: letters, digits, dot, dash and underscore only.

    >>> safe_slug("Anna Müller (2025)")
    'Anna_M_ller_2025_'
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip(".") or "athlete"
    return slug[:80]


@dataclass(frozen=True)
class RosterFinding:
    """One open finding on a roster row: severity, rule in words, week."""

    severity: str
    title: str
    week_label: str


@dataclass(frozen=True)
class RosterLine:
    """One roster row as the page shows it (text with units; ``error`` for an athlete
    without a report, ``link`` when the name still links to a folder)."""

    name: str
    folder: str
    error: str = ""
    link: bool = False
    last_week: str = ""
    distance: str = ""
    acwr: str = ""
    cadence: str = ""
    pain: str = ""
    findings: tuple[RosterFinding, ...] = ()


def roster_line(row: RosterRow, units: str = "km") -> RosterLine:
    """The view of one roster row (see :func:`render_roster`)."""
    if row.numbers is None:
        return RosterLine(row.name, row.folder, row.error or "no runs", link=row.error is None)
    n = row.numbers
    pain_at = n.pain
    return RosterLine(
        name=row.name,
        folder=row.folder,
        last_week=format_date(n.last_week) if n.last_week is not None else "–",
        distance=format_distance(n.last_week_km, units),
        acwr=f"{n.acwr:.2f}" if math.isfinite(n.acwr) else "–",
        cadence=f"{n.cadence_spm:.0f} spm" if math.isfinite(n.cadence_spm) else "–",
        pain=f"{pain_at[1]:g}/10 · {format_date(pain_at[0].date())}" if pain_at else "–",
        findings=tuple(
            RosterFinding(f.severity, f.rule.replace("_", " "), format_date(f.week_start))
            for f in sorted(n.open_findings, key=lambda f: f.severity_rank, reverse=True)
        ),
    )


def render_roster(rows: list[RosterRow], *, units: str = "km", generated: str = "") -> str:
    """The roster page as self-contained HTML (``templates/roster.html.j2``), most
    urgent athlete first."""
    ordered = sorted(rows, key=lambda r: r.urgency, reverse=True)
    return render_template(
        "roster.html.j2",
        rows=[roster_line(r, units) for r in ordered],
        open_weeks=OPEN_FINDING_WEEKS,
        generated=generated,
    )


def write_roster_page(rows: list[RosterRow], out_dir: Path, *, units: str = "km") -> Path:
    """Write ``out_dir/index.html`` for the roster."""
    stamp = datetime.now(UTC).strftime("on %Y-%m-%d %H:%M UTC")
    path = out_dir / "index.html"
    path.write_text(render_roster(rows, units=units, generated=stamp), encoding="utf-8")
    return path


def roster_row(name: str, folder: str, audit: Audit | None, error: str | None = None) -> RosterRow:
    """A roster row from an athlete's audit (None when it could not be read)."""
    if audit is None or audit.activities.empty:
        if error is None and audit is not None:
            looked = sum(audit.ingest.counts().values())
            error = f"no runs found ({looked} files looked at)"
        return RosterRow(name, folder, None, error or "no runs found")
    return RosterRow(name, folder, athlete_numbers(audit))


def roster_rows(roster: Roster) -> list[RosterRow]:
    """One row per athlete of ``roster``, in the folder's order (see :func:`render_roster`)."""
    names = list(roster.paths) or [*roster.audits, *roster.errors]
    return [
        roster_row(name, safe_slug(name), roster.audits.get(name), roster.errors.get(name))
        for name in names
    ]


def write_roster(
    roster: Roster,
    out_dir: str | os.PathLike[str],
    *,
    units: str = "km",
    pdf: bool = False,
    weeks: int | None = DEFAULT_CHART_WEEKS,
) -> tuple[Path, list[RosterRow]]:
    """Write one report per athlete with runs and the roster page, completely or not at
    all (see :func:`~runaudit.report.writer.staged_folder`).

    Parameters
    ----------
    roster : Roster
        From :func:`runaudit.cohort.load_roster`.
    out_dir : path-like
        Receives ``<athlete>/`` report folders and ``index.html``.
    units, pdf, weeks
        As for :func:`~runaudit.report.writer.write_report`.

    Returns
    -------
    (Path, list of RosterRow)
        The roster page and its rows (most urgent first).

    Raises
    ------
    ReportWriteError
        When ``out_dir`` cannot be written.
    """
    out = Path(out_dir)
    rows = roster_rows(roster)
    with staged_folder(out) as stage:
        for row in rows:
            if row.numbers is not None:
                audit = roster.audits[row.name]
                write_report(
                    audit, stage / row.folder, title=row.name, units=units, pdf=pdf, weeks=weeks
                )
        write_roster_page(rows, stage, units=units)
    return out / "index.html", sorted(rows, key=lambda r: r.urgency, reverse=True)
