"""What one cache-index flush costs with N entries already on disk (issue 13, resume).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_cache_flush.py --entries 2000

Entries are the real cache entries of ``sample_data`` repeated under fresh hashes.
Each repetition starts from a copy of the same ``--entries`` index and measures
(median over ``--repeat``): the warm read of the whole index; a flush adding
``--batch`` new entries when only this run writes the index; the same when
another run replaced the index in between (re-read, merge, write).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import tempfile
import time
from itertools import count
from pathlib import Path

from runaudit import ingest
from runaudit.reading.cache import Cache, CachedFile

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    serial = count()
    with tempfile.TemporaryDirectory() as tmp:
        ingest([SAMPLE], cache_dir=Path(tmp) / "sample", jobs=1)
        real = [e for e in Cache(Path(tmp) / "sample")._load().values() if e.kind != "error"]

        def put(cache: Cache, n: int) -> None:
            for _ in range(n):
                i = next(serial)
                cache.put(hashlib.sha256(str(i).encode()).hexdigest(), real[i % len(real)])

        seed = Cache(Path(tmp) / "seed")
        put(seed, args.entries)
        seed.flush()
        reads, alone, shared = [], [], []
        for rep in range(args.repeat):
            folder = Path(tmp) / f"rep{rep}"
            Cache(folder).root.mkdir(parents=True)
            shutil.copy(seed.index_path, Cache(folder).index_path)
            t0 = time.perf_counter()
            mine = Cache(folder)
            mine.get("x")
            reads.append(time.perf_counter() - t0)
            other = Cache(folder)
            other.get("x")
            put(mine, args.batch)
            t0 = time.perf_counter()
            mine.flush()
            alone.append(time.perf_counter() - t0)
            put(other, args.batch)
            other.flush()  # the other run writes; mine must re-read and merge
            put(mine, args.batch)
            t0 = time.perf_counter()
            mine.flush()
            shared.append(time.perf_counter() - t0)
            final: dict[str, CachedFile] = Cache(folder)._load()
            assert len(final) == args.entries + 3 * args.batch
    ms = 1e3
    print(f"index of {args.entries} entries, flushes of {args.batch} new ones, median:")
    print(f"  warm read of the whole index:       {statistics.median(reads) * ms:6.1f} ms")
    print(f"  flush, this run the only writer:    {statistics.median(alone) * ms:6.1f} ms")
    print(f"  flush, another run wrote meanwhile: {statistics.median(shared) * ms:6.1f} ms")


if __name__ == "__main__":
    main()
