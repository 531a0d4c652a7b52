"""A parsed-file cache on disk, keyed by file content hash and parser version.

Layout under the cache folder (``--cache-dir``, ``RUNAUDIT_CACHE_DIR``, else the
user cache directory)::

    v<PARSER_VERSION>/index.parquet            one row per file: its summaries
    v<PARSER_VERSION>/samples/ab/abcdef….parquet  per-sample data of one file

A second run over the same export reads only ``index.parquet``; samples are
read back only when a notebook asks for them. Every write goes to a temporary
file that is then renamed, so an interrupted run never leaves a half-written
file; an unreadable cache file is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from platformdirs import user_cache_dir

from .models import ParsedFile
from .parsers import PARSER_VERSION
from .summary import ActivitySummary


def default_cache_dir() -> Path:
    """Return ``$RUNAUDIT_CACHE_DIR`` or the platform's user cache folder for runaudit."""
    env = os.environ.get("RUNAUDIT_CACHE_DIR")
    return Path(env) if env else Path(user_cache_dir("runaudit"))


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and a rename."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class CachedFile:
    """What the cache remembers about one file: enough to skip parsing it.

    Attributes
    ----------
    format, kind, file_type : str or None
        As in :class:`~runaudit.models.ParsedFile`; ``kind`` is ``"error"`` for
        a file that could not be parsed.
    problems : tuple of str
    error : str or None
        The parse error's reason.
    summaries : tuple of ActivitySummary
        One :func:`~runaudit.summary.summarize` result per activity.
    """

    format: str
    kind: str
    file_type: str | None
    problems: tuple[str, ...]
    error: str | None
    summaries: tuple[ActivitySummary, ...]


class Cache:
    """The parsed-file cache of one folder (see the module docstring)."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.root = (Path(folder) if folder else default_cache_dir()) / f"v{PARSER_VERSION}"
        self._index: dict[str, CachedFile] | None = None
        self._new: dict[str, CachedFile] = {}

    @property
    def index_path(self) -> Path:
        return self.root / "index.parquet"

    def samples_path(self, content_hash: str) -> Path:
        return self.root / "samples" / content_hash[:2] / f"{content_hash}.parquet"

    def _load(self) -> dict[str, CachedFile]:
        if self._index is None:
            self._index = {}
            try:
                table = pq.read_table(self.index_path).to_pylist()
                for row in table:
                    self._index[row["hash"]] = CachedFile(
                        row["format"],
                        row["kind"],
                        row["file_type"],
                        tuple(json.loads(row["problems"])),
                        row["error"],
                        tuple(ActivitySummary.from_dict(d) for d in json.loads(row["summaries"])),
                    )
            except FileNotFoundError:
                pass
            except Exception:
                self._index = {}
        return self._index

    def get(self, content_hash: str) -> CachedFile | None:
        """Return the cached entry for ``content_hash`` or None."""
        return self._new.get(content_hash) or self._load().get(content_hash)

    def put(self, content_hash: str, entry: CachedFile) -> None:
        """Remember an entry; it is written to disk by :meth:`flush`."""
        self._new[content_hash] = entry

    def flush(self) -> None:
        """Write the index with every new entry, atomically."""
        if not self._new:
            return
        merged = {**self._load(), **self._new}
        rows = {
            "hash": list(merged),
            "format": [e.format for e in merged.values()],
            "kind": [e.kind for e in merged.values()],
            "file_type": [e.file_type for e in merged.values()],
            "problems": [json.dumps(list(e.problems)) for e in merged.values()],
            "error": [e.error for e in merged.values()],
            "summaries": [json.dumps([s.to_dict() for s in e.summaries]) for e in merged.values()],
        }
        with atomic_path(self.index_path) as tmp:
            pq.write_table(pa.table(rows), tmp)
        self._index = merged
        self._new = {}

    def store_samples(self, content_hash: str, parsed: ParsedFile) -> None:
        """Write the per-sample data of every activity of a file (for notebooks)."""
        frames = []
        for index, activity in enumerate(parsed.activities):
            frame = pd.DataFrame(activity.samples)
            frame.insert(0, "activity_index", index)
            frames.append(frame)
        if not frames:
            return
        table = pa.Table.from_pandas(pd.concat(frames, ignore_index=True), preserve_index=False)
        with atomic_path(self.samples_path(content_hash)) as tmp:
            pq.write_table(table, tmp)

    def load_samples(self, content_hash: str) -> pd.DataFrame | None:
        """Return the cached samples of a file, or None when absent or unreadable."""
        try:
            return pq.read_table(self.samples_path(content_hash)).to_pandas()
        except Exception:
            return None
