"""Find the activity files behind the paths a user gives.

A path may be a file (``.fit``, ``.gpx``, ``.tcx``, each optionally ``.gz``,
any case), a folder (searched recursively) or a bulk-export ``.zip`` (Strava
or Garmin Connect, zips nested in zips included). Zip members are read in
memory, never extracted to disk, under the size limits of :class:`Limits`.

Strava exports carry ``activities.csv`` whose *Activity Type* gives the sport
of files that do not state it; it is attached to each :class:`Source` as
``sport_hint``.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from .errors import InputError, LimitError, ParseError

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
#: Extensions a folder walk passes over quietly (the rest of a Garmin/Strava export).
_IGNORED_SUFFIXES = {
    ".json", ".csv", ".txt", ".md", ".html", ".htm", ".jpg", ".jpeg", ".png", ".gif",
    ".heic", ".mp4", ".mov", ".pdf", ".xml", ".log", ".ini", ".db", ".sqlite", ".js",
    ".css", ".svg", ".webp", ".parquet", ".py", ".ipynb",
}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    """Safety limits on what is read.

    Attributes
    ----------
    max_file_bytes : int
        Largest single activity file after decompression [bytes]
        (default 256 MiB; a 10-hour 1 Hz FIT file is about 1 MiB).
    max_zip_members : int
        Most members one zip may list (default 200 000).
    max_member_bytes : int
        Largest uncompressed size of one zip member [bytes] (default 2 GiB;
        a Garmin export's nested ``UploadedFiles_*.zip`` can be large).
    max_total_bytes : int
        Most bytes decompressed from one zip in total [bytes] (default 20 GiB).
    max_ratio : float
        Highest compression ratio accepted for a member over 1 MiB
        (default 200; zip bombs compress zeros at ratios of 1000 and more).
    max_seconds_per_file : float
        Longest time one file may take to parse [s] (default 120; a 10-hour
        1 Hz FIT file takes about 2 s).

    Raise a limit with ``Limits(max_file_bytes=...)`` from Python or the
    matching ``--max-*`` option / ``[limits]`` table of the config file.
    """

    max_file_bytes: int = 256 * 2**20
    max_zip_members: int = 200_000
    max_member_bytes: int = 2 * 2**30
    max_total_bytes: int = 20 * 2**30
    max_ratio: float = 200.0
    max_seconds_per_file: float = 120.0


@dataclass(frozen=True)
class Source:
    """One candidate activity file: a path on disk, or a member of (nested) zips.

    Attributes
    ----------
    path : str
        The file on disk (the outermost zip for members).
    members : tuple of str
        Member names from the outer zip inwards; empty for a plain file.
    format : str
        Format guessed from the name: ``"fit"``, ``"gpx"``, ``"tcx"`` or
        ``"unknown"``; the parser sniffs the content and has the last word.
    gz : bool
        Whether the name ends in ``.gz``.
    sport_hint : str or None
        Activity type from a Strava ``activities.csv`` ("Run", "Ride"...).
    """

    path: str
    members: tuple[str, ...] = ()
    format: str = "unknown"
    gz: bool = False
    sport_hint: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """Display name: ``export.zip!activities/123.fit.gz`` for zip members."""
        return "!".join((self.path, *self.members))


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found.

    Attributes
    ----------
    sources : list of Source
        Candidate activity files, in a stable order.
    skipped : list of tuple of (str, str)
        Inputs that could not even be listed: ``(name, reason)``.
    ignored : int
        Files passed over quietly as not activity files (``.json``, photos...).
    """

    sources: list[Source]
    skipped: list[tuple[str, str]]
    ignored: int


def split_suffix(name: str) -> tuple[str, bool]:
    """Return ``(format, gz)`` guessed from a file name, case-insensitively.

    >>> split_suffix("Morning_Run.FIT.gz")
    ('fit', True)
    >>> split_suffix("notes.txt")
    ('unknown', False)
    """
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    for suffix in ACTIVITY_SUFFIXES:
        if lower.endswith(suffix):
            return suffix[1:], gz
    return "unknown", gz


def discover(paths: Iterable[str | os.PathLike[str]], limits: Limits | None = None) -> Discovery:
    """List the candidate activity files under ``paths``.

    Parameters
    ----------
    paths : iterable of path-like
        Files, folders (recursive) and export zips.
    limits : Limits, optional

    Returns
    -------
    Discovery

    Raises
    ------
    InputError
        When a path does not exist.
    """
    limits = limits or Limits()
    sources: list[Source] = []
    skipped: list[tuple[str, str]] = []
    ignored = 0
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder.")
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        hints = _folder_hints(path) if path.is_dir() else {}
        for file in files:
            explicit = file == path
            lower = file.name.lower()
            if lower.endswith(".zip"):
                try:
                    found, zip_ignored = _zip_sources(str(file), (), limits)
                except (ParseError, OSError, zipfile.BadZipFile, zlib.error) as err:
                    skipped.append((str(file), _zip_reason(err)))
                    continue
                sources.extend(found)
                ignored += zip_ignored
                continue
            fmt, gz = split_suffix(file.name)
            if fmt == "unknown" and not explicit:
                fmt = "unknown" if _ignorable(lower) else _sniff_file(file)
                if fmt == "unknown":
                    ignored += 1
                    continue
            hint = hints.get(_hint_key(file.relative_to(path).as_posix())) if hints else None
            sources.append(Source(str(file), (), fmt, gz, hint))
    return Discovery(sources, skipped, ignored)


def read_source(source: Source, limits: Limits | None = None) -> bytes:
    """Return the decompressed bytes of one source.

    Raises
    ------
    ParseError
        Empty file, unreadable gzip, or a zip member that cannot be read.
    LimitError
        When a size limit is exceeded.
    """
    limits = limits or Limits()
    try:
        if source.members:
            archive = _open_zip_chain(source.path, source.members[:-1], limits)
            info = archive.getinfo(source.members[-1])
            _check_member(info, limits, source.members[-1])
            data = _read_member(archive, info, limits.max_member_bytes)
        else:
            size = os.path.getsize(source.path)
            if size > limits.max_file_bytes:
                raise LimitError(
                    f"file is {size / 2**20:.0f} MiB, over the {limits.max_file_bytes / 2**20:.0f}"
                    " MiB limit (raise it with --max-file-mb)"
                )
            with open(source.path, "rb") as handle:
                data = handle.read()
    except (OSError, zipfile.BadZipFile, zlib.error, KeyError, EOFError) as err:
        raise ParseError(f"could not be read ({err})") from err
    if source.gz or data[:2] == b"\x1f\x8b":
        data = _gunzip(data, limits.max_file_bytes)
    if not data:
        raise ParseError("empty file")
    if len(data) > limits.max_file_bytes:
        raise LimitError(
            f"file is {len(data) / 2**20:.0f} MiB uncompressed, over the"
            f" {limits.max_file_bytes / 2**20:.0f} MiB limit (raise it with --max-file-mb)"
        )
    return data


# --------------------------------------------------------------------------- helpers


def _ignorable(lower_name: str) -> bool:
    suffix = PurePosixPath(lower_name).suffix
    return suffix in _IGNORED_SUFFIXES or lower_name.startswith(".")


def _sniff_head(head: bytes) -> str:
    from .parsers import sniff_format

    if head[:2] == b"\x1f\x8b":
        return "unknown"  # a gzip of unknown content: its name did not say activity
    return sniff_format(head)


def _sniff_file(path: Path) -> str:
    """Format of a file whose name does not say, from its first bytes."""
    try:
        with open(path, "rb") as handle:
            return _sniff_head(handle.read(4096))
    except OSError:
        return "unknown"


def _sniff_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    try:
        with archive.open(info) as handle:
            return _sniff_head(handle.read(4096))
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError):
        return "unknown"


def _zip_reason(err: Exception) -> str:
    if isinstance(err, ParseError):
        return str(err)
    return f"not a readable zip file ({err})"


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data, refusing more than ``max_bytes`` of output."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise ParseError(f"damaged gzip data ({err})") from err
    if len(out) > max_bytes:
        raise LimitError(
            f"gzip expands past the {max_bytes / 2**20:.0f} MiB file limit"
            " (raise it with --max-file-mb)"
        )
    return out


def _check_member(info: zipfile.ZipInfo, limits: Limits, name: str) -> None:
    if info.file_size > limits.max_member_bytes:
        raise LimitError(
            f"zip member {name} declares {info.file_size / 2**20:.0f} MiB, over the"
            f" {limits.max_member_bytes / 2**20:.0f} MiB member limit (raise it with"
            " --max-member-mb)"
        )
    if info.file_size > 2**20 and info.compress_size > 0:
        ratio = info.file_size / info.compress_size
        if ratio > limits.max_ratio:
            raise LimitError(
                f"zip member {name} compresses {ratio:.0f}:1, a zip bomb pattern (limit"
                f" {limits.max_ratio:.0f}:1, raise it with --max-zip-ratio)"
            )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """Read a member, never trusting its declared size: stop past ``max_bytes``."""
    with archive.open(info) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitError(f"zip member {info.filename} expands past its declared size limit")
    return data


def _safe_member_name(name: str) -> bool:
    posix = PurePosixPath(name.replace("\\", "/"))
    return not (posix.is_absolute() or ".." in posix.parts or (name[1:3] == ":/"))


@lru_cache(maxsize=2)
def _open_zip_chain(path: str, members: tuple[str, ...], limits: Limits) -> zipfile.ZipFile:
    """Open ``path`` and the nested zips named by ``members``, in memory.

    Cached per process so that reading many members of one nested export zip
    decompresses the inner zip once.
    """
    archive = zipfile.ZipFile(path)
    for member in members:
        info = archive.getinfo(member)
        _check_member(info, limits, member)
        archive = zipfile.ZipFile(io.BytesIO(_read_member(archive, info, limits.max_member_bytes)))
    return archive


def _zip_sources(path: str, chain: tuple[str, ...], limits: Limits) -> tuple[list[Source], int]:
    archive = _open_zip_chain(path, chain, limits)
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise LimitError(
            f"zip lists {len(infos)} members, over the {limits.max_zip_members} limit"
            " (raise it with --max-zip-members)"
        )
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        raise LimitError(
            f"zip declares {declared / 2**30:.1f} GiB uncompressed, over the"
            f" {limits.max_total_bytes / 2**30:.0f} GiB limit (raise it with --max-total-gb)"
        )
    hints = _zip_hints(archive, limits)
    sources: list[Source] = []
    ignored = 0
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = info.filename
        if not _safe_member_name(name):
            # Nothing is ever extracted, but such a name is a zip-slip attempt: say so.
            sources.append(Source(path, (*chain, name), "unsafe"))
            continue
        lower = name.lower()
        if lower.endswith(".zip"):
            try:
                nested, nested_ignored = _zip_sources(path, (*chain, name), limits)
            except (ParseError, OSError, zipfile.BadZipFile, zlib.error, KeyError):
                sources.append(Source(path, (*chain, name), "zip"))
                continue
            sources.extend(nested)
            ignored += nested_ignored
            continue
        fmt, gz = split_suffix(name)
        base = PurePosixPath(lower).name
        if fmt == "unknown":
            if not (_ignorable(base) or "__macosx" in lower):
                fmt = _sniff_member(archive, info)
            if fmt == "unknown":
                ignored += 1
                continue
        sources.append(Source(path, (*chain, name), fmt, gz, hints.get(_hint_key(name))))
    return sources, ignored


def _hint_key(name: str) -> str:
    """Normalise a path for matching against activities.csv's Filename column."""
    lower = name.replace("\\", "/").lower()
    base = PurePosixPath(lower).name
    for suffix in (".gz",):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base


def _zip_hints(archive: zipfile.ZipFile, limits: Limits) -> dict[str, str]:
    for info in archive.infolist():
        if PurePosixPath(info.filename).name.lower() == "activities.csv":
            if info.file_size > limits.max_file_bytes:
                return {}
            return parse_strava_csv(archive.read(info).decode("utf-8-sig", "replace"))
    return {}


def _folder_hints(folder: Path) -> dict[str, str]:
    hints: dict[str, str] = {}
    for csv_path in _iter_named(folder, "activities.csv"):
        try:
            hints.update(parse_strava_csv(csv_path.read_text("utf-8-sig", errors="replace")))
        except OSError:
            continue
    return hints


def _iter_named(folder: Path, name: str) -> Iterator[Path]:
    for candidate in (folder / name, *folder.glob(f"*/{name}")):
        if candidate.is_file():
            yield candidate


_FILENAME_HEADERS = {"filename", "file name", "file"}
_TYPE_HEADERS = {"activity type", "type", "activity_type", "sport"}


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
    header = next(rows, None)
    if not header:
        return {}
    names = [h.strip().lower().replace("_", " ") for h in header]
    file_col = next((i for i, h in enumerate(names) if h in _FILENAME_HEADERS), None)
    type_col = next((i for i, h in enumerate(names) if h in _TYPE_HEADERS), None)
    if file_col is None or type_col is None:
        return {}
    hints: dict[str, str] = {}
    for row in rows:
        if len(row) <= max(file_col, type_col):
            continue
        filename, kind = row[file_col].strip(), row[type_col].strip()
        if filename and kind:
            hints[_hint_key(filename)] = kind
    return hints
