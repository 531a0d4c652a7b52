"""Discovery: walk the files, folders and zips a user gives into :class:`Source` items.

Folders are searched recursively; zips (nested ones included) are listed
through the guards of :mod:`.zipguard`, never extracted. A name that does
not say its format is sniffed from its first bytes. Strava's
``activities.csv`` gives each :class:`Source` its ``sport_hint``
(:mod:`runaudit.reading.records.strava`).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from runaudit.errors import InputError
from runaudit.reading.sources.limits import Limits
from runaudit.reading.sources.names import printable, split_suffix
from runaudit.reading.sources.zipguard import (
    ZIP_SLIP_REASON,
    Budget,
    BudgetExceeded,
    depth_refusal,
    open_zip_chain,
    safe_member_name,
    zip_reason,
)

#: Extensions a folder walk passes over quietly (the rest of a Garmin/Strava export).
_IGNORED_SUFFIXES = {
    ".json", ".csv", ".txt", ".md", ".html", ".htm", ".jpg", ".jpeg", ".png", ".gif",
    ".heic", ".mp4", ".mov", ".pdf", ".xml", ".log", ".ini", ".db", ".sqlite", ".js",
    ".css", ".svg", ".webp", ".parquet", ".py", ".ipynb",
}  # fmt: skip


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
    error : str or None
        Why this entry was refused while the zip was listed (a nested zip
        that cannot be opened or nests too deep, a zip-slip name);
        :func:`~runaudit.reading.sources.read_source` raises it, so the entry is
        skipped with this reason.
    """

    path: str
    members: tuple[str, ...] = ()
    format: str = "unknown"
    gz: bool = False
    error: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """Display name: ``export.zip!activities/123.fit.gz`` for zip members.

        Control characters (a stranger's file name may carry terminal escape
        sequences or newlines) are shown escaped.
        """
        return printable("!".join((self.path, *self.members)))


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
        if path.is_file():
            files = [path]
        else:
            files, refused = walk_export(path, follow_symlinks=limits.follow_symlinks)
            skipped.extend((printable(str(link)), SYMLINK_REASON) for link in refused)
        for file in files:
            explicit = file == path
            lower = file.name.lower()
            if lower.endswith(".zip"):
                try:
                    found, zip_ignored = _zip_sources(str(file), (), limits, Budget())
                except Exception as err:  # a hostile zip may raise anything zipfile can
                    skipped.append((printable(str(file)), zip_reason(err)))
                    continue
                if not found:
                    skipped.append(
                        (
                            printable(str(file)),
                            "zip holds no FIT, GPX or TCX files"
                            + (
                                f" ({zip_ignored} other file{'s' if zip_ignored != 1 else ''}"
                                " passed over)"
                                if zip_ignored
                                else ""
                            ),
                        )
                    )
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
            sources.append(Source(str(file), (), fmt, gz))
    return Discovery(sources, skipped, ignored)


#: The ledger reason of a symbolic link that leads out of the input folder.
SYMLINK_REASON = "symbolic link leading outside the export; not followed (--follow-symlinks)"


def walk_export(root: Path, *, follow_symlinks: bool = False) -> tuple[list[Path], list[Path]]:
    """The files under the folder ``root`` (recursively, sorted), and the links refused.

    A symbolic link (to a file or a folder) whose target lies inside ``root`` is
    read where it leads; one that leads outside ``root`` is followed only with
    ``follow_symlinks`` and otherwise returned in the second list. A folder is
    entered once, however many links lead to it (no loops). Broken links are
    passed over.
    """
    top = root.resolve()
    files: list[Path] = []
    refused: list[Path] = []
    seen: set[Path] = set()
    seen_files: set[Path] = set()

    def inside(target: Path) -> bool:
        return target == top or top in target.parents

    def visit(folder: Path) -> None:
        real = folder.resolve()
        if real in seen:
            return
        seen.add(real)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return  # unreadable folder: nothing to list
        for entry in entries:
            if entry.is_symlink():
                try:
                    target = entry.resolve(strict=True)
                except (OSError, RuntimeError):  # broken link or a loop
                    continue
                if not inside(target) and not follow_symlinks:
                    refused.append(entry)
                    continue
                if target.is_dir():
                    visit(entry)
                elif target.is_file() and target not in seen_files:
                    seen_files.add(target)
                    files.append(entry)
                continue
            if entry.is_dir():
                visit(entry)
            elif entry.is_file() and entry.resolve() not in seen_files:
                seen_files.add(entry.resolve())
                files.append(entry)

    visit(root)
    return sorted(files), refused


def _zip_sources(
    path: str, chain: tuple[str, ...], limits: Limits, budget: Budget
) -> tuple[list[Source], int]:
    """The sources in the zip ``path`` opened through the nested zips ``chain``,
    and how many members were passed over."""
    archive = open_zip_chain(path, chain, limits)
    infos = archive.infolist()
    budget.add(infos, limits)

    sources: list[Source] = []
    ignored = 0
    for info in sorted(infos, key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = info.filename
        if not safe_member_name(name):
            # Nothing is ever extracted, but such a name is a zip-slip attempt: say so.
            sources.append(Source(path, (*chain, name), error=ZIP_SLIP_REASON))
            continue
        lower = name.lower()
        if lower.endswith(".zip"):
            refusal = depth_refusal(len(chain), limits)
            if refusal is not None:
                sources.append(Source(path, (*chain, name), error=refusal))
                continue
            try:
                nested, nested_ignored = _zip_sources(path, (*chain, name), limits, budget)
            except BudgetExceeded:
                raise
            except Exception as err:  # one broken nested zip does not sink the export
                reason = f"nested zip could not be opened: {zip_reason(err)}"
                sources.append(Source(path, (*chain, name), error=reason))
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
        sources.append(Source(path, (*chain, name), fmt, gz))
    return sources, ignored


def _ignorable(lower_name: str) -> bool:
    suffix = PurePosixPath(lower_name).suffix
    return suffix in _IGNORED_SUFFIXES or lower_name.startswith(".")


def _sniff_head(head: bytes) -> str:
    # imported here: keeps ``runaudit.reading.sources`` free of the parsers (fitdecode, pandas)
    from runaudit.reading.parsers import sniff_format

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
    except Exception:  # unreadable: passed over like any other non-activity member
        return "unknown"
