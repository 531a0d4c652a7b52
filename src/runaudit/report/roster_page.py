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
from html import escape
from pathlib import Path

from runaudit.audit import Audit
from runaudit.cohort import Roster, athlete_error
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
    failed: bool = False

    @property
    def urgency(self) -> tuple[int, int, float]:
        """Sort key: worst open severity, number of open findings, load ratio."""
        return self.numbers.urgency if self.numbers is not None else (-2, 0, 0.0)

    @property
    def status(self) -> str:
        """``worst severity``, ``nothing open``, ``no runs`` or ``failed: why`` (the CLI's line)."""
        if self.failed:
            return f"failed: {self.error}"
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


def render_roster(rows: list[RosterRow], *, units: str = "km", generated: str = "") -> str:
    """The roster page as self-contained HTML, most urgent athlete first."""
    ordered = sorted(rows, key=lambda r: r.urgency, reverse=True)
    body = []
    for row in ordered:
        link = f'<a href="{escape(row.folder)}/index.html">{escape(row.name)}</a>'
        if row.numbers is None:
            body.append(
                f"<tr><td>{link if row.error is None else escape(row.name)}</td>"
                f"<td colspan='6'>{escape(row.error or 'no runs')}</td></tr>"
            )
            continue
        n = row.numbers
        acwr = f"{n.acwr:.2f}" if math.isfinite(n.acwr) else "–"
        cadence = f"{n.cadence_spm:.0f} spm" if math.isfinite(n.cadence_spm) else "–"
        pain_at = n.pain
        pain = f"{pain_at[1]:g}/10 · {escape(format_date(pain_at[0].date()))}" if pain_at else "–"
        badges = (
            "".join(
                f'<div><span class="badge sev-{escape(f.severity)}">{escape(f.severity)}</span>'
                f"{escape(f.rule.replace('_', ' '))} · {escape(format_date(f.week_start))}</div>"
                for f in sorted(n.open_findings, key=lambda f: f.severity_rank, reverse=True)
            )
            or "none"
        )
        last_week = format_date(n.last_week) if n.last_week is not None else "–"
        body.append(
            f"<tr><td>{link}</td><td>{escape(last_week)}</td>"
            f"<td>{escape(format_distance(n.last_week_km, units))}</td><td>{acwr}</td>"
            f"<td>{cadence}</td><td class='pain'>{pain}</td><td>{badges}</td></tr>"
        )
    table = (
        "<table><tr><th>athlete</th><th>latest week</th><th>distance</th><th>load ratio</th>"
        "<th>cadence</th><th>latest knee pain</th>"
        f"<th>open findings (last {OPEN_FINDING_WEEKS} weeks)</th></tr>"
        + "".join(body)
        + "</table>"
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>runaudit roster</title><style>{_CSS}</style></head><body><main>"
        "<header class='top'><h1>Roster</h1><p class='sub'>Most urgent first: worst open "
        "finding, then how many, then the load ratio. Click a name for the full report.</p>"
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
    if error is not None and audit is None:
        return RosterRow(name, folder, None, error, failed=True)
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
) -> tuple[Path, list[RosterRow]]:
    """Write one report per athlete with runs and the roster page.

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
    for i, row in enumerate(rows):
        if row.numbers is not None:
            audit = roster.audits[row.name]
            try:  # one athlete's report failing leaves the others' (and the page) written
                write_report(audit, out / row.folder, title=row.name, units=units, pdf=pdf)
            except Exception as err:
                reason = f"report not written: {athlete_error(err)}"
                rows[i] = RosterRow(row.name, row.folder, None, reason, failed=True)
    page = write_roster_page(rows, out, units=units)
    return page, sorted(rows, key=lambda r: r.urgency, reverse=True)
