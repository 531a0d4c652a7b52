"""Coaches: one report per athlete plus a roster page sorted by what needs attention now.

The athletes folder holds one sub-folder or export zip per athlete; each gets
its own report in ``OUT/<athlete>/`` and a row on ``OUT/index.html`` and in
``OUT/roster.csv`` with the last run and the days since, this week's cap, an
eight-week distance sparkline, the latest pain and its trend, the findings
open now and the unread files (:func:`runaudit.cohort.monday_rows`).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from runaudit.audit import Audit
from runaudit.cohort import AthleteMonday, Roster, athlete_monday, monday_frame
from runaudit.reading.cache import write_text_atomic
from runaudit.report.html import _CSS
from runaudit.report.overview import OPEN_FINDING_WEEKS, AthleteNumbers, athlete_numbers
from runaudit.report.writer import write_report
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

    @property
    def urgency(self) -> tuple[int, int, int, int]:
        """Sort key: :attr:`runaudit.cohort.AthleteMonday.attention` (what needs
        attention now; an old alert is not urgent)."""
        if self.monday is None or self.numbers is None:
            return (-2, 0, 0, -(10**6))
        return self.monday.attention

    @property
    def status(self) -> str:
        """``worst open severity``, ``nothing open`` or ``no runs`` (the CLI's line)."""
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


def render_roster(rows: list[RosterRow], *, units: str = "km", generated: str = "") -> str:
    """The roster page as self-contained HTML, most urgent athlete first."""
    ordered = sorted(rows, key=lambda r: r.urgency, reverse=True)
    body = []
    for row in ordered:
        link = f'<a href="{escape(row.folder)}/index.html">{escape(row.name)}</a>'
        if row.numbers is None:
            body.append(
                f"<tr><td>{link if row.error is None else escape(row.name)}</td>"
                f"<td colspan='8'>{escape(row.error or 'no runs')}</td></tr>"
            )
            continue
        n = row.numbers
        m = row.monday
        assert m is not None
        acwr = f"{n.acwr:.2f}" if math.isfinite(n.acwr) else "–"
        cadence = f"{n.cadence_spm:.0f} spm" if math.isfinite(n.cadence_spm) else "–"
        pain = (
            f"{m.pain:g}/10 · {escape(format_date(m.pain_date))}"
            + (f" · {escape(m.pain_trend)}" if m.pain_trend else "")
            if m.pain is not None and m.pain_date is not None
            else "–"
        )
        badges = (
            "".join(
                f'<div><span class="badge sev-{escape(f.severity)}">{escape(f.severity)}</span>'
                f"{escape(f.rule.replace('_', ' '))} · {escape(format_date(f.week_start))}</div>"
                for f in m.open_findings
            )
            or "none"
        )
        last_run = (
            f"{format_date(m.last_run)} ({m.days_since_run} days ago)"
            if m.last_run is not None
            else "–"
        )
        body.append(
            f"<tr><td>{link}</td><td>{escape(last_run)}</td>"
            f"<td>{escape(format_distance(m.cap_km, units))}</td>"
            f"<td class='spark' title='{escape(' '.join(f'{v:.0f}' for v in m.weeks_km))} km'>"
            f"{escape(m.sparkline)}</td><td>{acwr}</td>"
            f"<td>{cadence}</td><td class='pain'>{pain}</td><td>{badges}</td>"
            f"<td>{m.unread_files}</td></tr>"
        )
    table = (
        "<table><tr><th>athlete</th><th>last run</th><th>this week's cap</th>"
        "<th>8 weeks</th><th>load ratio</th><th>cadence</th><th>latest knee pain</th>"
        f"<th>open findings (last {OPEN_FINDING_WEEKS} weeks)</th><th>unread files</th></tr>"
        + "".join(body)
        + "</table>"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>runaudit roster</title><style>{_CSS}</style></head><body><main>"
        "<header class='top'><h1>Roster</h1><p class='sub'>What needs attention now first:"
        " the worst finding of the last weeks (an old alert is not open), recent knee pain,"
        " how many findings, then the freshest data. Click a name for the full report.</p>"
        f"</header>{table}<footer>Made by runaudit {escape(generated)}. Not medical advice."
        "</footer></main></body></html>\n"
    )


def write_roster_page(rows: list[RosterRow], out_dir: Path, *, units: str = "km") -> Path:
    """Write ``out_dir/index.html`` for the roster."""
    stamp = datetime.now(UTC).strftime("on %Y-%m-%d %H:%M UTC")
    path = out_dir / "index.html"
    write_text_atomic(path, render_roster(rows, units=units, generated=stamp))
    return path


def roster_row(name: str, folder: str, audit: Audit | None, error: str | None = None) -> RosterRow:
    """A roster row from an athlete's audit (None when it could not be read)."""
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
) -> tuple[Path, list[RosterRow]]:
    """Write one report per athlete with runs, the roster page and ``roster.csv``.

    Parameters
    ----------
    roster : Roster
        From :func:`runaudit.cohort.load_roster`.
    out_dir : path-like
        Receives ``<athlete>/`` report folders and ``index.html``.
    units, pdf
        As for :func:`~runaudit.report.writer.write_report`.

    Returns
    -------
    (Path, list of RosterRow)
        The roster page and its rows (most urgent first).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = roster_rows(roster)
    for row in rows:
        if row.numbers is not None:
            audit = roster.audits[row.name]
            write_report(audit, out / row.folder, title=row.name, units=units, pdf=pdf)
    page = write_roster_page(rows, out, units=units)
    ordered = sorted(rows, key=lambda r: r.urgency, reverse=True)
    mondays = [
        r.monday
        or AthleteMonday(r.name, None, None, 0.0, (), "", None, None, "", (), 0, error=r.error)
        for r in ordered
    ]
    write_text_atomic(out / "roster.csv", monday_frame(mondays).to_csv(index=False))
    return page, ordered
