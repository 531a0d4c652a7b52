"""Parse one file's bytes into its cache entry, within a time limit.

The unit of work of every parse backend: this process and the local process
pool (:mod:`.local`) and the Dask workers (:mod:`.cluster`).
Never raises for bad input: a file that cannot be used comes back as an
``"error"`` entry with its reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

from runaudit.errors import ParseError
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers import parse_bytes
from runaudit.reading.sports import is_other_sport
from runaudit.reading.summary import summarize, summarize_other_sport


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

    Sport first: an activity whose file states a sport other than running
    (:func:`~runaudit.reading.sports.is_other_sport`) is read and summarised only
    as far as its bucket needs (:func:`~runaudit.reading.summary.summarize_other_sport`).
    """
    try:
        with time_limit(time_limit_s):
            parsed = parse_bytes(data, expected, sport_first=True)
            summaries = tuple(
                summarize_other_sport(a) if is_other_sport(a.sport, a.sub_sport) else summarize(a)
                for a in parsed.activities
            )
    except FileTimeout:
        reason = (
            f"took longer than {time_limit_s:g} s to read; skipped"
            " (raise the limit with Limits.max_seconds_per_file)"
        )
        return CachedFile.failed(expected, reason), None
    except ParseError as err:
        return CachedFile.failed(expected, str(err)), None
    except Exception as err:
        reason = f"could not be read ({type(err).__name__}: {err})"
        return CachedFile.failed(expected, reason), None
    entry = CachedFile(
        parsed.format, parsed.kind, parsed.file_type, tuple(parsed.problems), None, summaries
    )
    return entry, parsed


def parse_and_store(
    data: bytes,
    expected: str,
    content_hash: str | None,
    cache_root: str | None,
    time_limit_s: float | None,
) -> CachedFile:
    """:func:`parse_file_bytes`, then the file's samples written to the cache folder.

    The task the local backends run (in this process or a pool worker).
    ``cache_root`` None writes nothing; ``content_hash`` None hashes ``data``.
    """
    entry, parsed = parse_file_bytes(data, expected, time_limit_s)
    if parsed is not None and cache_root is not None:
        store_samples(Cache(cache_root), content_hash or hashlib.sha256(data).hexdigest(), parsed)
    return entry


def store_samples(cache: Cache, content_hash: str, parsed: ParsedFile) -> None:
    """Cache the samples of a file's activities, other sports left out (never raises OSError)."""
    wanted = [
        i for i, a in enumerate(parsed.activities) if not is_other_sport(a.sport, a.sub_sport)
    ]
    if wanted:
        with contextlib.suppress(OSError):
            cache.store_samples(content_hash, parsed, wanted)
