"""Where one file's parse runs: in this process, a local process pool, or Dask workers.

Every backend offers the one interface of :mod:`.base` (``parse(jobs)`` yields
one outcome per cache miss, ``salvage()`` after an interrupt, ``close()``);
:func:`make_backend` picks one from the reading options. ``work`` is the unit
of work every backend runs (one file's bytes → its cache entry, within the
per-file time limit); ``local`` holds the in-process and process-pool
backends (``pool`` keeps the worker processes); ``cluster`` sends batches to a
Dask scheduler.

May import: the rest of :mod:`runaudit.reading` and the base modules.
"""

from __future__ import annotations

from typing import Any

from runaudit.reading.backends.base import Backend, Job, Parsed
from runaudit.reading.sources import Limits


def make_backend(
    *, jobs: int, client: Any = None, limits: Limits, cache_root: str | None
) -> Backend:
    """The backend for these options: Dask with a ``client``, else this process for
    ``jobs`` 1, else a process pool of ``jobs`` workers."""
    if client is not None:
        from runaudit.reading.backends.cluster import DaskCluster

        return DaskCluster(client, limits, cache_root)
    from runaudit.reading.backends.local import InProcess, ProcessPool

    if jobs <= 1:
        return InProcess(limits, cache_root)
    return ProcessPool(jobs, limits, cache_root)


__all__ = ["Backend", "Job", "Parsed", "make_backend"]
