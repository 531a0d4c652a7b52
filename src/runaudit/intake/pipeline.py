"""From paths to classified activities: read, parse (parallel, cached), sort into buckets.

:func:`ingest` is the only entry point most callers need. It returns an
:class:`Ingest`: the ``activities`` table, each run's cadence histogram and
the ledger that puts every input file in exactly one bucket.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import signal
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from runaudit.errors import Interrupted, ParseError
from runaudit.intake.activities import activities_frame
from runaudit.intake.classify import classify
from runaudit.intake.ledger import FileOutcome, Ingest, LedgerEntry
from runaudit.intake.merge import merge_metadata
from runaudit.reading.backends import Backend, Job, make_backend
from runaudit.reading.backends.local import CRASH_REASON
from runaudit.reading.backends.work import parse_file_bytes
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.cache import file_key as identity_key
from runaudit.reading.options import ProgressFn, ReadOptions, default_jobs
from runaudit.reading.records import Metadata, file_key, read_metadata
from runaudit.reading.sources import Discovery, Limits, Source, discover, read_source
from runaudit.reading.sports import normalize_sport

__all__ = [
    "CRASH_REASON",
    "FileOutcome",
    "Ingest",
    "LedgerEntry",
    "ProgressFn",
    "ReadOptions",
    "default_jobs",
    "ingest",
    "parse_file_bytes",
    "read_all",
]


def read_all(
    sources: Sequence[Source],
    *,
    limits: Limits,
    cache: Cache | None,
    jobs: int,
    progress: ProgressFn | None = None,
    client: Any = None,
    backend: Backend | None = None,
) -> list[FileOutcome]:
    """Read and parse every source; results in the order of ``sources``.

    Files found in the cache are not parsed; files unchanged since a run read
    them (same identity, :func:`~runaudit.reading.cache.file_key`) are not even
    read. The rest go to ``backend``
    (default :func:`~runaudit.reading.backends.make_backend` of ``jobs`` and
    ``client``: Dask with a client, else this process when ``jobs`` is 1, else
    a process pool started only when some file is not cached), with at most a
    few files' bytes in flight at once, so memory stays bounded on large
    exports. New entries reach the cache index as the run goes
    (:meth:`Cache.flush_if_due`) and once more at the end.

    A worker process that dies takes no file with it (see
    :mod:`runaudit.reading.backends.local`); a file that kills its worker twice
    is skipped with :data:`CRASH_REASON` and not cached (the next run tries it
    again).

    Raises
    ------
    Interrupted
        On Ctrl-C or SIGTERM (any :class:`KeyboardInterrupt`), after the workers
        are stopped and every file finished so far is written to the cache.
    """
    outcomes: list[FileOutcome | None] = [None] * len(sources)
    done = 0
    cache_root = str(cache.root.parent) if cache is not None else None
    if backend is None:
        backend = make_backend(jobs=jobs, client=client, limits=limits, cache_root=cache_root)

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

    def misses() -> Iterator[Job]:
        """Read and hash each source; finish the cached and unreadable ones, yield the rest."""
        for index, source in enumerate(sources):
            key = identity_key(source, limits) if cache is not None else None
            known = cache.hash_of(key) if cache is not None and key is not None else None
            cached = cache.get(known) if cache is not None and known is not None else None
            if known is not None and cached is not None:  # unchanged since a run read it
                finish(index, known, cached, True)
                continue
            try:
                data = read_source(source, limits)
            except ParseError as err:
                finish(index, None, CachedFile.failed(source.format, str(err)), False)
                continue
            content_hash = hashlib.sha256(data).hexdigest()
            if cache is not None and key is not None:
                cache.remember(key, content_hash)
            cached = cache.get(content_hash) if cache is not None else None
            if cached is not None:
                finish(index, content_hash, cached, True)
                continue
            yield Job(index, source, content_hash, data)

    stopped: KeyboardInterrupt | None = None
    try:
        for result in backend.parse(misses()):
            job = result.job
            finish(job.index, job.content_hash, result.entry, False, result.keep)
    except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM through the CLI's handler
        stopped = err
        for result in backend.salvage():  # results that arrived are finished files: keep them
            job = result.job
            finish(job.index, job.content_hash, result.entry, False, result.keep)
    finally:
        backend.close(kill=stopped is not None)
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
    options: ReadOptions | None = None,
    **keywords: Any,
) -> Ingest:
    """Read an export (files, folders, zips) into classified activities.

    Parameters
    ----------
    paths : iterable of path-like
    options : ReadOptions, optional
        How to read (time zone, workers, cache, limits, progress, Dask client);
        defaults as :class:`~runaudit.reading.options.ReadOptions` states.
    **keywords
        The fields of :class:`ReadOptions` one by one (``tz=``, ``jobs=``,
        ``cache_dir=``, ``use_cache=``, ``limits=``, ``progress=``,
        ``client=``), as before the options object; they override ``options``.

    Returns
    -------
    Ingest

    Raises
    ------
    InputError
        When a path does not exist or ``tz`` is not a known time zone.
    TypeError
        For a keyword that is not an option.
    """
    opts = ReadOptions.build(options, **keywords)
    limits = opts.limits
    paths = list(paths)
    meta = read_metadata(paths, limits=limits)
    found: Discovery = _without_records(discover(paths, limits), meta)
    cache = Cache(opts.cache_dir) if opts.use_cache else None
    outcomes = read_all(
        found.sources,
        limits=limits,
        cache=cache,
        jobs=opts.n_jobs,
        progress=opts.progress,
        client=opts.client,
    )
    return build_ingest(
        found, outcomes, meta, tz=opts.tz, cache=cache, limits=limits, run_types=opts.run_types
    )


def sport_hints(meta: Metadata, run_types: Sequence[str] = ()) -> dict[str, str]:
    """File key → the sport its record names, for files that do not say (pure).

    The type as written where it is English (``"Trail Run"`` keeps its sub-sport),
    the sport a reader mapped it to otherwise (``"Corsa"`` → ``"running"``), and
    ``"running"`` for a type declared a run by ``run_types``.
    """
    declared = {t.strip().casefold() for t in run_types}
    hints: dict[str, str] = {}
    for row in meta.records:
        if not (row.filename and row.activity_type):
            continue
        if row.sport is None:
            if row.activity_type.strip().casefold() in declared:
                hints[file_key(row.filename)] = "running"
            continue
        own = normalize_sport(row.activity_type)[0]
        hints[file_key(row.filename)] = row.activity_type if own == row.sport else row.sport
    return hints


def _without_records(found: Discovery, meta: Metadata) -> Discovery:
    """Discovery without the service files given by name (``activities.json``,
    ``export.xml``) and without "no activity files" for a zip read for its records
    (an Apple Health ``export.zip`` of indoor workouts only)."""
    read = set(meta.files)
    if not read:
        return found
    zips = {name.split("!", 1)[0] for name in read if "!" in name}
    return dataclasses.replace(
        found,
        sources=[s for s in found.sources if s.members or s.path not in read],
        skipped=[(n, r) for n, r in found.skipped if not (n in zips and "holds no" in r)],
    )


def build_ingest(
    found: Discovery,
    outcomes: Sequence[FileOutcome],
    meta: Metadata,
    *,
    tz: str | None,
    cache: Cache | None,
    limits: Limits,
    run_types: Sequence[str] = (),
) -> Ingest:
    """The frozen :class:`Ingest` of one discovery from its files' outcomes (pure).

    ``outcomes`` are :func:`read_all`'s results for ``found.sources``, in order; files
    that discovery already refused come first in the ledger. ``meta`` holds the
    export's own records (Strava's activities.csv, Garmin's summaries), merged in by
    :func:`runaudit.intake.merge.merge_metadata`.
    """
    hints = sport_hints(meta, run_types)
    listed = [r.start_utc for r in meta.records if r.service == "garmin"]
    result = classify(list(outcomes), tz=tz, sport_hints=hints, listed_starts=listed)
    activities, ledger, account = merge_metadata(
        activities_frame([r.as_row() for r in result.kept]),
        [
            *(LedgerEntry(name, "skipped", reason) for name, reason in found.skipped),
            *result.ledger,
        ],
        meta,
        tz=tz,
        run_types=run_types,
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
