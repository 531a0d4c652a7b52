"""How to read an export: the one options object of ``ingest``, ``load_export`` and ``load_roster``.

:class:`ReadOptions` gathers what every reading entry point used to take as
its own keyword arguments (time zone, worker count, cache, safety limits,
progress callback, Dask client). The command line builds one from its flags;
a library user passes one, or the old keyword arguments, which
:meth:`ReadOptions.build` folds into one.

>>> ReadOptions(jobs=1, use_cache=False).n_jobs
1
>>> ReadOptions.build(None, tz="Europe/Berlin").tz
'Europe/Berlin'
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runaudit.reading.sources import Limits

#: ``progress(done, total)``, called after each file.
ProgressFn = Callable[[int, int], None]


def default_jobs() -> int:
    """All cores (``os.process_cpu_count`` where available)."""
    counter = getattr(os, "process_cpu_count", None) or os.cpu_count
    return max(1, counter() or 1)


@dataclass(frozen=True)
class ReadOptions:
    """How an export is read (every field has a default).

    Attributes
    ----------
    tz : str or None
        IANA time zone (``"Europe/Berlin"``) that overrides every file's own
        offset for local times and weeks.
    jobs : int or None
        Parser processes; None for all cores, 1 parses in this process.
    cache_dir : path-like or None
        Cache folder (default ``$RUNAUDIT_CACHE_DIR`` or the user cache dir).
    use_cache : bool
        False parses everything and writes no cache.
    limits : Limits
        Safety limits on file and zip sizes and the per-file time limit
        (``Limits.max_seconds_per_file`` [s]).
    progress : callable or None
        Called as ``progress(done, total)`` after each file.
    client : distributed.Client or None
        Parse the cache misses as Dask tasks on this cluster's workers
        (:mod:`runaudit.reading.backends.cluster`; paths must be readable from
        the workers).
    run_types : tuple of str
        Activity types of the services' records, as written in a language
        runaudit has no names for (``"Hardloop"``), that are runs (``--run-type``).

    The parse backend follows from ``client`` and ``jobs``
    (:func:`runaudit.reading.backends.make_backend`): Dask with a client, else
    this process for one job, else a local process pool.
    """

    tz: str | None = None
    jobs: int | None = None
    cache_dir: str | os.PathLike[str] | None = None
    use_cache: bool = True
    limits: Limits = field(default_factory=Limits)
    progress: ProgressFn | None = None
    client: Any = None
    run_types: tuple[str, ...] = ()

    @property
    def n_jobs(self) -> int:
        """``jobs``, or all cores when it is None."""
        return self.jobs or default_jobs()

    def replace(self, **changes: Any) -> ReadOptions:
        """A copy with ``changes`` (field names as keywords)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def build(cls, options: ReadOptions | None, **keywords: Any) -> ReadOptions:
        """``options`` (or the defaults) with the old-style keyword arguments applied.

        Keywords whose value is None keep the option's value, except that
        ``limits=None`` means the default limits, as it always did.

        Raises
        ------
        TypeError
            For a keyword that is not a field of :class:`ReadOptions`.
        """
        unknown = sorted(set(keywords) - _FIELDS)
        if unknown:
            raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
        base = options if options is not None else cls()
        changes: Mapping[str, Any] = {k: v for k, v in keywords.items() if v is not None}
        return dataclasses.replace(base, **changes) if changes else base


_FIELDS = frozenset(f.name for f in dataclasses.fields(ReadOptions))

__all__ = ["ProgressFn", "ReadOptions", "default_jobs"]
