"""A parsed-file cache on disk, keyed by file content hash and parser version.

Layout under the cache folder (``--cache-dir``, ``RUNAUDIT_CACHE_DIR``, else the
user cache directory)::

    v<PARSER_VERSION>/index.parquet            one row per file: its summaries
    v<PARSER_VERSION>/index.lock               taken (flock) while the index is rewritten
    v<PARSER_VERSION>/samples/ab/abcdef….parquet  per-sample data of one file
    v<PARSER_VERSION>/files.parquet            file identity → content hash

A second run over the same export reads only ``index.parquet`` (one Parquet
read); samples are read back only when a notebook asks for them.

**Files not read again.** ``files.parquet`` remembers each file's content
hash under its identity (:func:`file_key`: path, zip members, device, inode,
size, modification and change times, and the limits of the run), so a warm
run stats each file instead of reading and hashing it, as ``git status``
does. Any change to the file changes its change time (``st_ctime``, which no
tool can set back) and so its key; a file changed in the last
:data:`RACY_S` seconds is always read, and the table is only a shortcut:
losing it costs one full read. Every write
goes to a temporary file that is then renamed, so an interrupted run never
leaves a half-written file; an unreadable cache file is ignored and rebuilt,
never trusted.

**Flushing as the run goes.** :meth:`Cache.put` keeps a new entry in memory;
:meth:`Cache.flush_if_due` writes the index when :data:`FLUSH_EVERY_S` seconds
have passed since the last write (``$RUNAUDIT_CACHE_FLUSH_S`` overrides it), or
20 times the last write's own duration if that is longer, so flushing never
takes more than about 5 % of a run; :func:`runaudit.intake.pipeline.read_all` calls it
after every file and :meth:`Cache.flush` once more at the end, also after
Ctrl-C or SIGTERM. A run killed outright (``kill -9``, power loss) loses at
most the files of its last few seconds.

**Two runs on one cache.** One design, the simplest that loses nothing: a
single index file, rewritten under an exclusive lock. :meth:`Cache.flush`
takes ``fcntl.flock`` on ``index.lock``, re-reads ``index.parquet`` if another
run replaced it since this one last read or wrote it (file identity, size and
mtime), adds the entries it lacks, writes a temporary file and renames it over
the index, then releases the lock. So each flush is a read-merge-write that
never drops another run's rows; the lock is held for the few milliseconds of
that step only, is released by the kernel if the process dies, and readers
never take it (a rename is atomic, so a reader sees the old or the new index).
Where ``fcntl`` is missing (Windows) or the filesystem refuses locks, the
flush runs without the lock: the re-read and merge still happen, so only two
flushes overlapping within those milliseconds could drop the other's newest
rows, which the next run then simply parses again. Rows keep their string
columns (``hash, format, kind, file_type, problems, error, summaries``).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_cache_dir

from runaudit.reading.models import ParsedFile
from runaudit.reading.parsers import PARSER_VERSION
from runaudit.reading.parsers.track import EARLIEST_S, LATEST_S
from runaudit.reading.sources import Limits, Source
from runaudit.reading.summary import ActivitySummary

#: Seconds between index writes during a run (``$RUNAUDIT_CACHE_FLUSH_S`` overrides).
FLUSH_EVERY_S = 1.0
#: A flush waits at least this many times the previous flush's duration.
FLUSH_COST_FACTOR = 20.0
#: Files modified this recently [s] are read and hashed, never looked up by identity.
RACY_S = 2.0
FILES_SCHEMA = pa.schema([("key", pa.string()), ("hash", pa.string())])
#: The index columns, all strings (``problems``/``summaries`` hold JSON lists).
INDEX_COLUMNS = ("hash", "format", "kind", "file_type", "problems", "error", "summaries")
INDEX_SCHEMA = pa.schema([(name, pa.string()) for name in INDEX_COLUMNS])

_Stamp = tuple[int, int, int, int]


def default_cache_dir() -> Path:
    """Return ``$RUNAUDIT_CACHE_DIR`` or the platform's user cache folder for runaudit."""
    env = os.environ.get("RUNAUDIT_CACHE_DIR")
    return Path(env) if env else Path(user_cache_dir("runaudit"))


def current_umask() -> int:
    """The process's file-mode creation mask (read without changing it where Linux allows)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The file gets the mode a plain ``open`` would give it (``0o666`` less the
    umask), not the ``0o600`` of :func:`tempfile.mkstemp`.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
    finally:
        os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class CachedFile:
    """What the cache remembers about one file: enough to skip parsing it.

    Attributes
    ----------
    format, kind, file_type : str or None
        As in :class:`~runaudit.reading.models.ParsedFile`; ``kind`` is ``"error"`` for
        a file that could not be parsed.
    problems : tuple of str
    error : str or None
        The parse error's reason.
    summaries : tuple of ActivitySummary
        One :func:`~runaudit.reading.summary.summarize` result per activity.
    """

    format: str
    kind: str
    file_type: str | None
    problems: tuple[str, ...]
    error: str | None
    summaries: tuple[ActivitySummary, ...]

    @classmethod
    def failed(cls, format: str, reason: str) -> CachedFile:
        """The entry of a file that could not be used: kind ``"error"`` with its ``reason``.

        >>> CachedFile.failed("gpx", "empty file").error
        'empty file'
        """
        return cls(format, "error", None, (), reason, ())


class Cache:
    """The parsed-file cache of one folder (see the module docstring).

    Parameters
    ----------
    folder : path-like, optional
        The cache folder; :func:`default_cache_dir` when None.
    flush_every_s : float, optional
        Seconds between index writes in :meth:`flush_if_due` [s]; default
        ``$RUNAUDIT_CACHE_FLUSH_S`` or :data:`FLUSH_EVERY_S`.
    """

    def __init__(
        self, folder: str | os.PathLike[str] | None = None, *, flush_every_s: float | None = None
    ) -> None:
        self.root = (Path(folder) if folder else default_cache_dir()) / f"v{PARSER_VERSION}"
        self.flush_every_s = flush_every_s if flush_every_s is not None else _flush_interval()
        self._index: dict[str, CachedFile] | None = None
        self._new: dict[str, CachedFile] = {}
        self._table: pa.Table | None = None  # the index as this run last read or wrote it
        self._stamp: _Stamp | None = None  # ... and that file's identity
        self._next_flush = time.monotonic() + self.flush_every_s
        self._files: dict[str, str] | None = None  # file_key → content hash, from disk
        self._new_files: dict[str, str] = {}
        #: Why the index could not be written (the first failure), for one line on stderr.
        self.problem: str | None = None

    @property
    def index_path(self) -> Path:
        return self.root / "index.parquet"

    @property
    def files_path(self) -> Path:
        return self.root / "files.parquet"

    def hash_of(self, key: str) -> str | None:
        """The content hash remembered for a :func:`file_key`, or None."""
        if self._files is None:
            self._files = {}
            with suppress(Exception):  # missing or unreadable: a shortcut only
                table = _read_parquet(self.files_path).cast(FILES_SCHEMA)
                self._files = dict(
                    zip(
                        table.column("key").to_pylist(),
                        table.column("hash").to_pylist(),
                        strict=True,
                    )
                )
        return self._new_files.get(key) or self._files.get(key)

    def remember(self, key: str, content_hash: str) -> None:
        """Remember the content hash of the file of ``key`` (written by :meth:`flush`)."""
        if self.hash_of(key) != content_hash:
            self._new_files[key] = content_hash

    @property
    def lock_path(self) -> Path:
        return self.root / "index.lock"

    def samples_path(self, content_hash: str) -> Path:
        return self.root / "samples" / content_hash[:2] / f"{content_hash}.parquet"

    def _load(self) -> dict[str, CachedFile]:
        if self._index is None:
            self._table, self._stamp = self._read_index()
            self._index = {}
            self._learn(self._table)
        return self._index

    def _read_index(self) -> tuple[pa.Table | None, _Stamp | None]:
        """The index table (None when missing or unreadable) and its file's stamp."""
        try:
            with open(self.index_path, "rb") as file:
                stamp = _stamp(os.fstat(file.fileno()))
                data = file.read()
        except OSError:
            return None, None
        try:
            table = _read_parquet(pa.BufferReader(data))
            return table.select(list(INDEX_COLUMNS)).cast(INDEX_SCHEMA), stamp
        except Exception:
            return None, stamp

    def _learn(self, table: pa.Table | None) -> None:
        """Add the rows of ``table`` this cache does not know yet to its index."""
        known = self._index if self._index is not None else {}
        if table is None:
            return
        hashes = table.column("hash").to_pylist()
        fresh = [i for i, h in enumerate(hashes) if h not in known]
        if len(fresh) < len(hashes):
            table = table.take(fresh)
        try:
            decoded = _entries(table)
        except Exception:  # a row that is not ours: trust none of the file
            self._table = None
            return
        known.update(decoded)

    def get(self, content_hash: str) -> CachedFile | None:
        """Return the cached entry for ``content_hash`` or None."""
        return self._new.get(content_hash) or self._load().get(content_hash)

    def put(self, content_hash: str, entry: CachedFile) -> None:
        """Remember an entry; it is written to disk by :meth:`flush` (or :meth:`flush_if_due`)."""
        self._new[content_hash] = entry

    def flush_if_due(self) -> bool:
        """:meth:`flush` if there are new entries and the flush interval has passed.

        Returns True when it wrote the index.
        """
        if not self._new or time.monotonic() < self._next_flush or self.problem is not None:
            return False  # after a failed write only the final flush tries again
        self.flush()
        return True

    def flush(self) -> None:
        """Merge every new entry into the index on disk, atomically, under the index lock.

        Entries another run wrote since this one last read the index are kept
        (and learnt, so this run's :meth:`get` finds them too).
        """
        if self._new_files:
            self._flush_files()
        if not self._new:
            return
        try:
            self._flush()
        except OSError as err:
            if self.problem is None:
                self.problem = (
                    f"{self.root.parent}: the cache folder cannot be written"
                    f" ({err.strerror or err}); nothing parsed in this run is kept for the next."
                )
            raise

    def _flush(self) -> None:
        started = time.monotonic()
        known = self._load()
        with _locked(self.lock_path):
            table = self._table
            if self._stamp is None or _file_stamp(self.index_path) != self._stamp:
                table, self._stamp = self._read_index()
                self._table = table
                self._learn(table)
                table = self._table
            on_disk = set(table.column("hash").to_pylist()) if table is not None else set()
            missing = {h: e for h, e in {**known, **self._new}.items() if h not in on_disk}
            if missing:
                rows = _rows_table(missing)
                out = rows if table is None else pa.concat_tables([table, rows]).combine_chunks()
                with atomic_path(self.index_path) as tmp:
                    pq.write_table(out, tmp)
                    stamp = _file_stamp(tmp)
                self._table, self._stamp = out, stamp
        known.update(self._new)
        self._new = {}
        cost = time.monotonic() - started
        self._next_flush = time.monotonic() + max(self.flush_every_s, FLUSH_COST_FACTOR * cost)

    def _flush_files(self) -> None:
        """Write the file identities learnt (merged with the table as read; last writer wins)."""
        known = {**(self._files or {}), **self._new_files}
        table = pa.table({"key": list(known), "hash": list(known.values())}, schema=FILES_SCHEMA)
        with suppress(OSError), atomic_path(self.files_path) as tmp:
            pq.write_table(table, tmp)
        self._files, self._new_files = known, {}

    def store_samples(
        self, content_hash: str, parsed: ParsedFile, indices: Sequence[int] | None = None
    ) -> None:
        """Write the per-sample data of a file's activities (for notebooks).

        ``indices``: the activities to write (all when None); each row carries
        its ``activity_index``.
        """
        chosen = [
            (index, activity.samples)
            for index, activity in enumerate(parsed.activities)
            if indices is None or index in indices
        ]
        if not chosen:
            return
        # Straight from the NumPy columns (no DataFrame): a column an activity lacks is NaN.
        names = list(dict.fromkeys(name for _, samples in chosen for name in samples))
        sizes = [len(next(iter(samples.values()))) if samples else 0 for _, samples in chosen]
        columns = {
            "activity_index": np.concatenate(
                [
                    np.full(n, index, dtype=np.int64)
                    for (index, _), n in zip(chosen, sizes, strict=True)
                ]
            )
        }
        for name in names:
            columns[name] = np.concatenate(
                [
                    samples[name] if name in samples else np.full(n, np.nan)
                    for (_, samples), n in zip(chosen, sizes, strict=True)
                ]
            )
        table = pa.table(columns)
        with atomic_path(self.samples_path(content_hash)) as tmp:
            pq.write_table(table, tmp)

    def load_samples(self, content_hash: str) -> pd.DataFrame | None:
        """Return the cached samples of a file, or None when absent or unreadable."""
        try:
            return _read_parquet(self.samples_path(content_hash)).to_pandas()
        except Exception:
            return None


def file_key(source: Source, limits: Limits) -> str | None:
    """The identity of a source's file as :meth:`Cache.hash_of` looks it up.

    Path, zip members, gz flag, device, inode, size, modification and change
    times [ns] of the file on disk (the outer zip for members), and the run's
    limits. None when the file cannot be stat'ed or changed less than
    :data:`RACY_S` seconds ago (then it is read and hashed).
    """
    try:
        st = os.stat(source.path)
    except OSError:
        return None
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_S * 1e9:
        return None
    return "\0".join(
        (
            os.path.abspath(source.path),
            *source.members,
            "gz" if source.gz else "",
            f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}",
            repr(limits),
        )
    )


def _flush_interval() -> float:
    try:
        value = float(os.environ.get("RUNAUDIT_CACHE_FLUSH_S", FLUSH_EVERY_S))
    except ValueError:
        return FLUSH_EVERY_S
    return value if value >= 0 else FLUSH_EVERY_S


def _stamp(st: os.stat_result) -> _Stamp:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _file_stamp(path: Path) -> _Stamp | None:
    try:
        return _stamp(os.stat(path))
    except OSError:
        return None


def _read_parquet(source: Any) -> pa.Table:
    """One Parquet file as a table, in this thread.

    ``pq.ParquetFile`` rather than ``pq.read_table``, which imports
    ``pyarrow.dataset`` (about 0.3 s, more than the whole read of a warm run's
    index).
    """
    return pq.ParquetFile(source).read(use_threads=False)


def _entries(table: pa.Table) -> dict[str, CachedFile]:
    """The index rows of ``table`` by hash; the JSON columns decoded in one call each."""
    columns = {name: table.column(name).to_pylist() for name in INDEX_COLUMNS}
    problems = json.loads("[" + ",".join(columns["problems"]) + "]")
    summaries = json.loads("[" + ",".join(columns["summaries"]) + "]")
    if not (len(problems) == len(summaries) == table.num_rows):
        raise ValueError("index columns of different lengths")
    entries = {
        content_hash: CachedFile(
            fmt,
            kind,
            file_type,
            tuple(problem),
            error,
            tuple(ActivitySummary.from_dict(d) for d in summary),
        )
        for content_hash, fmt, kind, file_type, problem, error, summary in zip(
            columns["hash"],
            columns["format"],
            columns["kind"],
            columns["file_type"],
            problems,
            columns["error"],
            summaries,
            strict=True,
        )
    }
    # a row the parsers could not have written (a start in year 9999) is parsed again
    return {h: e for h, e in entries.items() if _plausible(e)}


def _plausible(entry: CachedFile) -> bool:
    """Whether every dated summary of ``entry`` starts and ends within 1980..2099."""
    return all(
        not math.isfinite(value) or EARLIEST_S <= value < LATEST_S
        for summary in entry.summaries
        if summary.date_known
        for value in (summary.start_utc, summary.end_utc)
    )


def _rows_table(entries: Mapping[str, CachedFile]) -> pa.Table:
    values = entries.values()
    rows = {
        "hash": list(entries),
        "format": [e.format for e in values],
        "kind": [e.kind for e in values],
        "file_type": [e.file_type for e in values],
        "problems": [json.dumps(list(e.problems)) for e in values],
        "error": [e.error for e in values],
        "summaries": [json.dumps([x.to_dict() for x in e.summaries]) for e in values],
    }
    return pa.table(rows, schema=INDEX_SCHEMA)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path``; without ``fcntl`` or lock support, none."""
    try:
        import fcntl
    except ImportError:  # Windows: the caller's re-read and merge still apply
        yield
        return
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        with suppress(OSError):  # a filesystem without locks (some network mounts)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
