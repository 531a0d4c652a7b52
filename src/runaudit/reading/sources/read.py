"""Read one :class:`~runaudit.reading.sources.Source` into bytes, under the size limits.

Plain files are read in bounded steps; zip members through the checks of
:mod:`.zipguard`; gzip data through :func:`.gzipguard.gunzip`.
"""

from __future__ import annotations

import os

from runaudit.errors import LimitError, ParseError
from runaudit.reading.sources.discover import Source
from runaudit.reading.sources.gzipguard import gunzip
from runaudit.reading.sources.limits import Limits, read_capped
from runaudit.reading.sources.names import printable
from runaudit.reading.sources.zipguard import check_member, open_zip_chain, read_member, read_reason


def read_source(source: Source, limits: Limits | None = None) -> bytes:
    """Return the decompressed bytes of one source.

    Raises
    ------
    ParseError
        Empty file, unreadable gzip, or a zip member that cannot be read.
    LimitError
        When a size limit is exceeded (its ``limit`` names the field of :class:`Limits`).
    """
    limits = limits or Limits()
    if source.error:
        raise ParseError(source.error)
    try:
        if source.members:
            archive = open_zip_chain(source.path, source.members[:-1], limits)
            info = archive.getinfo(source.members[-1])
            check_member(info, limits, printable(source.members[-1]), file_limit=True)
            data = read_member(archive, info, limits.max_file_bytes)
        else:
            size = os.path.getsize(source.path)
            if size > limits.max_file_bytes:
                raise LimitError(
                    f"file is {size / 2**20:.0f} MiB, over the {limits.max_file_bytes / 2**20:.0f}"
                    " MiB limit (raise it with Limits.max_file_bytes)",
                    limit="max_file_bytes",
                )
            with open(source.path, "rb") as handle:
                data = read_capped(handle, limits.max_file_bytes)  # it may grow meanwhile
            if len(data) > limits.max_file_bytes:
                raise LimitError(
                    f"file grew past the {limits.max_file_bytes / 2**20:.0f} MiB limit while"
                    " being read (raise it with Limits.max_file_bytes)",
                    limit="max_file_bytes",
                )
    except ParseError:
        raise
    except Exception as err:  # zipfile raises many types for hostile members
        raise ParseError(read_reason(err, bool(source.members))) from err
    if not data:
        raise ParseError("empty file")
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, limits.max_file_bytes, limits.max_ratio)
    elif source.gz:
        # imported here: keeps ``runaudit.reading.sources`` free of the parsers (fitdecode, pandas)
        from runaudit.reading.parsers import sniff_format

        if sniff_format(data) == "unknown":  # else: a plain file with a .gz name, read as is
            raise ParseError("not gzip data although the name ends in .gz")
    if not data:
        raise ParseError("empty file")
    if len(data) > limits.max_file_bytes:
        raise LimitError(
            f"file is {len(data) / 2**20:.0f} MiB uncompressed, over the"
            f" {limits.max_file_bytes / 2**20:.0f} MiB limit (raise it with"
            " Limits.max_file_bytes)",
            limit="max_file_bytes",
        )
    return data
