"""Coaches: one report per athlete plus a roster page sorted by what needs attention now.

The athletes folder holds one sub-folder or export zip per athlete; each gets
its own report in ``OUT/<athlete>/`` and a row on ``OUT/index.html`` and in
``OUT/roster.csv`` with the last run and the days since, this week's cap, an
eight-week distance sparkline, the latest pain and its trend, the findings
open now and the unread files (:func:`runaudit.cohort.athlete_monday`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from runaudit.audit import Audit
from runaudit.cohort import AthleteMonday, Roster, athlete_error, athlete_monday, monday_frame
from runaudit.report.html import render_template
from runaudit.report.overview import OPEN_FINDING_WEEKS, AthleteNumbers, athlete_numbers
from runaudit.report.view import DEFAULT_CHART_WEEKS
from runaudit.report.writer import staged_folder, write_report
from runaudit.rules import rule_label
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
    monday: AthleteMonday | None = None
    failed: bool = False

    @property
    def urgency(self) -> tuple[int, int, int, int]:
        """Sort key: :attr:`runaudit.cohort.AthleteMonday.attention` (what needs
        attention now; an old alert is not urgent)."""
        if self.monday is None or self.numbers is None:
            return (-2, 0, 0, -(10**6))
        return self.monday.attention

    @property
    def status(self) -> str:
        """``worst open severity``, ``nothing open``, ``no runs`` or ``failed: why`` (the
        CLI's line)."""
        if self.failed:
            return f"failed: {self.error}"
        if self.numbers is None or self.monday is None:
            return "no runs"
        return self.monday.worst or "nothing open"


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
    last_run: str = ""
    cap: str = ""
    sparkline: str = ""
    spark_title: str = ""
    acwr: str = ""
    cadence: str = ""
    pain: str = ""
    findings: tuple[RosterFinding, ...] = ()
    unread: int = 0


def roster_line(row: RosterRow, units: str = "km") -> RosterLine:
    """The view of one roster row (see :func:`render_roster`)."""
    if row.numbers is None or row.monday is None:
        return RosterLine(row.name, row.folder, row.error or "no runs", link=row.error is None)
    n, m = row.numbers, row.monday
    pain = (
        f"{m.pain:g}/10 · {format_date(m.pain_date)}"
        + (f" · {m.pain_trend}" if m.pain_trend else "")
        if m.pain is not None and m.pain_date is not None
        else "–"
    )
    return RosterLine(
        name=row.name,
        folder=row.folder,
        last_run=(
            f"{format_date(m.last_run)} ({m.days_since_run} days ago)"
            if m.last_run is not None
            else "–"
        ),
        cap=format_distance(m.cap_km, units),
        sparkline=m.sparkline,
        spark_title=" ".join(f"{v:.0f}" for v in m.weeks_km) + " km",
        acwr=f"{n.acwr:.2f}" if math.isfinite(n.acwr) else "–",
        cadence=f"{n.cadence_spm:.0f} spm" if math.isfinite(n.cadence_spm) else "–",
        pain=pain,
        findings=tuple(
            RosterFinding(f.severity, rule_label(f.rule), format_date(f.week_start))
            for f in m.open_findings
        ),
        unread=m.unread_files,
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
    if error is not None and audit is None:
        return RosterRow(name, folder, None, error, failed=True)
    if audit is None or audit.activities.empty:
        if error is None and audit is not None:
            looked = sum(audit.ingest.counts().values())
            error = f"no runs found ({looked} files looked at)"
        return RosterRow(name, folder, None, error or "no runs found")
    return RosterRow(name, folder, athlete_numbers(audit), monday=athlete_monday(name, audit))


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
    """Write one report per athlete with runs, the roster page and ``roster.csv``,
    completely or not at all (see :func:`~runaudit.report.writer.staged_folder`).

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
        for i, row in enumerate(rows):
            if row.numbers is not None:
                audit = roster.audits[row.name]
                try:  # one athlete's report failing leaves the others' (and the page) written
                    write_report(
                        audit, stage / row.folder, title=row.name, units=units, pdf=pdf, weeks=weeks
                    )
                except Exception as err:
                    reason = f"report not written: {athlete_error(err)}"
                    rows[i] = RosterRow(row.name, row.folder, None, reason, failed=True)
        write_roster_page(rows, stage, units=units)
        ordered = sorted(rows, key=lambda r: r.urgency, reverse=True)
        mondays = [
            r.monday
            or AthleteMonday(r.name, None, None, 0.0, (), "", None, None, "", (), 0, error=r.error)
            for r in ordered
        ]
        (stage / "roster.csv").write_text(monday_frame(mondays).to_csv(index=False), "utf-8")
    return out / "index.html", ordered
