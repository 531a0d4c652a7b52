"""Zip guards: nothing in a stranger's zip is trusted before it is checked.

This module is one of the two security guards of :mod:`runaudit.reading.sources`
(with :mod:`.gzipguard`); it imports no discovery code, so it can be reviewed
alone. It

* counts a zip's directory before :mod:`zipfile` parses it
  (:func:`check_directory`);
* checks every member's declared size and compression ratio before a byte is
  decompressed (:func:`check_member`), and never trusts the declared size
  while reading (:func:`read_member`);
* lets nested zips share one budget of members and declared bytes
  (:class:`Budget`) and nest only :attr:`Limits.max_zip_depth` deep
  (:func:`depth_refusal`);
* refuses member names that point outside the archive (``../``, ``/abs``,
  ``C:\\``; :func:`safe_member_name`) — no member is ever written out;
* opens nested zips in place: a stored one through a window onto its parent,
  a compressed one decompressed in bounded steps, into an anonymous temporary
  file past :data:`SPOOL_BYTES` (:func:`nested_file`);
* words what :mod:`zipfile` raises for hostile members, encrypted ones
  included, as one line (:func:`zip_reason`, :func:`read_reason`).

Each refusal that a user can lift names the limit as ``Limits.<field>``.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import IO, Any

from runaudit.errors import LimitError, ParseError
from runaudit.reading.sources.limits import Limits, read_capped
from runaudit.reading.sources.names import printable

ZIP_SLIP_REASON = "zip member name points outside the archive (zip-slip); refused"

#: Nested zips larger than this are buffered in an anonymous temporary file
#: instead of memory [bytes] (a Garmin export's UploadedFiles parts reach GBs).
SPOOL_BYTES = 64 * 2**20

_DRIVE = re.compile(r"\A[A-Za-z]:")


def check_member(
    info: zipfile.ZipInfo, limits: Limits, name: str, *, file_limit: bool = False
) -> None:
    """Refuse a member by what the zip declares, before anything is decompressed.

    ``file_limit`` applies the (smaller) activity-file limit instead of the
    member limit meant for nested zips.

    Raises
    ------
    LimitError
        With ``limit`` ``"max_ratio"``, ``"max_file_bytes"`` or ``"max_member_bytes"``.
    """
    if info.file_size > 2**20:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise LimitError(
                f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB compressed"
                f" {ratio:,.0f}:1, a zip bomb pattern (limit {limits.max_ratio:.0f}:1,"
                " raise it with Limits.max_ratio)",
                limit="max_ratio",
            )
    if file_limit and info.file_size > limits.max_file_bytes:
        raise LimitError(
            f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB, over the"
            f" {limits.max_file_bytes / 2**20:.0f} MiB file limit (raise it with"
            " Limits.max_file_bytes)",
            limit="max_file_bytes",
        )
    if info.file_size > limits.max_member_bytes:
        raise LimitError(
            f"zip member {name} declares {info.file_size / 2**20:,.0f} MiB, over the"
            f" {limits.max_member_bytes / 2**20:.0f} MiB member limit (raise it with"
            " Limits.max_member_bytes)",
            limit="max_member_bytes",
        )


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """Read a member, never trusting its declared size: stop past ``max_bytes``."""
    with archive.open(info) as handle:
        data = read_capped(handle, max_bytes)
    if len(data) > max_bytes:
        name = printable(info.filename)
        raise LimitError(f"zip member {name} expands past its declared size limit")
    return data


def safe_member_name(name: str) -> bool:
    """False for names that would land outside a folder they were extracted to.

    >>> safe_member_name("activities/1.fit"), safe_member_name("../1.fit")
    (True, False)
    """
    posix = name.replace("\\", "/")
    return not (posix.startswith("/") or ".." in PurePosixPath(posix).parts or _DRIVE.match(posix))


class BudgetExceeded(LimitError):
    """A limit of the outermost zip: refuses the whole zip, not just a nested one."""


@dataclass
class Budget:
    """Members and declared bytes counted so far across one zip and its nested zips."""

    members: int = 0
    declared: int = 0

    def add(self, infos: Sequence[zipfile.ZipInfo], limits: Limits) -> None:
        """Count the members of one (nested) zip.

        Raises
        ------
        BudgetExceeded
            When the members or declared bytes of the whole zip pass
            ``limits.max_zip_members`` or ``limits.max_total_bytes``.
        """
        self.members += len(infos)
        self.declared += sum(i.file_size for i in infos)
        if self.members > limits.max_zip_members:
            raise BudgetExceeded(
                f"zip lists {self.members:,} members (nested zips included), over the"
                f" {limits.max_zip_members:,} limit (raise it with Limits.max_zip_members)",
                limit="max_zip_members",
            )
        if self.declared > limits.max_total_bytes:
            raise BudgetExceeded(
                f"zip declares {self.declared / 2**30:,.1f} GiB uncompressed (nested zips"
                f" included), over the {limits.max_total_bytes / 2**30:.0f} GiB limit (raise it"
                " with Limits.max_total_bytes)",
                limit="max_total_bytes",
            )


def depth_refusal(depth: int, limits: Limits) -> str | None:
    """Why a zip found ``depth`` zips deep is refused, or None when it may be opened."""
    if depth < limits.max_zip_depth:
        return None
    return (
        f"zip nested more than {limits.max_zip_depth} levels deep; refused (a"
        " zip-quine/bomb pattern; raise it with Limits.max_zip_depth)"
    )


def check_directory(handle: IO[bytes], limits: Limits, name: str) -> None:
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
        raise BudgetExceeded(
            f"{name} lists {count:,} members, over the {limits.max_zip_members:,} limit"
            " (raise it with Limits.max_zip_members)",
            limit="max_zip_members",
        )


def open_zip_chain(path: str, members: tuple[str, ...], limits: Limits) -> zipfile.ZipFile:
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
        check_directory(handle, limits, "zip")
    archive = zipfile.ZipFile(path)
    for member in members:
        info = archive.getinfo(member)
        check_member(info, limits, printable(member))
        inner = nested_file(archive, info, limits.max_member_bytes)
        check_directory(inner, limits, "nested zip")
        archive = zipfile.ZipFile(inner)
    return archive


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


def nested_file(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> IO[bytes]:
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


def zip_reason(err: Exception) -> str:
    """One line for an error raised while opening or listing a (nested) zip."""
    if isinstance(err, ParseError):
        return str(err)
    detail = str(err) or type(err).__name__
    return f"not a readable zip file ({printable(detail)[:200]})"


def read_reason(err: Exception, member: bool) -> str:
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
