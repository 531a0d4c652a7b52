"""Write a report folder: ``index.html``, the charts as PNG, ``weekly.csv``,
``activities.csv``, ``ingest.csv``, ``findings.json`` and optionally
``report.pdf``.

A report is written completely or not at all: every file goes into a staging
folder beside the target, which is moved into place once all is written
(:func:`staged_folder`). A folder that cannot be written (a file in its place,
no permission, a full disk) ends in one :class:`ReportWriteError` naming it,
and leaves the target as it was. Files and folders follow the umask.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from runaudit.errors import RunauditError
from runaudit.report import plots
from runaudit.report.html import render_html
from runaudit.report.pdf import pdf_bytes
from runaudit.report.text import to_csv
from runaudit.report.view import DEFAULT_CHART_WEEKS, ReportView, build_view
from runaudit.rules.findings import findings_json

if TYPE_CHECKING:
    from runaudit.audit import Audit

__all__ = ["ReportFiles", "ReportWriteError", "figure_png", "staged_folder", "write_report"]


class ReportWriteError(RunauditError):
    """The report's folder cannot be written (not a folder, no permission, disk full)."""


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


def _why(folder: Path, err: OSError) -> str:
    reason = err.strerror or str(err)
    return f"cannot write the report to {folder}: {reason[:1].lower()}{reason[1:]}."


def _publish(stage: Path, target: Path) -> None:
    """Move the staged folder's content into ``target``: a rename when ``target`` is
    missing or empty, else one rename per entry (a folder entry swapped whole)."""
    try:
        os.rename(stage, target)  # missing or empty target: one atomic step
        return
    except OSError:
        if not target.is_dir():
            raise
    for entry in sorted(stage.iterdir()):
        dest = target / entry.name
        if entry.is_dir() and dest.is_dir() and not dest.is_symlink():
            old = target / f".{entry.name}.old-{secrets.token_hex(4)}"
            os.rename(dest, old)
            os.rename(entry, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(entry, dest)
    stage.rmdir()


@contextlib.contextmanager
def staged_folder(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target``; on success move what was
    written there into ``target``, on any failure remove it and leave ``target``
    untouched.

    Raises
    ------
    ReportWriteError
        When ``target`` is a file, or the folder cannot be created or written
        (permission, read-only or full disk), naming ``target``.
    """
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise ReportWriteError(f"cannot write the report to {folder}: it is not a folder.")
    parent = folder.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = parent / f".{folder.absolute().name}.tmp-{secrets.token_hex(4)}"
        stage.mkdir()  # mode 0o777 less the umask, like any folder the user makes
    except OSError as err:
        raise ReportWriteError(_why(folder, err)) from err
    try:
        yield stage
        _publish(stage, folder)
    except OSError as err:
        shutil.rmtree(stage, ignore_errors=True)
        raise ReportWriteError(_why(folder, err)) from err
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _write_bytes(path: Path, data: bytes) -> None:
    """Write one file of the report (mode 0o666 less the umask)."""
    path.write_bytes(data)


def render_report(
    audit: Audit,
    *,
    title: str = "runaudit report",
    units: str = "km",
    weeks: int | None = DEFAULT_CHART_WEEKS,
) -> tuple[ReportView, dict[str, bytes]]:
    """The report's view model and its charts as PNG bytes (nothing written)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    view = build_view(audit, title=title, units=units, generated=f"on {stamp}", weeks=weeks)
    figures = plots.report_figures(
        audit.weekly,
        audit.activities,
        audit.findings,
        thresholds=audit.thresholds,
        units=units,
        weeks=weeks,
        names=view.chart_names,
    )
    return view, {name: figure_png(fig) for name, fig in figures.items()}


def write_report(
    audit: Audit,
    out_dir: str | os.PathLike[str],
    *,
    title: str | None = None,
    units: str = "km",
    pdf: bool = False,
    weeks: int | None = DEFAULT_CHART_WEEKS,
) -> ReportFiles:
    """Write the report of one athlete into ``out_dir``, completely or not at all.

    Parameters
    ----------
    audit : Audit
        From :func:`runaudit.load_export`.
    out_dir : path-like
        Created if needed; report files already there are replaced, other files kept.
    title : str, optional
        Page heading; defaults to "runaudit report".
    units : {"km", "mi"}
        Distance unit of everything a person reads; CSV/JSON keep ``_km`` columns.
    pdf : bool
        Also write ``report.pdf``.
    weeks : int or None
        Latest weeks the weekly charts show (None: all); the whole history is one
        compact chart below.

    Returns
    -------
    ReportFiles

    Raises
    ------
    ReportWriteError
        When ``out_dir`` cannot be written; nothing is left half-written.
    """
    folder = Path(out_dir)
    view, images = render_report(audit, title=title or "runaudit report", units=units, weeks=weeks)
    files: dict[str, bytes] = {f"{name}.png": png for name, png in images.items()}
    files["index.html"] = render_html(view, images).encode("utf-8")
    data = {
        "weekly.csv": to_csv(audit.weekly),
        "activities.csv": to_csv(audit.activities),
        "ingest.csv": to_csv(audit.ingest.ledger_frame()),
        "findings.json": findings_json(audit.findings) + "\n",
    }
    files.update({name: text.encode("utf-8") for name, text in data.items()})
    with staged_folder(folder) as stage:
        for name, content in files.items():
            _write_bytes(stage / name, content)
        if pdf:
            _write_bytes(stage / "report.pdf", pdf_bytes(view, images))
    return ReportFiles(
        folder,
        folder / "index.html",
        {name: folder / f"{name}.png" for name in images},
        {name: folder / name for name in data},
        folder / "report.pdf" if pdf else None,
    )
