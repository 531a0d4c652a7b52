"""What one cache-index flush costs with N entries already on disk (issue 13, resume).

    PYTHONPATH=src .venv/bin/python benchmarks/bench_cache_flush.py --entries 2000

Entries are the real cache entries of ``sample_data`` repeated under fresh hashes.
Measures, median of ``--repeat`` runs: a flush that adds ``--batch`` new entries
when only this run writes the index; the same when another run replaced the
index in between (re-read, merge, write); the warm read of the whole index.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from runaudit import ingest
from runaudit.cache import Cache

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ingest([SAMPLE], cache_dir=Path(tmp) / "sample", jobs=1)
        real = [e for e in Cache(Path(tmp) / "sample")._load().values() if e.kind != "error"]
        serial = iter(range(10**9))

        def fresh(n: int) -> dict[str, object]:
            return {
                hashlib.sha256(str(next(serial)).encode()).hexdigest(): real[i % len(real)]
                for i in range(n)
            }

        folder = Path(tmp) / "bench"
        seed = Cache(folder)
        for h, e in fresh(args.entries).items():
            seed.put(h, e)  # type: ignore[arg-type]
        seed.flush()
        alone, shared, reads = [], [], []
        mine, other = Cache(folder), Cache(folder)
        mine.get("x"), other.get("x")
        for _ in range(args.repeat):
            for h, e in fresh(args.batch).items():
                mine.put(h, e)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            mine.flush()
            alone.append(time.perf_counter() - t0)
            for h, e in fresh(args.batch).items():
                other.put(h, e)  # type: ignore[arg-type]
            other.flush()  # the other run writes; mine must re-read and merge
            for h, e in fresh(args.batch).items():
                mine.put(h, e)  # type: ignore[arg-type]
            t0 = time.perf_counter()
            mine.flush()
            shared.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            Cache(folder).get("x")
            reads.append(time.perf_counter() - t0)
        final = len(Cache(folder)._load())
    ms = 1e3
    print(f"index: {args.entries} entries at start, {final} at the end; batch {args.batch}")
    print(f"flush, one run:        {statistics.median(alone) * ms:6.1f} ms (median)")
    print(f"flush, after another:  {statistics.median(shared) * ms:6.1f} ms (median)")
    print(f"warm read of the index:{statistics.median(reads) * ms:6.1f} ms (median)")


if __name__ == "__main__":
    main()
