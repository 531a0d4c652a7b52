"""Strava's ``activities.csv``: the activity type of each exported file.

A Strava bulk export lists every activity in ``activities.csv``; its
*Activity Type* gives the sport of files that do not state it (a GPX file
from a phone app, say). :func:`parse_strava_csv` maps file names to types,
:func:`zip_hints` and :func:`folder_hints` find and read the CSV in an export
zip or folder. Reading stays within the caller's size limit: this module
imports nothing from :mod:`runaudit.sources`, the zip reader passes its
guarded member reader in.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

#: The file name Strava gives the activity list (matched case-insensitively in zips).
HINTS_FILE = "activities.csv"

_FILENAME_HEADERS = {"filename", "file name", "file"}
_TYPE_HEADERS = {"activity type", "type", "activity_type", "sport"}


def hint_key(name: str) -> str:
    """Normalise a path for matching against activities.csv's Filename column.

    >>> hint_key("activities/12345.FIT.gz")
    '12345.fit'
    """
    lower = name.replace("\\", "/").lower()
    base = PurePosixPath(lower).name
    for suffix in (".gz",):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base


def parse_strava_csv(text: str) -> dict[str, str]:
    """Map each file named in a Strava ``activities.csv`` to its activity type.

    Columns are found by name, case- and space-insensitively, so the header
    variants Strava used over the years all work; rows without a file
    (manual activities) are ignored.

    Returns
    -------
    dict of str to str
        Lower-case base file name without ``.gz`` → activity type as written
        (``"Run"``, ``"Virtual Run"``, ``"Ride"``...).

    >>> parse_strava_csv("Activity ID,Activity Type,Filename\\n1,Run,activities/1.fit.gz\\n")
    {'1.fit': 'Run'}
    """
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows, None)
    except csv.Error:
        return {}
    if not header:
        return {}
    names = [h.strip().lower().replace("_", " ") for h in header]
    file_col = next((i for i, h in enumerate(names) if h in _FILENAME_HEADERS), None)
    type_col = next((i for i, h in enumerate(names) if h in _TYPE_HEADERS), None)
    if file_col is None or type_col is None:
        return {}
    hints: dict[str, str] = {}
    try:
        for row in rows:
            if len(row) <= max(file_col, type_col):
                continue
            filename, kind = row[file_col].strip(), row[type_col].strip()
            if filename and kind:
                hints[hint_key(filename)] = kind
    except csv.Error:  # a damaged line (oversized field...): keep the rows before it
        pass
    return hints


def zip_hints(archive: zipfile.ZipFile, read: Callable[[zipfile.ZipInfo], bytes]) -> dict[str, str]:
    """Sport hints from the first ``activities.csv`` anywhere in ``archive``.

    Parameters
    ----------
    archive : zipfile.ZipFile
    read : callable
        Returns a member's bytes, enforcing the caller's size limits (it may raise).

    Returns
    -------
    dict of str to str
        As :func:`parse_strava_csv`; empty when there is no readable CSV (the
        files are still read, only without sport hints).
    """
    for info in archive.infolist():
        if PurePosixPath(info.filename).name.lower() == HINTS_FILE:
            try:
                data = read(info)
            except Exception:  # the files are still read, only without sport hints
                return {}
            return parse_strava_csv(data.decode("utf-8-sig", "replace"))
    return {}


def folder_hints(folder: Path, max_bytes: int) -> dict[str, str]:
    """Sport hints from ``activities.csv`` in ``folder`` or one level below.

    A CSV over ``max_bytes`` [bytes] or unreadable is passed over.
    """
    hints: dict[str, str] = {}
    for csv_path in _iter_named(folder, HINTS_FILE):
        try:
            if csv_path.stat().st_size > max_bytes:
                continue
            hints.update(parse_strava_csv(csv_path.read_text("utf-8-sig", errors="replace")))
        except OSError:
            continue
    return hints


def _iter_named(folder: Path, name: str) -> Iterator[Path]:
    for candidate in (folder / name, *folder.glob(f"*/{name}")):
        if candidate.is_file():
            yield candidate
