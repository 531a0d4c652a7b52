"""The local parse backends: this process, or a pool of worker processes.

:class:`InProcess` parses each job where it is asked (``jobs=1``).
:class:`ProcessPool` sends the jobs to ``jobs`` worker processes
(:mod:`.pool`), a few files' bytes in flight at once. A worker process that
dies (the system killed it, a decoder crashed) takes no file with it: the pool
is restarted and the files it had in flight are parsed again one at a time in
a fresh process; a file that kills that one too ends with
:data:`CRASH_REASON` and is not cached (the next run tries it again).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from runaudit.errors import ParseError
from runaudit.reading.backends.base import Job, Parsed
from runaudit.reading.backends.pool import start_pool, stop_pool
from runaudit.reading.backends.work import parse_and_store
from runaudit.reading.cache import CachedFile
from runaudit.reading.sources import Limits, read_source

#: The ledger reason of a file whose parsing killed its worker process twice.
CRASH_REASON = "its parser process died while reading it, twice; skipped (not cached)"


class InProcess:
    """Parse in this process, one file after the other."""

    def __init__(self, limits: Limits, cache_root: str | None) -> None:
        self.limits, self.cache_root = limits, cache_root

    def parse(self, jobs: Iterable[Job]) -> Iterator[Parsed]:
        limit_s = self.limits.max_seconds_per_file
        for job in jobs:
            data = job.data if job.data is not None else read_source(job.source, self.limits)
            entry = parse_and_store(
                data, job.source.format, job.content_hash, self.cache_root, limit_s
            )
            yield Parsed(job, entry)

    def salvage(self) -> list[Parsed]:
        return []

    def close(self, *, kill: bool) -> None:
        return None


class ProcessPool:
    """Parse in ``jobs`` worker processes, at most ``4 × jobs`` files in flight.

    The pool starts with the first job (none when every file is cached).
    """

    def __init__(self, jobs: int, limits: Limits, cache_root: str | None) -> None:
        self.jobs, self.limits, self.cache_root = max(1, jobs), limits, cache_root
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Future[CachedFile], Job] = {}
        self._crashed: list[Job] = []  # in flight when a worker died: parsed again alone

    def parse(self, jobs: Iterable[Job]) -> Iterator[Parsed]:
        limit_s = self.limits.max_seconds_per_file
        for job in jobs:
            if self._pool is not None and self._crashed:  # a worker died: afresh for the rest
                yield from self._drain(0)
                stop_pool(self._pool, kill=True)
                self._pool = None
            if self._pool is None:
                self._pool = start_pool(self.jobs)
            data = job.data if job.data is not None else read_source(job.source, self.limits)
            light = Job(job.index, job.source, job.content_hash)  # no bytes kept in the parent
            try:
                future = self._pool.submit(
                    parse_and_store,
                    data,
                    job.source.format,
                    job.content_hash,
                    self.cache_root,
                    limit_s,
                )
            except BrokenProcessPool:
                self._crashed.append(light)
                continue
            self._pending[future] = light
            yield from self._drain(4 * self.jobs)
        yield from self._drain(0)
        if self._crashed and self._pool is not None:
            stop_pool(self._pool, kill=True)
            self._pool = None
        crashed, self._crashed = sorted(self._crashed, key=lambda j: j.index), []
        for job in crashed:
            yield self._parse_alone(job)

    def salvage(self) -> list[Parsed]:
        done = [f for f in self._pending if f.done() and not f.cancelled()]
        out = [self._collect(f) for f in done]
        return [p for p in out if p is not None]

    def close(self, *, kill: bool) -> None:
        if self._pool is not None:
            stop_pool(self._pool, kill=kill)
            self._pool = None

    def _drain(self, limit: int) -> Iterator[Parsed]:
        while len(self._pending) > limit:
            finished, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            for future in finished:
                parsed = self._collect(future)
                if parsed is not None:
                    yield parsed

    def _collect(self, future: Future[CachedFile]) -> Parsed | None:
        job = self._pending.pop(future)
        try:
            entry = future.result()
        except BrokenProcessPool:
            self._crashed.append(job)
            return None
        except Exception as err:
            reason = f"could not be read ({type(err).__name__}: {err})"
            entry = CachedFile.failed(job.source.format, reason)
        return Parsed(job, entry)

    def _parse_alone(self, job: Job) -> Parsed:
        """Parse one file in a fresh one-worker pool."""
        try:
            data = read_source(job.source, self.limits)
        except ParseError as err:
            return Parsed(job, CachedFile.failed(job.source.format, str(err)), keep=False)
        pool = start_pool(1)
        try:
            future = pool.submit(
                parse_and_store,
                data,
                job.source.format,
                job.content_hash,
                self.cache_root,
                self.limits.max_seconds_per_file,
            )
            return Parsed(job, future.result())
        except BrokenProcessPool:
            return Parsed(job, CachedFile.failed(job.source.format, CRASH_REASON), keep=False)
        finally:
            stop_pool(pool, kill=True)
