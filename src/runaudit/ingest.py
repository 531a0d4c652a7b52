"""From paths to classified activities: read, parse (parallel, cached), sort into buckets.

:func:`ingest` is the only entry point most callers need. It returns an
:class:`Ingest`: the ``activities`` table, each run's cadence histogram and
the ledger that puts every input file in exactly one bucket.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .cache import Cache, CachedFile
from .classify import classify
from .errors import ParseError
from .metadata import read_metadata
from .metadata.merge import MetadataAccount, merge_metadata
from .models import BUCKETS, with_time_column
from .parsers import parse_bytes
from .sources import Discovery, Limits, Source, discover, read_source
from .summary import summarize


@dataclass(frozen=True)
class LedgerEntry:
    """Where one input file ended up.

    Attributes
    ----------
    source : str
        The file (``export.zip!activities/1.fit.gz`` for zip members).
    bucket : str
        ``"run"``, ``"duplicate"``, ``"other_sport"``, ``"not_activity"`` or ``"skipped"``.
    reason : str
        One line a person understands.
    format : str
    activity_ids : tuple of str
        The runs this file contributed (empty unless bucket is ``"run"``).
    """

    source: str
    bucket: str
    reason: str
    format: str = "unknown"
    activity_ids: tuple[str, ...] = ()


@dataclass
class FileOutcome:
    """One file after reading and parsing (compact: summaries, no samples)."""

    source: Source
    content_hash: str | None
    entry: CachedFile
    from_cache: bool = False


@dataclass
class Ingest:
    """The result of :func:`ingest`.

    Attributes
    ----------
    activities : pandas.DataFrame
        One row per kept run (columns in :data:`runaudit.tables.ACTIVITY_COLUMNS`).
    ledger : list of LedgerEntry
        Exactly one entry per input file.
    cadence_hist : dict
        activity_id → (cadence bins [spm], seconds [s]) of its running samples.
    ignored : int
        Files passed over quietly as not activity files (photos, JSON...).
    parsed, cached : int
        How many files were parsed this run and how many came from the cache.
    """

    activities: pd.DataFrame
    ledger: list[LedgerEntry]
    cadence_hist: dict[str, tuple[list[int], list[float]]] = field(default_factory=dict)
    ignored: int = 0
    parsed: int = 0
    cached: int = 0
    tz_note: str = ""
    origins: dict[str, tuple[Source, int]] = field(default_factory=dict, repr=False)
    cache_dir: str | None = None
    limits: Limits = field(default_factory=Limits, repr=False)
    metadata: MetadataAccount = field(default_factory=MetadataAccount, repr=False)

    def samples(self, activity_id: str) -> pd.DataFrame:
        """Per-sample data of one activity, from the cache or by reading its file again.

        Returns
        -------
        pandas.DataFrame
            ``time`` (UTC), ``time_s`` [s since epoch], ``lat_deg``, ``lon_deg``,
            ``altitude_m``, ``distance_m``, ``speed_mps``, ``cadence_spm``,
            ``heart_rate_bpm``.

        Raises
        ------
        KeyError
            For an activity_id this ingest did not see.
        ParseError
            When the file can no longer be read.
        """
        if activity_id not in self.origins:
            raise KeyError(f"unknown activity_id {activity_id!r}")
        source, index = self.origins[activity_id]
        data = read_source(source, self.limits)
        if self.cache_dir is not None:
            cached = Cache(self.cache_dir).load_samples(hashlib.sha256(data).hexdigest())
            if cached is not None and "activity_index" in cached:
                frame = cached[cached["activity_index"] == index].drop(columns="activity_index")
                return with_time_column(frame.reset_index(drop=True))
        parsed = parse_bytes(data, source.format)
        return parsed.activities[index].samples_frame()

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {b}" for b, n in self.counts().items() if n)
        return f"<Ingest: {len(self.activities)} runs from {len(self.ledger)} files ({counts})>"

    def counts(self) -> dict[str, int]:
        """Number of files in each bucket, every bucket present."""
        out: dict[str, int] = dict.fromkeys(BUCKETS, 0)
        for entry in self.ledger:
            out[entry.bucket] += 1
        return out

    def summary_lines(self) -> list[str]:
        """The ingest summary as printed on stderr: a count line, then one line per
        skipped file and per duplicate with its reason."""
        c = self.counts()
        total = sum(c.values())
        runs = len(self.activities)
        head = (
            f"{plural(total, 'file')}: {plural(c['run'], 'run file')}"
            + (f" ({plural(runs, 'run')})" if runs != c["run"] else "")
            + f", {plural(c['duplicate'], 'duplicate')}, {plural(c['other_sport'], 'other sport')},"
            f" {plural(c['not_activity'], 'non-activity file')}, {c['skipped']} skipped"
        )
        if self.ignored:
            head += f" ({plural(self.ignored, 'other file')} such as .json/.csv passed over)"
        lines = [head]
        for entry in self.ledger:
            if entry.bucket in ("skipped", "duplicate"):
                lines.append(f"{entry.bucket}: {entry.source}: {entry.reason}")
        if self.tz_note:
            lines.append(self.tz_note)
        lines.extend(self.metadata.lines())
        return lines

    def ledger_frame(self) -> pd.DataFrame:
        """The ledger as a DataFrame (source, bucket, reason, format, activity_ids)."""
        return pd.DataFrame(
            [
                {
                    "source": e.source,
                    "bucket": e.bucket,
                    "reason": e.reason,
                    "format": e.format,
                    "activity_ids": ",".join(e.activity_ids),
                }
                for e in self.ledger
            ],
            columns=["source", "bucket", "reason", "format", "activity_ids"],
        )


ProgressFn = Callable[[int, int], None]


def plural(n: int, noun: str) -> str:
    """``"1 file"``, ``"2 files"``.

    >>> plural(1, "run file"), plural(3, "duplicate")
    ('1 run file', '3 duplicates')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class _FileTimeout(BaseException):
    """Raised by the per-file alarm (a BaseException, so no broad ``except`` swallows it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_FileTimeout` after ``seconds`` (main thread on POSIX only)."""
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
        raise _FileTimeout

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

    Returns the cache entry and the :class:`~runaudit.models.ParsedFile` (None
    when the file could not be parsed). Never raises for bad input; a file
    that takes longer than ``time_limit_s`` [s] is skipped with that reason.
    """
    try:
        with _time_limit(time_limit_s):
            parsed = parse_bytes(data, expected)
            summaries = tuple(summarize(a) for a in parsed.activities)
    except _FileTimeout:
        reason = (
            f"took longer than {time_limit_s:g} s to read; skipped"
            " (raise the limit with --file-timeout)"
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


def _worker(
    data: bytes, expected: str, content_hash: str, cache_root: str | None, time_limit_s: float
) -> CachedFile:
    entry, parsed = parse_file_bytes(data, expected, time_limit_s)
    if parsed is not None and cache_root is not None and parsed.activities:
        with contextlib.suppress(OSError):
            Cache(cache_root).store_samples(content_hash, parsed)
    return entry


def default_jobs() -> int:
    """All cores (``os.process_cpu_count`` where available)."""
    counter = getattr(os, "process_cpu_count", None) or os.cpu_count
    return max(1, counter() or 1)


def read_all(
    sources: Sequence[Source],
    *,
    limits: Limits,
    cache: Cache | None,
    jobs: int,
    progress: ProgressFn | None = None,
) -> list[FileOutcome]:
    """Read and parse every source; results in the order of ``sources``.

    Files found in the cache are not parsed. The rest are parsed in ``jobs``
    processes (in this process when ``jobs`` is 1), with at most a few files'
    bytes in flight at once, so memory stays bounded on large exports.
    """
    outcomes: list[FileOutcome | None] = [None] * len(sources)
    limit_s = limits.max_seconds_per_file
    done = 0
    cache_root = str(cache.root.parent) if cache is not None else None
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    pending: dict[Future[CachedFile], tuple[int, str]] = {}

    def finish(index: int, content_hash: str | None, entry: CachedFile, hit: bool) -> None:
        nonlocal done
        outcomes[index] = FileOutcome(sources[index], content_hash, entry, hit)
        if cache is not None and content_hash is not None and not hit:
            cache.put(content_hash, entry)
        done += 1
        if progress is not None:
            progress(done, len(sources))

    def drain(limit: int) -> None:
        while len(pending) > limit:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                index, content_hash = pending.pop(future)
                try:
                    entry = future.result()
                except Exception as err:
                    reason = f"could not be read ({type(err).__name__}: {err})"
                    entry = CachedFile(sources[index].format, "error", None, (), reason, ())
                finish(index, content_hash, entry, False)

    try:
        for index, source in enumerate(sources):
            try:
                data = read_source(source, limits)
            except ParseError as err:
                finish(
                    index, None, CachedFile(source.format, "error", None, (), str(err), ()), False
                )
                continue
            content_hash = hashlib.sha256(data).hexdigest()
            cached = cache.get(content_hash) if cache is not None else None
            if cached is not None:
                finish(index, content_hash, cached, True)
                continue
            if pool is None:
                entry = _worker(data, source.format, content_hash, cache_root, limit_s)
                finish(index, content_hash, entry, False)
                continue
            future = pool.submit(_worker, data, source.format, content_hash, cache_root, limit_s)
            pending[future] = (index, content_hash)
            drain(4 * jobs)
        drain(0)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    if cache is not None:
        with contextlib.suppress(OSError):
            cache.flush()
    return [o for o in outcomes if o is not None]


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    *,
    tz: str | None = None,
    jobs: int | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    limits: Limits | None = None,
    progress: ProgressFn | None = None,
) -> Ingest:
    """Read an export (files, folders, zips) into classified activities.

    Parameters
    ----------
    paths : iterable of path-like
    tz : str, optional
        IANA time zone (``"Europe/Berlin"``) that overrides every file's own
        offset for local times and weeks.
    jobs : int, optional
        Parser processes; all cores by default, 1 parses in this process.
    cache_dir : path-like, optional
        Cache folder (default ``$RUNAUDIT_CACHE_DIR`` or the user cache dir).
    use_cache : bool
        False parses everything and writes no cache.
    limits : Limits, optional
        Safety limits on file and zip sizes.
    progress : callable, optional
        Called as ``progress(done, total)`` after each file.

    Returns
    -------
    Ingest

    Raises
    ------
    InputError
        When a path does not exist or ``tz`` is not a known time zone.
    """
    limits = limits or Limits()
    paths = list(paths)
    found: Discovery = discover(paths, limits)
    cache = Cache(cache_dir) if use_cache else None
    outcomes = read_all(
        found.sources,
        limits=limits,
        cache=cache,
        jobs=jobs or default_jobs(),
        progress=progress,
    )
    result = classify(outcomes, tz=tz)
    result.ledger = [
        *(LedgerEntry(name, "skipped", reason) for name, reason in found.skipped),
        *result.ledger,
    ]
    result.activities, result.ledger, result.metadata = merge_metadata(
        result.activities, result.ledger, read_metadata(paths), tz=tz
    )
    result.ignored = found.ignored
    result.limits = limits
    result.cache_dir = str(cache.root.parent) if cache is not None else None
    result.parsed = sum(1 for o in outcomes if not o.from_cache and o.content_hash)
    result.cached = sum(1 for o in outcomes if o.from_cache)
    return result
