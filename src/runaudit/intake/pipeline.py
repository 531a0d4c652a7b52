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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from runaudit.errors import Interrupted, ParseError
from runaudit.intake.activities import activities_frame
from runaudit.intake.classify import classify
from runaudit.intake.ledger import FileOutcome, Ingest, LedgerEntry
from runaudit.intake.merge import merge_metadata
from runaudit.reading.backends.pool import start_pool, stop_pool
from runaudit.reading.backends.work import parse_file_bytes
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.records import Metadata, read_metadata
from runaudit.reading.sources import Discovery, Limits, Source, discover, read_source

__all__ = [
    "FileOutcome",
    "Ingest",
    "LedgerEntry",
    "ProgressFn",
    "default_jobs",
    "ingest",
    "parse_file_bytes",
    "read_all",
]


ProgressFn = Callable[[int, int], None]


def _worker(
    data: bytes, expected: str, content_hash: str, cache_root: str | None, time_limit_s: float
) -> CachedFile:
    entry, parsed = parse_file_bytes(data, expected, time_limit_s)
    if parsed is not None and cache_root is not None and parsed.activities:
        with contextlib.suppress(OSError):
            Cache(cache_root).store_samples(content_hash, parsed)
    return entry


#: The ledger reason of a file whose parsing killed its worker process twice.
CRASH_REASON = "its parser process died while reading it, twice; skipped (not cached)"


def _parse_alone(
    source: Source, content_hash: str, limits: Limits, cache_root: str | None
) -> tuple[CachedFile, bool]:
    """Parse one file in a fresh one-worker pool: its entry, and whether to cache it."""
    try:
        data = read_source(source, limits)
    except ParseError as err:
        return CachedFile(source.format, "error", None, (), str(err), ()), False
    pool = start_pool(1)
    try:
        future = pool.submit(
            _worker, data, source.format, content_hash, cache_root, limits.max_seconds_per_file
        )
        return future.result(), True
    except BrokenProcessPool:
        return CachedFile(source.format, "error", None, (), CRASH_REASON, ()), False
    finally:
        stop_pool(pool, kill=True)


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
    client: Any = None,
) -> list[FileOutcome]:
    """Read and parse every source; results in the order of ``sources``.

    Files found in the cache are not parsed. The rest are parsed in ``jobs``
    processes (in this process when ``jobs`` is 1; no pool is started when
    every file is cached), with at most a few files' bytes in flight at once,
    so memory stays bounded on large exports. New entries reach the cache
    index as the run goes (:meth:`Cache.flush_if_due`) and once more at the end.

    A worker process that dies (the system killed it, a decoder crashed) takes
    no file with it: the pool is restarted and the files it had in flight are
    parsed again one at a time in a fresh process; a file that kills that one
    too is skipped with :data:`CRASH_REASON` and not cached (the next run tries it
    again).

    Raises
    ------
    Interrupted
        On Ctrl-C or SIGTERM (any :class:`KeyboardInterrupt`), after the workers
        are stopped and every file finished so far is written to the cache.
    """
    outcomes: list[FileOutcome | None] = [None] * len(sources)
    limit_s = limits.max_seconds_per_file
    done = 0
    cache_root = str(cache.root.parent) if cache is not None else None
    pool: ProcessPoolExecutor | None = None
    misses: list[
        tuple[int, Source]
    ] = []  # cluster seam: cache misses go to runaudit.reading.backends.cluster
    miss_hash: dict[int, str] = {}
    pending: dict[Future[CachedFile], tuple[int, str]] = {}

    crashed: list[tuple[int, str]] = []  # in flight when a worker died: parsed again alone

    def finish(
        index: int, content_hash: str | None, entry: CachedFile, hit: bool, keep: bool = True
    ) -> None:
        nonlocal done
        stored = False
        if cache is not None and content_hash is not None and not hit and keep:
            cache.put(content_hash, entry)  # before the outcome: an interrupt counts no more
            stored = True
        outcomes[index] = FileOutcome(sources[index], content_hash, entry, hit)
        done += 1
        if stored and cache is not None:
            with contextlib.suppress(OSError):
                cache.flush_if_due()
        if progress is not None:
            progress(done, len(sources))

    def collect(future: Future[CachedFile]) -> None:
        index, content_hash = pending.pop(future)
        try:
            entry = future.result()
        except BrokenProcessPool:
            crashed.append((index, content_hash))
            return
        except Exception as err:
            reason = f"could not be read ({type(err).__name__}: {err})"
            entry = CachedFile(sources[index].format, "error", None, (), reason, ())
        finish(index, content_hash, entry, False)

    def drain(limit: int) -> None:
        while len(pending) > limit:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                collect(future)

    stopped: KeyboardInterrupt | None = None
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
            if client is not None:
                misses.append((index, source))
                miss_hash[index] = content_hash
                continue
            if jobs <= 1:
                entry = _worker(data, source.format, content_hash, cache_root, limit_s)
                finish(index, content_hash, entry, False)
                continue
            if pool is not None and crashed:  # a worker died: start afresh for the rest
                drain(0)
                stop_pool(pool, kill=True)
                pool = None
            if pool is None:
                pool = start_pool(jobs)
            try:
                future = pool.submit(
                    _worker, data, source.format, content_hash, cache_root, limit_s
                )
            except BrokenProcessPool:
                crashed.append((index, content_hash))
                continue
            pending[future] = (index, content_hash)
            drain(4 * jobs)
        drain(0)
        if crashed and pool is not None:
            stop_pool(pool, kill=True)
            pool = None
        for index, content_hash in sorted(crashed):
            entry, keep = _parse_alone(sources[index], content_hash, limits, cache_root)
            finish(index, content_hash, entry, False, keep)
        if client is not None:
            from runaudit.reading.backends.cluster import WORKER_CRASH_REASON, parse_on_cluster

            parse_on_cluster(
                client,
                misses,
                limits=limits,
                cache_root=cache_root,
                on_result=lambda i, entry: finish(
                    i, miss_hash[i], entry, False, entry.error != WORKER_CRASH_REASON
                ),
            )
    except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM through the CLI's handler
        stopped = err
        for future in [f for f in pending if f.done() and not f.cancelled()]:
            collect(future)  # results that arrived are finished files: keep them
    finally:
        if pool is not None:
            stop_pool(pool, kill=stopped is not None)
        flushed = False
        if cache is not None:
            with contextlib.suppress(OSError):
                cache.flush()
                flushed = True
    if stopped is not None:
        finished = [o for o in outcomes if o is not None]
        kept = sum(1 for o in finished if o.content_hash and not o.from_cache) if flushed else 0
        signum = getattr(stopped, "signum", signal.SIGINT)
        raise Interrupted(
            signum, len(finished), len(sources), kept if cache is not None else None
        ) from stopped
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
    client: Any = None,
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
    client : distributed.Client, optional
        Parse the cache misses as Dask tasks on this cluster's workers
        (:mod:`runaudit.reading.backends.cluster`; paths must be readable from the workers).

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
        client=client,
    )
    meta = read_metadata(paths, limits=limits)
    return build_ingest(found, outcomes, meta, tz=tz, cache=cache, limits=limits)


def build_ingest(
    found: Discovery,
    outcomes: Sequence[FileOutcome],
    meta: Metadata,
    *,
    tz: str | None,
    cache: Cache | None,
    limits: Limits,
) -> Ingest:
    """The frozen :class:`Ingest` of one discovery from its files' outcomes (pure).

    ``outcomes`` are :func:`read_all`'s results for ``found.sources``, in order; files
    that discovery already refused come first in the ledger. ``meta`` holds the
    export's own records (Strava's activities.csv, Garmin's summaries), merged in by
    :func:`runaudit.intake.merge.merge_metadata`.
    """
    hints = {
        row.file_key: row.activity_type
        for _, row in meta.strava
        if row.filename and row.activity_type
    }
    result = classify(list(outcomes), tz=tz, sport_hints=hints)
    activities, ledger, account = merge_metadata(
        activities_frame([r.as_row() for r in result.kept]),
        [
            *(LedgerEntry(name, "skipped", reason) for name, reason in found.skipped),
            *result.ledger,
        ],
        meta,
        tz=tz,
    )
    return Ingest(
        activities=activities,
        ledger=tuple(ledger),
        metadata=account,
        cadence_hist={
            r.activity_id: (r.summary.cadence_bins, r.summary.cadence_seconds) for r in result.kept
        },
        # the service files discovery passed over were read as records: not passed over
        ignored=max(0, found.ignored - len(meta.files)),
        parsed=sum(1 for o in outcomes if not o.from_cache and o.content_hash),
        cached=sum(1 for o in outcomes if o.from_cache),
        tz_note=result.tz_note,
        origins={aid: (outcomes[f].source, k) for aid, (f, k) in result.origins.items()},
        cache_dir=str(cache.root.parent) if cache is not None else None,
        limits=limits,
        cache_problem=cache.problem if cache is not None else None,
    )
