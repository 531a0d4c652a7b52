"""The safety limits on what is read, and the bounded read they all rely on.

Every guard (:mod:`.zipguard`, :mod:`.gzipguard`) and the reader take a
:class:`Limits`. A refusal names the field to raise as ``Limits.<field>``
and carries it in :attr:`LimitError.limit <runaudit.errors.LimitError>`, so
the command line can name its own option instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO


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
    follow_symlinks : bool
        Follow symbolic links inside an input folder that lead outside it
        (default False: the inputs are the export; such a link is named and
        skipped). ``--follow-symlinks`` sets it, for a coach's folder of links
        to each athlete's export.

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
    follow_symlinks: bool = False


def read_capped(handle: IO[bytes], max_bytes: int) -> bytes:
    """Read to the end, or to one byte past ``max_bytes``, in 1 MiB steps.

    ``handle.read(n)`` on a buffered file or zip member allocates ``n`` bytes
    up front, whatever is really there; small steps allocate what is read.
    A result longer than ``max_bytes`` means the input was over the limit.
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
