"""Parse one file's bytes into its cache entry, within a time limit.

The unit of work of every parse backend: the local process pool of
:mod:`runaudit.intake.pipeline` and the Dask workers of :mod:`runaudit.reading.backends.cluster`.
Never raises for bad input: a file that cannot be used comes back as an
``"error"`` entry with its reason.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.cache import CachedFile
from runaudit.reading.parsers import parse_bytes
from runaudit.reading.summary import summarize


class FileTimeout(BaseException):
    """Raised by the per-file alarm (a BaseException, so no broad ``except`` swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`FileTimeout` after ``seconds`` (main thread on POSIX only)."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise FileTimeout

    previous = signal.signal(signal.SIGALRM, _alarm)
    # Fire after ``seconds``, then again every 0.1 s in case library code swallowed it.
    signal.setitimer(signal.ITIMER_REAL, float(seconds), 0.1)  # type: ignore[arg-type]
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def parse_file_bytes(
    data: bytes, expected: str, time_limit_s: float | None = None
) -> tuple[CachedFile, Any]:
    """Parse one file's bytes and summarise its activities.

    Returns the cache entry and the :class:`~runaudit.reading.models.ParsedFile` (None
    when the file could not be parsed). Never raises for bad input; a file
    that takes longer than ``time_limit_s`` [s] is skipped with that reason.
    """
    try:
        with time_limit(time_limit_s):
            parsed = parse_bytes(data, expected)
            summaries = tuple(summarize(a) for a in parsed.activities)
    except FileTimeout:
        reason = (
            f"took longer than {time_limit_s:g} s to read; skipped"
            " (raise the limit with Limits.max_seconds_per_file)"
        )
        return CachedFile(expected, "error", None, (), reason, ()), None
    except ParseError as err:
        return CachedFile(expected, "error", None, (), str(err), ()), None
    except Exception as err:
        reason = f"could not be read ({type(err).__name__}: {err})"
        return CachedFile(expected, "error", None, (), reason, ()), None
    entry = CachedFile(
        parsed.format, parsed.kind, parsed.file_type, tuple(parsed.problems), None, summaries
    )
    return entry, parsed
