"""The one interface every parse backend offers, and the unit of work it is given.

:func:`runaudit.intake.pipeline.read_all` reads each file, hashes it, looks it up
in the cache and hands the misses, as :class:`Job` records, to a
:class:`Backend`; the backend yields one :class:`Parsed` per job, in the order
the parses finish. Three backends implement it: :class:`~.local.InProcess`,
:class:`~.local.ProcessPool` and :class:`~.cluster.DaskCluster`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from runaudit.reading.cache import CachedFile
from runaudit.reading.sources import Source


@dataclass(frozen=True)
class Job:
    """One file to parse: a cache miss.

    Attributes
    ----------
    index : int
        Its position among the sources of the run.
    source : Source
    content_hash : str
        SHA-256 of its bytes (the cache key).
    data : bytes or None
        The bytes the parent read (None where the backend reads the file itself).
    """

    index: int
    source: Source
    content_hash: str
    data: bytes | None = None


@dataclass(frozen=True)
class Parsed:
    """What a backend made of one :class:`Job`.

    Attributes
    ----------
    job : Job
    entry : CachedFile
        The cache entry (an ``"error"`` entry for a file that could not be used).
    keep : bool
        False when the entry must not be cached (its parser process died: the
        next run tries the file again).
    """

    job: Job
    entry: CachedFile
    keep: bool = True


class Backend(Protocol):
    """Where the parses run (module docstring)."""

    def parse(self, jobs: Iterable[Job]) -> Iterator[Parsed]:
        """Parse ``jobs`` (consumed lazily, so few files' bytes are in memory at once)."""
        ...

    def salvage(self) -> list[Parsed]:
        """After an interrupt: the parses that finished but were not yielded yet."""
        ...

    def close(self, *, kill: bool) -> None:
        """Release the workers; with ``kill``, without waiting for files in flight."""
        ...
