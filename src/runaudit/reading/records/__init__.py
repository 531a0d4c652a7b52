"""What the services wrote about the runner, beside the activity files.

Readers: :mod:`.strava` (``activities.csv``, ``shoes.csv``) and :mod:`.garmin`
(``*_summarizedActivities.json``). :func:`read_metadata` finds those files in
the paths a user gives (folders, export zips, the files themselves) under a
size limit, reading zips through the guards of :mod:`runaudit.reading.sources.zipguard`
(the same as for activity files); :mod:`.merge` puts their runs, shoes and
surfaces beside the runs read from files.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from runaudit.errors import LimitError, ParseError
from runaudit.reading.records.garmin import GarminSummary, read_summaries
from runaudit.reading.records.strava import (
    StravaRow,
    parse_strava_csv,
    read_activities_csv,
    read_shoes_csv,
)
from runaudit.reading.sources.limits import Limits, read_capped
from runaudit.reading.sources.names import printable
from runaudit.reading.sources.zipguard import (
    ZIP_SLIP_REASON,
    check_directory,
    check_member,
    read_member,
    read_reason,
    safe_member_name,
)

__all__ = [
    "GarminSummary",
    "Metadata",
    "StravaRow",
    "parse_strava_csv",
    "read_activities_csv",
    "read_metadata",
    "read_shoes_csv",
    "read_summaries",
]

#: Largest metadata file read [bytes] (ten years of Garmin summaries are tens of MB).
MAX_METADATA_BYTES = 128 * 2**20


@dataclass
class Metadata:
    """The service records found in an export.

    Attributes
    ----------
    strava : list of (str, StravaRow)
        Each row with the name of the CSV it came from.
    garmin : list of (str, GarminSummary)
        Each summary with the name of its JSON file.
    shoes : list of str
        Shoes listed by ``shoes.csv``.
    problems : list of str
        Files or lines refused, with the reason.
    notes : list of str
        Things said once (Garmin gear not linked to activities...).
    files : list of str
        The metadata files read.
    """

    strava: list[tuple[str, StravaRow]] = field(default_factory=list)
    garmin: list[tuple[str, GarminSummary]] = field(default_factory=list)
    shoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add(self, name: str, data: bytes) -> None:
        """Read one metadata file's bytes (its kind from its name)."""
        base = PurePosixPath(name.replace("!", "/")).name.lower()
        self.files.append(name)
        if base == "activities.csv":
            parsed = read_activities_csv(data.decode("utf-8-sig", "replace"), name=name)
            self.strava.extend((name, row) for row in parsed.rows)
            self.problems.extend(parsed.problems)
        elif base == "shoes.csv":
            for shoe in read_shoes_csv(data.decode("utf-8-sig", "replace")):
                if shoe not in self.shoes:
                    self.shoes.append(shoe)
        elif base.endswith("_gear.json"):
            note = (
                "Garmin's gear list (*_gear.json) names shoes but does not link them to"
                " activities; no shoe is assigned from it"
            )
            if note not in self.notes:
                self.notes.append(note)
        elif base.endswith("summarizedactivities.json"):
            try:
                summaries, problems = read_summaries(data, name=name)
            except ParseError as err:
                self.problems.append(str(err))
                return
            self.garmin.extend((name, s) for s in summaries)
            self.problems.extend(problems)


def is_metadata_name(name: str) -> bool:
    """True for the service files :class:`Metadata` reads.

    >>> is_metadata_name("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json")
    True
    >>> is_metadata_name("activities/1.fit")
    False
    """
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return (
        base in ("activities.csv", "shoes.csv")
        or base.endswith("summarizedactivities.json")
        or base.endswith("_gear.json")
    )


def read_metadata(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = MAX_METADATA_BYTES,
    limits: Limits | None = None,
) -> Metadata:
    """Find and read the service files in folders, export zips or given directly.

    Parameters
    ----------
    paths : iterable of path-like
    max_bytes : int
        Largest metadata file read [bytes] (also capped by ``limits.max_file_bytes``).
    limits : Limits, optional
        The guards of :mod:`runaudit.reading.sources.zipguard` apply to export zips as
        they do for the activity files: member count before the directory is
        parsed, declared size and compression ratio before a byte is
        decompressed, the real size while reading, and no member name that
        points outside the archive.

    Nothing raises for bad content: a file too large, a zip that cannot be
    opened or JSON that cannot be read ends in ``problems`` with its reason.
    Each file is read once into memory and dropped after parsing.
    """
    limits = limits or Limits()
    cap = min(max_bytes, limits.max_file_bytes)
    meta = Metadata()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path, limits.follow_symlinks):
                _add_file(meta, found, cap, limits)
        elif path.suffix.lower() == ".zip" and path.is_file():
            _add_zip(meta, path, cap, limits)
        elif path.is_file() and is_metadata_name(path.name):
            _add_file(meta, path, cap, limits)
    return meta


def _walk(folder: Path, follow_symlinks: bool) -> Iterator[Path]:
    # the walk discovery makes: links leading out of the export are not followed
    from runaudit.reading.sources.discover import walk_export

    files, _refused = walk_export(folder, follow_symlinks=follow_symlinks)
    for path in files:
        if is_metadata_name(path.name) or path.name.lower().endswith(".zip"):
            yield path


def _add_file(meta: Metadata, path: Path, max_bytes: int, limits: Limits) -> None:
    if path.suffix.lower() == ".zip":
        _add_zip(meta, path, max_bytes, limits)
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            meta.problems.append(
                f"{printable(str(path))}: {size / 2**20:,.0f} MiB, over the"
                f" {max_bytes / 2**20:,.0f} MiB limit for service records; not read"
            )
            return
        with path.open("rb") as handle:
            data = read_capped(handle, max_bytes)
    except OSError as err:
        meta.problems.append(f"{printable(str(path))}: cannot be read ({err.strerror})")
        return
    if len(data) > max_bytes:  # grew while being read
        meta.problems.append(f"{printable(str(path))}: grew past the size limit; not read")
        return
    meta.add(str(path), data)


def _add_zip(meta: Metadata, path: Path, max_bytes: int, limits: Limits) -> None:
    """The service files at any depth of one export zip (not inside nested zips)."""
    try:
        with path.open("rb") as handle:
            check_directory(handle, limits, printable(str(path)))
        archive = zipfile.ZipFile(path)
    except Exception:  # a hostile zip may raise anything; the activity reader reports it
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not is_metadata_name(info.filename):
                continue
            name = f"{path}!{printable(info.filename)}"
            if not safe_member_name(info.filename):
                meta.problems.append(f"{name}: {ZIP_SLIP_REASON}")
                continue
            try:
                check_member(info, limits, name, file_limit=True)
                if info.file_size > max_bytes:
                    raise LimitError(
                        f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB, over"
                        f" the {max_bytes / 2**20:,.0f} MiB limit for service records",
                        limit="max_file_bytes",
                    )
                data = read_member(archive, info, max_bytes)
            except LimitError as err:
                meta.problems.append(f"{err}; not read")
                continue
            except Exception as err:  # damaged, encrypted, unsupported compression...
                meta.problems.append(f"{name}: {read_reason(err, member=True)}")
                continue
            meta.add(name, data)
