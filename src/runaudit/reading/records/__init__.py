"""What the services wrote about the runner, beside the activity files.

Readers: :mod:`.strava` (``activities.csv``, ``shoes.csv``), :mod:`.garmin`
(``*_summarizedActivities.json``), :mod:`.garmin_gear` (``*_gear.json``),
:mod:`.garmin_api` (web-API JSON saved by export scripts), :mod:`.polar`
(``training-session-*.json``), :mod:`.runkeeper` (``cardioActivities.csv``) and
:mod:`.apple_health` (``export.xml``, streamed), each returning a :class:`RecordFile` of
:class:`ServiceRecord` (see :mod:`.base`); :data:`READERS` is the table
:func:`read_metadata` dispatches on by file name. :func:`read_metadata` finds those files in
the paths a user gives (folders, export zips, the files themselves) under a
size limit, reading zips through the guards of :mod:`runaudit.reading.sources.zipguard`
(the same as for activity files); :mod:`.merge` puts their runs, shoes and
surfaces beside the runs read from files.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from runaudit.errors import LimitError
from runaudit.reading.records import (
    apple_health,
    garmin,
    garmin_api,
    garmin_gear,
    polar,
    runkeeper,
    strava,
)
from runaudit.reading.records.base import (
    Problems,
    RecordFile,
    RecordReader,
    ServiceReader,
    ServiceRecord,
    map_fields,
)
from runaudit.reading.records.checks import unique
from runaudit.reading.records.strava import file_key
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
    "READERS",
    "Metadata",
    "Problems",
    "RecordFile",
    "RecordReader",
    "ServiceReader",
    "ServiceRecord",
    "file_key",
    "is_metadata_name",
    "map_fields",
    "read_metadata",
    "reader_for",
    "service_labels",
]

#: Largest metadata file read [bytes] (ten years of Garmin summaries are tens of MB).
MAX_METADATA_BYTES = 128 * 2**20

#: Every services' reader, in the order their records are merged. A new service is
#: its reader module and one line here.
READERS: tuple[ServiceReader, ...] = (
    *strava.READERS,
    *garmin.READERS,
    *garmin_gear.READERS,
    *garmin_api.READERS,
    *polar.READERS,
    *runkeeper.READERS,
    *apple_health.READERS,
)


def service_labels() -> dict[str, str]:
    """Service key → the name people know, in :data:`READERS` order.

    >>> service_labels()["strava"]
    'Strava'
    """
    return {r.service: r.label for r in READERS}


def reader_for(name: str, head: bytes | None = None) -> ServiceReader | None:
    """The reader of a file by its name (and its first bytes where names are shared).

    >>> reader_for("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json").service
    'garmin'
    >>> reader_for("activities/1.fit") is None
    True
    """
    base = PurePosixPath(name.replace("\\", "/").replace("!", "/")).name.lower()
    for reader in READERS:
        if reader.accepts(base) and (head is None or reader.sniff is None or reader.sniff(head)):
            return reader
    return None


def is_metadata_name(name: str) -> bool:
    """True for the service files :func:`read_metadata` reads.

    >>> is_metadata_name("DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json")
    True
    >>> is_metadata_name("activities/1.fit")
    False
    """
    return reader_for(name) is not None


@dataclass
class Metadata:
    """The service records found in an export.

    Attributes
    ----------
    records : list of ServiceRecord
        Every record of every service, in :data:`READERS` order, then file order.
    shoes : list of str
        Shoes the files list (Strava's ``shoes.csv``, Garmin's gear).
    problems : list of str
        Files refused (with the reason) and one line per kind of row refused
        (count and up to three examples).
    notes : list of str
        Things said once.
    files : list of str
        The metadata files read.
    refused : list of (str, str, str)
        ``(file, kind, row)`` of every row refused, for the ledger.
    unknown_types : dict of str to int
        Activity types no reader could map to a sport, with their counts.
    """

    records: list[ServiceRecord] = field(default_factory=list)
    shoes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, str]] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    gear_links: list[tuple[str, str, str]] = field(default_factory=list)
    type_gear: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, name: str, data: bytes) -> None:
        """Read one metadata file's bytes with the reader its name (and head) selects."""
        reader = reader_for(name, data[:4096])
        if reader is None:
            return
        self.add_file(name, reader.read(data, name))

    def add_file(self, name: str, parsed: RecordFile) -> None:
        """Keep what one reader made of one file."""
        self.files.append(name)
        self.records.extend(parsed.records)
        for shoe in parsed.shoes:
            if shoe not in self.shoes:
                self.shoes.append(shoe)
        self.problems.extend(parsed.problems.lines(name))
        self.refused.extend((name, kind, row) for kind, row in parsed.problems.rows)
        for note in parsed.notes:
            if note not in self.notes:
                self.notes.append(note)
        for kind, count in parsed.unknown_types:
            self.unknown_types[kind] = self.unknown_types.get(kind, 0) + count
        self.gear_links.extend(parsed.gear_links)
        self.type_gear.extend(parsed.type_gear)

    def finish(self) -> Metadata:
        """Drop repeated records (:func:`.checks.unique`), apply the gear links of
        every file to the records without a shoe; ``self``."""
        repeats = Problems()
        self.records = unique(self.records, repeats)
        self.problems.extend(repeats.lines("service records"))
        self.refused.extend(("service records", kind, row) for kind, row in repeats.rows)
        if not (self.gear_links or self.type_gear):
            return self
        by_id = {(s, rid): shoe for s, rid, shoe in self.gear_links}
        by_type = {(s, kind): shoe for s, kind, shoe in self.type_gear}
        self.records = [
            r
            if r.gear
            else replace(
                r,
                gear=by_id.get((r.service, r.record_id))
                or by_type.get((r.service, r.activity_type), ""),
            )
            for r in self.records
        ]
        return self


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
    _read_paths(meta, paths, cap, limits)
    return meta.finish()


def _read_paths(
    meta: Metadata, paths: Iterable[str | os.PathLike[str]], cap: int, limits: Limits
) -> None:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in _walk(path, limits.follow_symlinks):
                _add_file(meta, found, cap, limits)
        elif path.suffix.lower() == ".zip" and path.is_file():
            _add_zip(meta, path, cap, limits)
        elif path.is_file() and is_metadata_name(path.name):
            _add_file(meta, path, cap, limits)


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
    reader = reader_for(path.name)
    if reader is not None and (reader.sniff is not None or reader.stream is not None):
        try:
            with path.open("rb") as handle:
                reader = reader_for(path.name, handle.read(4096))
                if reader is None:
                    return
                if reader.stream is not None:
                    handle.seek(0)
                    capped = _capped(handle, limits.max_total_bytes, printable(str(path)))
                    meta.add_file(str(path), reader.stream(capped, str(path)))
                    return
        except OSError as err:
            meta.problems.append(f"{printable(str(path))}: cannot be read ({err.strerror})")
            return
        except LimitError as err:
            meta.problems.append(f"{err}; not read")
            return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            meta.problems.append(
                f"{printable(str(path))}: {size / 2**20:,.3g} MiB, over the"
                f" {max_bytes / 2**20:,.3g} MiB limit for service records; not read"
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
            reader = reader_for(info.filename)
            if reader is not None and (reader.sniff is not None or reader.stream is not None):
                try:
                    if not _add_streamed(meta, archive, info, name, reader, limits):
                        continue
                except LimitError as err:
                    meta.problems.append(f"{err}; not read")
                    continue
                except Exception as err:  # damaged, encrypted, unsupported compression...
                    meta.problems.append(f"{name}: {read_reason(err, member=True)}")
                    continue
            try:
                check_member(info, limits, name, file_limit=True)
                if info.file_size > max_bytes:
                    raise LimitError(
                        f"zip member {name} declares {info.file_size / 2**20:,.3g} MiB, over"
                        f" the {max_bytes / 2**20:,.3g} MiB limit for service records",
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


def _add_streamed(
    meta: Metadata,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    reader: ServiceReader,
    limits: Limits,
) -> bool:
    """Sniff a member shared by several services, stream one too large to hold.

    Returns False when the member is no service's file, True when it still needs
    reading whole (a sniffed reader without ``stream``); a streamed member is read
    here, under the export's total limit (``Limits.max_total_bytes``) and the
    compression-ratio guard.

    Raises
    ------
    LimitError
        From the zip guards or past the member size limit while streaming.
    """
    with archive.open(info) as handle:  # 4 KiB decompressed, whatever the member declares
        found = reader_for(info.filename, handle.read(4096))
    if found is None:
        return False
    if found.stream is None:
        check_member(info, limits, name)
        return True
    # Streamed, never held: the export's whole budget is its limit (an Apple Health
    # export.xml runs to several GB), the ratio guard as for any member.
    check_member(info, replace(limits, max_member_bytes=limits.max_total_bytes), name)
    with archive.open(info) as handle:
        meta.add_file(name, found.stream(_capped(handle, limits.max_total_bytes, name), name))
    return False


def _capped(raw: IO[bytes], max_bytes: int, name: str) -> IO[bytes]:
    return io.BufferedReader(_Capped(raw, max_bytes, name), buffer_size=2**20)


class _Capped(io.RawIOBase):
    """A binary stream that raises :class:`LimitError` past ``max_bytes``."""

    def __init__(self, raw: IO[bytes], max_bytes: int, name: str) -> None:
        self._raw, self._left, self._name, self._max = raw, max_bytes, name, max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            raise LimitError(
                f"{self._name} runs past {self._max / 2**30:,.1f} GiB (raise it with"
                " Limits.max_total_bytes)",
                limit="max_total_bytes",
            )
        buffer[: len(data)] = data
        return len(data)
