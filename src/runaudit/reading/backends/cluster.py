"""The parse stage of :func:`runaudit.intake.pipeline` as Dask tasks on a ``distributed`` cluster.

Install with ``pip install 'runaudit[dask]'``. The parent process discovers the
files, checks its parsed-file cache and sends only the misses: batches of
:class:`~runaudit.reading.sources.Source` records (paths, not bytes). Each worker reads
its files itself, so **paths must be readable from the workers** (a shared
filesystem, the same mount point everywhere). Workers parse, summarise and send
back the compact :class:`~runaudit.reading.cache.CachedFile` of each file; the parent
classifies as it does locally, so the output equals the local run.

Faults: the scheduler retries a batch whose worker died (``retries``); a batch
that keeps killing workers is split and its files retried one by one, and a file
that still kills a worker ends as skipped with that reason. The per-file time
limit holds on workers through a watchdog thread (worker tasks run in threads,
where SIGALRM cannot be used). When the workers see the cache folder (shared or
their own), they also store each file's samples there.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math
import os
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from runaudit.errors import InputError, ParseError
from runaudit.reading.backends.base import Job, Parsed
from runaudit.reading.cache import Cache, CachedFile
from runaudit.reading.sources import Limits, Source, read_source

EXTRA_HINT = "--scheduler needs Dask: install it with pip install 'runaudit[dask]'."
MAX_BATCH = 64
#: The ledger reason of a file whose parsing killed a Dask worker, alone in its task.
WORKER_CRASH_REASON = "crashed the Dask worker that read it; skipped (not cached)"
RETRIES = 3


def require_distributed() -> Any:
    """Import ``distributed`` or raise :class:`InputError` naming the extra to install."""
    try:
        import distributed
    except ImportError:
        raise InputError(EXTRA_HINT) from None
    return distributed


#: Default seconds a connection to the scheduler may take (``--timeout``).
CONNECT_TIMEOUT_S = 10.0


def connect(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> Any:
    """A ``distributed.Client`` for a ``tcp://host:port`` address or a scheduler JSON file.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (or ``host:port``), or the path of a scheduler file
        (``dask scheduler --scheduler-file``).
    timeout_s : float
        Seconds the whole connection may take [s]: a closed port, a host that
        does not answer and a service that is not a Dask scheduler (it accepts
        and says nothing) all fail within it.

    Raises
    ------
    InputError
        When Dask is not installed, the scheduler file is missing or malformed,
        the address uses a protocol other than TCP, or no scheduler answered in time.
    """
    distributed = require_distributed()
    where = f"the Dask scheduler at {address}"
    if os.path.isfile(address):
        where = f"the Dask scheduler of {address}"
        target = _scheduler_address(address)
    elif "://" not in address and (address.endswith(".json") or os.sep in address):
        raise InputError(f"{address}: no such scheduler file (--scheduler).")
    else:
        protocol = address.split("://", 1)[0].lower() if "://" in address else "tcp"
        if protocol != "tcp":
            raise InputError(
                f"--scheduler {address}: runaudit connects over tcp:// only, not {protocol}://."
            )
        target = address
    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            box["client"] = distributed.Client(target, timeout=timeout_s)
        except BaseException as err:  # reported below as one line
            box["error"] = err

    thread = threading.Thread(target=attempt, name="runaudit-connect", daemon=True)
    thread.start()
    thread.join(timeout_s + 0.5)  # the client's own timeout, then ours for a silent peer
    if thread.is_alive():
        raise InputError(
            f"no answer from {where} within {timeout_s:g} s (is it a Dask scheduler?"
            " raise the wait with --timeout)."
        )
    if "error" in box:
        err = box["error"]
        text = " ".join(str(err).split())[:200] or type(err).__name__
        raise InputError(f"cannot reach {where} ({text}).") from None
    return box["client"]


def _scheduler_address(path: str) -> str:
    """The ``address`` of a scheduler file, or :class:`InputError` naming what is wrong."""
    import json

    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(2**20))
    except (OSError, ValueError, RecursionError) as err:
        raise InputError(
            f"{path}: not a Dask scheduler file (not readable JSON: {type(err).__name__})."
        ) from None
    address = data.get("address") if isinstance(data, dict) else None
    if not isinstance(address, str) or not address:
        raise InputError(f'{path}: not a Dask scheduler file (no "address").')
    protocol = address.split("://", 1)[0].lower() if "://" in address else "tcp"
    if protocol != "tcp":
        raise InputError(f"{path}: runaudit connects over tcp:// only, not {protocol}://.")
    return address


def batch_size(n_files: int, n_workers: int) -> int:
    """Files per task: about a quarter of each worker's share, 1 to :data:`MAX_BATCH`.

    >>> batch_size(2000, 2), batch_size(10, 2), batch_size(100000, 8)
    (64, 2, 64)
    """
    return max(1, min(MAX_BATCH, math.ceil(n_files / (4 * max(1, n_workers)))))


@contextmanager
def _thread_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise the ingest per-file timeout in this thread after ``seconds`` [s].

    A watchdog thread injects the exception with ``PyThreadState_SetAsyncExc``; it
    lands at the next Python bytecode, which the parsers (pure Python) reach often.
    """
    from runaudit.reading.backends.work import FileTimeout

    if not seconds or seconds <= 0:
        yield
        return
    target = threading.get_ident()
    done = threading.Event()

    def watch() -> None:
        if not done.wait(seconds):
            while not done.is_set():  # again every 0.1 s in case it was swallowed
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(FileTimeout)
                )
                done.wait(0.1)

    watchdog = threading.Thread(target=watch, daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()


def parse_one(source: Source, limits: Limits, cache_root: str | None) -> CachedFile:
    """Read one source on a worker, parse and summarise it (never raises for bad input)."""
    import hashlib

    from runaudit.reading.backends.work import FileTimeout, parse_file_bytes, store_samples

    if not os.access(source.path, os.R_OK):
        reason = (
            f"cannot be read on Dask worker {socket.gethostname()}: {source.path} must be"
            " readable from the workers (a shared filesystem, same path everywhere)"
        )
        return CachedFile.failed(source.format, reason)
    try:
        data = read_source(source, limits)
    except ParseError as err:
        return CachedFile.failed(source.format, str(err))
    limit_s = limits.max_seconds_per_file
    try:
        with _thread_time_limit(limit_s):
            entry, parsed = parse_file_bytes(data, source.format, limit_s)
    except FileTimeout:
        return _timeout_entry(source, limit_s)
    if parsed is not None and cache_root is not None:
        store_samples(Cache(cache_root), hashlib.sha256(data).hexdigest(), parsed)
    return entry


def _timeout_entry(source: Source, limit_s: float) -> CachedFile:
    reason = (
        f"took longer than {limit_s:g} s to read; skipped (raise the limit with --file-timeout)"
    )
    return CachedFile.failed(source.format, reason)


def parse_batch(
    batch: Sequence[tuple[int, Source]], limits: Limits, cache_root: str | None
) -> tuple[int, list[tuple[int, CachedFile]]]:
    """The Dask task: ``(worker pid, [(index, CachedFile), ...])`` for one batch."""
    from runaudit.reading.backends.work import FileTimeout

    out = []
    for index, source in batch:
        try:
            entry = parse_one(source, limits, cache_root)
        except FileTimeout:  # arrived just after the file finished: it took the limit
            entry = _timeout_entry(source, limits.max_seconds_per_file)
        out.append((index, entry))
    return os.getpid(), out


def parse_on_cluster(
    client: Any,
    items: Sequence[tuple[int, Source]],
    *,
    limits: Limits,
    cache_root: str | None = None,
    progress: Any = None,
    on_result: Callable[[int, CachedFile], None] | None = None,
) -> tuple[dict[int, CachedFile], set[int]]:
    """Parse ``items`` (index, source) on the client's workers.

    ``on_result(index, entry)`` is called for each file as its batch comes back
    (in the order batches finish), so the caller can cache results as the run
    goes. On an interrupt the batches still queued are cancelled.

    Returns
    -------
    (dict, set)
        index → :class:`CachedFile` for every item, and the pids of the worker
        processes that did the parsing.
    """
    results: dict[int, CachedFile] = {}
    pids: set[int] = set()
    for index, entry in iter_cluster(
        client, items, limits=limits, cache_root=cache_root, pids=pids
    ):
        results[index] = entry
        if on_result is not None:
            on_result(index, entry)
        if progress is not None:
            progress(1)
    return results, pids


def iter_cluster(
    client: Any,
    items: Sequence[tuple[int, Source]],
    *,
    limits: Limits,
    cache_root: str | None = None,
    pids: set[int] | None = None,
    futures: list[Any] | None = None,
) -> Iterator[tuple[int, CachedFile]]:
    """``(index, entry)`` for each of ``items`` as its batch comes back from the workers.

    ``pids`` gathers the worker processes' ids; ``futures`` the tasks submitted
    (so a caller can cancel them). On an interrupt the tasks still queued are
    cancelled.
    """
    distributed = require_distributed()
    pids = pids if pids is not None else set()
    submitted = futures if futures is not None else []
    if not items:
        return
    # the workers resolve a relative path in their own folder: send absolute ones
    items = [(i, dataclasses.replace(s, path=os.path.abspath(s.path))) for i, s in items]
    done = 0
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    size = batch_size(len(items), workers)
    batches = [list(items[i : i + size]) for i in range(0, len(items), size)]
    first = client.map(
        parse_batch, batches, limits=limits, cache_root=cache_root, retries=RETRIES, pure=False
    )
    submitted.extend(first)
    batch_of = dict(zip(first, batches, strict=True))
    crashed: list[list[tuple[int, Source]]] = []
    try:
        for future in distributed.as_completed(first):
            try:
                pid, entries = future.result()
            except distributed.KilledWorker:
                crashed.append(batch_of[future])
                continue
            pids.add(pid)
            done += len(entries)
            yield from entries
        for batch in crashed:  # one file at a time, so one bad file cannot take others with it
            singles = client.map(
                parse_batch,
                [[item] for item in batch],
                limits=limits,
                cache_root=cache_root,
                retries=0,
                pure=False,
            )
            submitted.extend(singles)
            for future, (index, source) in zip(singles, batch, strict=True):
                try:
                    pid, entries = future.result()
                except distributed.KilledWorker:
                    yield index, CachedFile.failed(source.format, WORKER_CRASH_REASON)
                else:
                    pids.add(pid)
                    yield entries[0]
    except (KeyboardInterrupt, GeneratorExit):
        with suppress(Exception):
            client.cancel(submitted)
        raise
    except Exception as err:  # the scheduler or every worker went away mid-run
        with suppress(Exception):
            client.cancel(submitted)
        text = " ".join(str(err).split())[:200] or type(err).__name__
        raise ClusterLost(
            f"lost the Dask cluster after {done} of {len(items)} files"
            f" ({type(err).__name__}: {text}); the files parsed so far are kept in the cache."
        ) from err


class ClusterLost(InputError):
    """The Dask scheduler or all its workers went away during a run."""


class DaskCluster:
    """The parse backend on a Dask cluster (module docstring): the workers read the files.

    Jobs are gathered first (paths and hashes only, no bytes) and sent in
    batches; results come back as batches finish.
    """

    def __init__(self, client: Any, limits: Limits, cache_root: str | None) -> None:
        self.client, self.limits, self.cache_root = client, limits, cache_root
        self.pids: set[int] = set()
        self._futures: list[Any] = []

    def parse(self, jobs: Iterable[Job]) -> Iterator[Parsed]:
        by_index = {job.index: Job(job.index, job.source, job.content_hash) for job in jobs}
        items = [(i, job.source) for i, job in by_index.items()]
        for index, entry in iter_cluster(
            self.client,
            items,
            limits=self.limits,
            cache_root=self.cache_root,
            pids=self.pids,
            futures=self._futures,
        ):
            yield Parsed(by_index[index], entry, keep=entry.error != WORKER_CRASH_REASON)

    def salvage(self) -> list[Parsed]:
        return []

    def close(self, *, kill: bool) -> None:
        if kill:
            with suppress(Exception):
                self.client.cancel(self._futures)
