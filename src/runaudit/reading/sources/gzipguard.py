"""Bounded gunzip: gzip data is decompressed in small steps under a ratio guard.

This module is one of the two security guards of :mod:`runaudit.reading.sources`
(with :mod:`.zipguard`); it imports no discovery code, so it can be reviewed
alone. A gzip bomb is refused after about 1 MiB of work and memory.
"""

from __future__ import annotations

import zlib

from runaudit.errors import LimitError, ParseError
from runaudit.reading.sources.limits import Limits

#: Compressed bytes fed to zlib per step, and most bytes it may return per step.
_GZ_IN, _GZ_OUT = 64 * 2**10, 2**20


def gunzip(data: bytes, max_bytes: int, max_ratio: float = Limits.max_ratio) -> bytes:
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
        Output over ``max_bytes`` (``limit="max_file_bytes"``) or a
        compression ratio over ``max_ratio`` (``limit="max_ratio"``).
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
                    " (raise it with Limits.max_file_bytes)",
                    limit="max_file_bytes",
                )
            if len(out) > 2**20 and len(out) > max_ratio * max(consumed, 1):
                raise LimitError(
                    f"gzip data expands more than {max_ratio:.0f}:1, a compression-bomb"
                    " pattern (raise the limit with Limits.max_ratio)",
                    limit="max_ratio",
                )
        start = pos - len(tail) - len(decomp.unused_data)
    if start == 0:
        raise ParseError("damaged gzip data (no gzip header)")
    return bytes(out)


def _truncated_gzip(out: bytearray, at: int) -> bytes:
    # imported here: keeps ``runaudit.reading.sources`` free of the parsers (fitdecode, pandas)
    from runaudit.reading.parsers import sniff_format

    if sniff_format(bytes(out[:12])) == "fit":
        return bytes(out)
    raise ParseError(f"gzip data ends early (truncated at byte {at})")


def _zlib_detail(err: zlib.error) -> str:
    text = str(err)
    return text.split(": ", 1)[-1] if "while decompressing" in text else text
