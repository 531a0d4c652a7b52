"""Find the activity files behind the paths a user gives.

A path may be a file (``.fit``, ``.gpx``, ``.tcx``, each optionally ``.gz``,
any case), a folder (searched recursively) or a bulk-export ``.zip`` (Strava
or Garmin Connect, zips nested in zips included). Activity files inside zips
are read in memory, never extracted, under the size limits of :class:`Limits`;
a large compressed nested zip is buffered in an anonymous temporary file that
the operating system removes (see :func:`_nested_file`).

Strava exports carry ``activities.csv`` whose *Activity Type* gives the sport
of files that do not state it; it is attached to each :class:`Source` as
``sport_hint``.

Nothing from a stranger's export is trusted: zip directories are counted
before they are parsed, every member's declared size and compression ratio
is checked before a byte is decompressed, nested zips share one budget of
members and bytes and may nest only :attr:`Limits.max_zip_depth` deep,
gzip data is decompressed in small steps with the same ratio guard, member
names that point outside the archive (``../``, ``/abs``, ``C:\\``) are refused,
and no member is ever written out as a file. Each refusal names the limit and
how to raise it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

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
    max_zip_depth : int
        Deepest nesting of zips inside a zip (default 4; a Garmin export
        nests one level). Deeper nesting is a zip-quine/bomb pattern.

    Raise a limit with ``Limits(max_file_bytes=...)`` from Python or the
    matching ``--max-*`` option / ``[limits]`` table of the config file.
    The member count and byte limits hold for one zip *including* the zips
    nested in it, and the ratio limit also applies to gzip data.
    """

    max_file_bytes: int = 256 * 2**20
    max_zip_members: int = 200_000
    max_member_bytes: int = 2 * 2**30
    max_total_bytes: int = 20 * 2**30
    max_ratio: float = 200.0
    max_seconds_per_file: float = 120.0
    max_zip_depth: int = 4


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
    error : str or None
        Why this entry was refused while the zip was listed (a nested zip
        that cannot be opened or nests too deep, a zip-slip name);
        :func:`read_source` raises it, so the entry is skipped with this reason.
    """

    path: str
    members: tuple[str, ...] = ()
    format: str = "unknown"
    gz: bool = False
    sport_hint: str | None = field(default=None, compare=False)
    error: str | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        """Display name: ``export.zip!activities/123.fit.gz`` for zip members.

        Control characters (a stranger's file name may carry terminal escape
        sequences or newlines) are shown escaped.
        """
        return printable("!".join((self.path, *self.members)))


def printable(text: str) -> str:
    r"""Return ``text`` with non-printable characters escaped, safe for a terminal.

    >>> printable("run\x1b[2J.fit")
    'run\\x1b[2J.fit'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


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
        hints = _folder_hints(path, limits) if path.is_dir() else {}
        for file in files:
            explicit = file == path
            lower = file.name.lower()
            if lower.endswith(".zip"):
                try:
                    found, zip_ignored = _zip_sources(str(file), (), limits, _Budget())
                except Exception as err:  # a hostile zip may raise anything zipfile can
                    skipped.append((printable(str(file)), _zip_reason(err)))
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
    if source.error:
        raise ParseError(source.error)
    try:
        if source.members:
            archive = _open_zip_chain(source.path, source.members[:-1], limits)
            info = archive.getinfo(source.members[-1])
            _check_member(info, limits, printable(source.members[-1]), file_limit=True)
            data = _read_member(archive, info, limits.max_file_bytes)
        else:
            size = os.path.getsize(source.path)
            if size > limits.max_file_bytes:
                raise LimitError(
                    f"file is {size / 2**20:.0f} MiB, over the {limits.max_file_bytes / 2**20:.0f}"
                    " MiB limit (raise it with --max-file-mb)"
                )
            with open(source.path, "rb") as handle:
                data = _read_capped(handle, limits.max_file_bytes)  # it may grow meanwhile
            if len(data) > limits.max_file_bytes:
                raise LimitError(
                    f"file grew past the {limits.max_file_bytes / 2**20:.0f} MiB limit while"
                    " being read (raise it with --max-file-mb)"
                )
    except ParseError:
        raise
    except Exception as err:  # zipfile raises many types for hostile members
        raise ParseError(_read_reason(err, bool(source.members))) from err
    if not data:
        raise ParseError("empty file")
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, limits.max_file_bytes, limits.max_ratio)
    elif source.gz:
        from .parsers import sniff_format

        if sniff_format(data) == "unknown":  # else: a plain file with a .gz name, read as is
            raise ParseError("not gzip data although the name ends in .gz")
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
    except Exception:  # unreadable: passed over like any other non-activity member
        return "unknown"


def _zip_reason(err: Exception) -> str:
    if isinstance(err, ParseError):
        return str(err)
    detail = str(err) or type(err).__name__
    return f"not a readable zip file ({printable(detail)[:200]})"


def _read_reason(err: Exception, member: bool) -> str:
    """One line for an error raised while reading a file or (``member``) a zip member."""
    detail = printable(str(err) or type(err).__name__)[:200]
    if isinstance(err, RuntimeError) and "encrypted" in str(err):
        return "zip member is encrypted (password-protected); it cannot be read"
    if isinstance(err, NotImplementedError):
        return f"zip member uses an unsupported compression method ({detail})"
    if member or isinstance(err, zipfile.BadZipFile | zlib.error | EOFError):
        return f"zip member is damaged ({detail})"
    if isinstance(err, OSError):
        return f"could not be read ({detail})"
    return f"could not be read ({type(err).__name__}: {detail})"


#: Compressed bytes fed to zlib per step, and most bytes it may return per step.
_GZ_IN, _GZ_OUT = 64 * 2**10, 2**20


def _gunzip(data: bytes, max_bytes: int, max_ratio: float = Limits.max_ratio) -> bytes:
    """Decompress gzip data in small steps, refusing bombs early.

    Output is capped at ``max_bytes``, and once past 1 MiB the output may not
    exceed ``max_ratio`` times the compressed bytes consumed, so a gzip bomb
    is refused after about 1 MiB of work and memory. Concatenated gzip
    members are joined; bytes after the last member are ignored. A gzip
    stream cut short returns what it held when that is a FIT file (its own
    check then reports the truncation and keeps the records), else fails.

    Raises
    ------
    ParseError
        Damaged or truncated gzip data.
    LimitError
        Output over ``max_bytes`` or a compression ratio over ``max_ratio``.
    """
    out = bytearray()
    view = memoryview(data)
    start = 0
    while start < len(view) and bytes(view[start : start + 2]) == b"\x1f\x8b":
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pos = start
        tail: bytes | memoryview = b""
        while not decomp.eof:
            if not tail:
                if pos >= len(view):
                    return _truncated_gzip(out, pos)
                tail, pos = view[pos : pos + _GZ_IN], min(pos + _GZ_IN, len(view))
            try:
                piece = decomp.decompress(tail, _GZ_OUT)
            except zlib.error as err:
                raise ParseError(f"damaged gzip data ({_zlib_detail(err)})") from err
            tail = decomp.unconsumed_tail
            out += piece
            consumed = pos - len(tail)
            if len(out) > max_bytes:
                raise LimitError(
                    f"gzip data expands past the {max_bytes / 2**20:.0f} MiB file limit"
                    " (raise it with --max-file-mb)"
                )
            if len(out) > 2**20 and len(out) > max_ratio * max(consumed, 1):
                raise LimitError(
                    f"gzip data expands more than {max_ratio:.0f}:1, a compression-bomb"
                    " pattern (raise the limit with --max-zip-ratio)"
                )
        start = pos - len(tail) - len(decomp.unused_data)
    if start == 0:
        raise ParseError("damaged gzip data (no gzip header)")
    return bytes(out)


def _truncated_gzip(out: bytearray, at: int) -> bytes:
    from .parsers import sniff_format

    if sniff_format(bytes(out[:12])) == "fit":
        return bytes(out)
    raise ParseError(f"gzip data ends early (truncated at byte {at})")


def _zlib_detail(err: zlib.error) -> str:
    text = str(err)
    return text.split(": ", 1)[-1] if "while decompressing" in text else text


def _check_member(
    info: zipfile.ZipInfo, limits: Limits, name: str, *, file_limit: bool = False
) -> None:
    """Refuse a member by what the zip declares, before anything is decompressed.

    ``file_limit`` applies the (smaller) activity-file limit instead of the
    member limit meant for nested zips.
    """
    if info.file_size > 2**20:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise LimitError(
                f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB compressed"
                f" {ratio:,.0f}:1, a zip bomb pattern (limit {limits.max_ratio:.0f}:1,"
                " raise it with --max-zip-ratio)"
            )
    if file_limit and info.file_size > limits.max_file_bytes:
        raise LimitError(
            f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB, over the"
            f" {limits.max_file_bytes / 2**20:.0f} MiB file limit (raise it with --max-file-mb)"
        )
    if info.file_size > limits.max_member_bytes:
        raise LimitError(
            f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB, over the"
            f" {limits.max_member_bytes / 2**20:.0f} MiB member limit (raise it with"
            " --max-member-mb)"
        )


def _read_capped(handle: IO[bytes], max_bytes: int) -> bytes:
    """Read to the end, or to one byte past ``max_bytes``, in 1 MiB steps.

    ``handle.read(n)`` on a buffered file or zip member allocates ``n`` bytes
    up front, whatever is really there; small steps allocate what is read.
    """
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = handle.read(min(2**20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """Read a member, never trusting its declared size: stop past ``max_bytes``."""
    with archive.open(info) as handle:
        data = _read_capped(handle, max_bytes)
    if len(data) > max_bytes:
        name = printable(info.filename)
        raise LimitError(f"zip member {name} expands past its declared size limit")
    return data


_DRIVE = re.compile(r"\A[A-Za-z]:")


ZIP_SLIP_REASON = "zip member name points outside the archive (zip-slip); refused"


def _safe_member_name(name: str) -> bool:
    """False for names that would land outside a folder they were extracted to."""
    posix = name.replace("\\", "/")
    return not (posix.startswith("/") or ".." in PurePosixPath(posix).parts or _DRIVE.match(posix))


@dataclass
class _Budget:
    """Members and declared bytes counted so far across one zip and its nested zips."""

    members: int = 0
    declared: int = 0


class _BudgetExceeded(LimitError):
    """A limit of the outermost zip: refuses the whole zip, not just a nested one."""


def _check_directory(handle: IO[bytes], limits: Limits, name: str) -> None:
    """Refuse a zip listing too many members *before* zipfile parses its directory."""
    find_end = getattr(zipfile, "_EndRecData", None)
    if find_end is None:  # pragma: no cover - private helper of the zipfile module
        return
    end = find_end(handle)
    handle.seek(0)
    if end is None:
        return  # not a zip: zipfile says so in its own words
    count = end[getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)]
    if count > limits.max_zip_members:
        raise _BudgetExceeded(
            f"{name} lists {count:,} members, over the {limits.max_zip_members:,} limit"
            " (raise it with --max-zip-members)"
        )


def _open_zip_chain(path: str, members: tuple[str, ...], limits: Limits) -> zipfile.ZipFile:
    """Open ``path`` and the nested zips named by ``members`` (cached while unchanged)."""
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, 0)
    return _open_zip_chain_cached(path, stamp, members, limits)


@lru_cache(maxsize=2)
def _open_zip_chain_cached(
    path: str, stamp: tuple[int, int], members: tuple[str, ...], limits: Limits
) -> zipfile.ZipFile:
    """Open ``path`` and the nested zips named by ``members``.

    Cached per process (keyed by the file's mtime and size) so that reading
    many members of one nested export zip opens the inner zip once.
    """
    with open(path, "rb") as handle:
        _check_directory(handle, limits, "zip")
    archive = zipfile.ZipFile(path)
    for member in members:
        info = archive.getinfo(member)
        _check_member(info, limits, printable(member))
        inner = _nested_file(archive, info, limits.max_member_bytes)
        _check_directory(inner, limits, "nested zip")
        archive = zipfile.ZipFile(inner)
    return archive


#: Nested zips larger than this are buffered in an anonymous temporary file
#: instead of memory [bytes] (a Garmin export's UploadedFiles parts reach GBs).
SPOOL_BYTES = 64 * 2**20


class _Window(io.RawIOBase):
    """A read-only view of ``length`` bytes at ``offset`` of a seekable file."""

    def __init__(self, raw: IO[bytes], offset: int, length: int, owner: object = None) -> None:
        self._raw, self._offset, self._length, self._pos = raw, offset, length, 0
        self._owner = owner  # keeps the parent zip (and so ``raw``) open while in use

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        count = max(0, min(len(buffer), self._length - self._pos))
        if count == 0:
            return 0
        self._raw.seek(self._offset + self._pos)
        data = self._raw.read(count)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


def _nested_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> IO[bytes]:
    """A seekable file holding a nested zip, without loading a large one into memory.

    A stored (uncompressed) member is a window onto its parent; a compressed
    one is decompressed in bounded steps into memory, or into an anonymous
    temporary file past :data:`SPOOL_BYTES`.
    """
    parent = archive.fp
    if info.compress_type == zipfile.ZIP_STORED and parent is not None and not info.flag_bits & 1:
        parent.seek(info.header_offset)
        local = parent.read(30)
        if len(local) == 30 and local[:4] == b"PK\x03\x04":
            name_len, extra_len = (
                int.from_bytes(local[26:28], "little"),
                int.from_bytes(local[28:30], "little"),
            )
            start = info.header_offset + 30 + name_len + extra_len
            return io.BufferedReader(_Window(parent, start, info.compress_size, archive))
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - kept open
    written = 0
    with archive.open(info) as handle:
        while chunk := handle.read(2**20):
            written += len(chunk)
            if written > max_bytes:
                raise LimitError(
                    f"zip member {printable(info.filename)} expands past its declared size limit"
                )
            spool.write(chunk)
    spool.seek(0)
    return spool


def _zip_sources(
    path: str, chain: tuple[str, ...], limits: Limits, budget: _Budget
) -> tuple[list[Source], int]:
    archive = _open_zip_chain(path, chain, limits)
    infos = archive.infolist()
    budget.members += len(infos)
    budget.declared += sum(i.file_size for i in infos)
    if budget.members > limits.max_zip_members:
        raise _BudgetExceeded(
            f"zip lists {budget.members:,} members (nested zips included), over the"
            f" {limits.max_zip_members:,} limit (raise it with --max-zip-members)"
        )
    if budget.declared > limits.max_total_bytes:
        raise _BudgetExceeded(
            f"zip declares {budget.declared / 2**30:,.1f} GiB uncompressed (nested zips"
            f" included), over the {limits.max_total_bytes / 2**30:.0f} GiB limit (raise it"
            " with --max-total-gb)"
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
            sources.append(Source(path, (*chain, name), error=ZIP_SLIP_REASON))
            continue
        lower = name.lower()
        if lower.endswith(".zip"):
            if len(chain) >= limits.max_zip_depth:
                reason = (
                    f"zip nested more than {limits.max_zip_depth} levels deep; refused (a"
                    " zip-quine/bomb pattern; raise it with --max-zip-depth)"
                )
                sources.append(Source(path, (*chain, name), error=reason))
                continue
            try:
                nested, nested_ignored = _zip_sources(path, (*chain, name), limits, budget)
            except _BudgetExceeded:
                raise
            except Exception as err:  # one broken nested zip does not sink the export
                reason = f"nested zip could not be opened: {_zip_reason(err)}"
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
            try:
                _check_member(info, limits, "activities.csv", file_limit=True)
                data = _read_member(archive, info, limits.max_file_bytes)
            except Exception:  # the files are still read, only without sport hints
                return {}
            return parse_strava_csv(data.decode("utf-8-sig", "replace"))
    return {}


def _folder_hints(folder: Path, limits: Limits) -> dict[str, str]:
    hints: dict[str, str] = {}
    for csv_path in _iter_named(folder, "activities.csv"):
        try:
            if csv_path.stat().st_size > limits.max_file_bytes:
                continue
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
                hints[_hint_key(filename)] = kind
    except csv.Error:  # a damaged line (oversized field...): keep the rows before it
        pass
    return hints
