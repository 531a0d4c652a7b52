"""An interrupted cold run keeps every file it finished (issue 13, resume).

Real processes throughout: ``runaudit weekly`` runs as a subprocess and is
stopped part way with SIGINT (to its whole process group, as Ctrl-C in a
terminal does), with SIGTERM, and with ``kill -9``; the tests wait for progress
by polling the cache index, never by fixed sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from runaudit import ingest
from runaudit.reading.cache import Cache, CachedFile, _locked
from runaudit_demo.synth import make_run, write_gpx

SRC = Path(__file__).resolve().parent.parent / "src"
N_FILES = 16
posix_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads process tables from /proc (Linux)"
)


def _variants(folder: Path, template: bytes, n: int, tag: str) -> Path:
    """``n`` GPX files that parse alike but differ in content (so in cache key)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name = f"<name>{tag} {i}</name>".encode()
        (folder / f"{tag}{i:02d}.gpx").write_bytes(
            template.replace(b"<name>Morning Run</name>", name)
        )
    return folder


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 10 km run at 1 Hz (3,300 points): about 0.2 s to parse on the project machine."""
    run = make_run(datetime(2026, 3, 2, 6, 0, tzinfo=UTC), 10.0)
    return write_gpx(run, tmp_path_factory.mktemp("tpl") / "run.gpx").read_bytes()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, template: bytes) -> Path:
    return _variants(tmp_path_factory.mktemp("export"), template, N_FILES, "run")


def _env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, **extra}


def _start(export: Path, cache_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runaudit",
            "weekly",
            str(export),
            "--cache-dir",
            str(cache_dir),
            *args,
        ],
        env=_env(RUNAUDIT_CACHE_FLUSH_S="0.05"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell job has
    )


def _index_rows(cache_dir: Path) -> int:
    try:
        return pq.read_metadata(Cache(cache_dir).index_path).num_rows
    except (OSError, pa.ArrowInvalid):
        return 0


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie nobody has reaped yet counts as ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _poll(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.01)


def _run_part_way(export: Path, cache_dir: Path) -> tuple[subprocess.Popen[str], list[int], int]:
    """Start a cold two-worker run; return it once its index holds its first file."""
    proc = _start(export, cache_dir, "-j", "2")
    try:
        _poll(lambda: _index_rows(cache_dir) >= 1 or proc.poll() is not None, 60, "progress")
        workers = _children(proc.pid)
        seen = _index_rows(cache_dir)
    except BaseException:
        proc.kill()
        raise
    assert proc.poll() is None, proc.communicate()
    assert len(workers) == 2, (workers, seen)
    return proc, workers, seen


def _check_resume(export: Path, cache_dir: Path, kept: int) -> None:
    assert 0 < kept < N_FILES, "the run was not stopped part way"
    again = ingest([export], cache_dir=cache_dir, jobs=2)
    assert (again.parsed, again.cached) == (N_FILES - kept, kept)
    assert len(again.ledger) == N_FILES


@posix_only
@pytest.mark.parametrize(
    ("signum", "group", "name"),
    [(signal.SIGINT, True, "SIGINT"), (signal.SIGTERM, False, "SIGTERM")],
    ids=["ctrl-c", "sigterm"],
)
def test_interrupted_run_keeps_its_files_and_leaves_no_worker(
    export: Path, tmp_path: Path, signum: int, group: bool, name: str
) -> None:
    cache_dir = tmp_path / "cache"
    proc, workers, seen = _run_part_way(export, cache_dir)
    if group:
        os.killpg(proc.pid, signum)  # Ctrl-C: the parent and its workers get SIGINT
    else:
        os.kill(proc.pid, signum)  # a service manager stops the parent only
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum
    assert "Traceback" not in err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    kept = _index_rows(cache_dir)
    assert lines[0] == (
        f"Interrupted by {name} after reading {kept} of {N_FILES} files; the {kept} parsed"
        " in this run are kept in the cache, so the next run parses only the rest."
    )
    assert kept >= seen
    _poll(lambda: not any(_alive(w) for w in workers), 10, f"workers {workers} to exit")
    _check_resume(export, cache_dir, kept)


@posix_only
def test_killed_parent_keeps_what_it_flushed_and_its_workers_die(
    export: Path, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "cache"
    proc, workers, seen = _run_part_way(export, cache_dir)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _poll(lambda: not any(_alive(w) for w in workers), 10, f"orphaned workers {workers} to exit")
    kept = _index_rows(cache_dir)
    assert kept >= seen
    _check_resume(export, cache_dir, kept)


WATCHED_CHILD = """
import os, threading, time
from runaudit.reading.backends.pool import _watch_parent
threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
print("watching", flush=True)
time.sleep(60)
"""
PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
time.sleep(60)
"""


@posix_only
def test_worker_watchdog_ends_a_worker_whose_parent_died_without_prctl() -> None:
    # The portable fallback alone: this child never asked for PR_SET_PDEATHSIG.
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, WATCHED_CHILD], env=_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert parent.stdout.readline() == "watching\n"  # the child's, on the same pipe
        assert _alive(child)
    finally:
        parent.kill()
        parent.wait()
    _poll(lambda: not _alive(child), 10, "the watched child to exit")


def test_two_concurrent_runs_on_one_cache_keep_both_sets(tmp_path: Path, template: bytes) -> None:
    sets = [_variants(tmp_path / name, template, 6, name) for name in ("ann", "bob")]
    cache_dir = tmp_path / "cache"
    runs = [_start(folder, cache_dir, "-j", "1") for folder in sets]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    assert _index_rows(cache_dir) == 12
    again = ingest(sets, cache_dir=cache_dir, jobs=1)
    assert (again.parsed, again.cached) == (0, 12)


FORK_COUNTER = """
import json, multiprocessing, os, sys
multiprocessing.set_start_method("fork", force=True)  # so each worker is one counted fork
forks = []
os.register_at_fork(after_in_parent=lambda: forks.append(1))
from runaudit.cli import main
sys.argv = ["runaudit", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print(len(forks), file=sys.stderr)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="counts forks")
def test_a_fully_cached_run_starts_no_worker_process(tmp_path: Path, template: bytes) -> None:
    folder = _variants(tmp_path / "few", template, 3, "few")
    args = ["weekly", str(folder), "--cache-dir", str(tmp_path / "cache"), "-j", "2", "-q"]

    def forks() -> int:
        done = subprocess.run(
            [sys.executable, "-c", FORK_COUNTER, json.dumps(args)],
            env=_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return int(done.stderr.strip().splitlines()[-1])

    assert forks() == 2  # cold: the two parser processes
    assert forks() == 0  # warm: everything cached, no pool


# The merge and the lock, in one process and without timing.


def _entry(i: int) -> CachedFile:
    return CachedFile("gpx", "error", None, (), f"file {i}", ())


def test_flush_merges_what_another_run_wrote_since(tmp_path: Path) -> None:
    ours, theirs = Cache(tmp_path), Cache(tmp_path)
    assert ours.get("x") is None and theirs.get("x") is None  # both read the empty index
    ours.put("a", _entry(1))
    ours.flush()
    theirs.put("b", _entry(2))
    theirs.flush()  # its view was from before ours wrote: it must re-read, not overwrite
    ours.put("c", _entry(3))
    ours.flush()
    fresh = Cache(tmp_path)
    assert sorted(fresh._load()) == ["a", "b", "c"]
    assert fresh.get("b") == _entry(2)
    assert ours.get("b") == _entry(2)  # learnt from the other run's rows


def test_flush_waits_for_the_index_lock(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("a", _entry(1))
    writer = threading.Thread(target=cache.flush)
    with _locked(cache.lock_path):  # another run is rewriting the index
        writer.start()
        writer.join(0.3)
        assert writer.is_alive()
        assert not cache.index_path.exists()
    writer.join(10)
    assert not writer.is_alive()
    assert _index_rows(tmp_path) == 1


def test_flush_if_due_waits_for_the_interval(tmp_path: Path) -> None:
    cache = Cache(tmp_path, flush_every_s=3600)
    cache.put("a", _entry(1))
    assert cache.flush_if_due() is False
    assert not cache.index_path.exists()
    now = Cache(tmp_path, flush_every_s=0)
    now.put("a", _entry(1))
    assert now.flush_if_due() is True
    assert now.flush_if_due() is False  # nothing new
    assert _index_rows(tmp_path) == 1


#: One summary as the previous code wrote it: summarize()'s dict, field for field.
OLD_SUMMARY = {
    "sport": "running",
    "sub_sport": "generic",
    "start_utc": 1775458800.0,
    "end_utc": 1775460600.0,
    "utc_offset_s": 7200,
    "device": "Garmin Forerunner 255",
    "distance_km": 5.0,
    "moving_time_s": 1800.0,
    "elapsed_time_s": 1800.0,
    "ascent_m": 20.0,
    "descent_m": 19.5,
    "downhill_km": 0.8,
    "cadence_spm": 170.0,
    "run_cadence_spm": 171.0,
    "heart_rate_bpm": 150.0,
    "has_gps": True,
    "n_samples": 1801,
    "channels": 4,
    "date_known": True,
    "cadence_bins": [170, 171],
    "cadence_seconds": [900.0, 900.0],
}


def test_index_written_by_the_previous_code_is_read_and_extended(tmp_path: Path) -> None:
    # The old flush let pyarrow infer types: a column of None only is of type null.
    old = {
        "hash": ["a"],
        "format": ["gpx"],
        "kind": ["activity"],
        "file_type": [None],
        "problems": ["[]"],
        "error": [None],
        "summaries": [json.dumps([OLD_SUMMARY])],
    }
    cache = Cache(tmp_path)
    cache.root.mkdir(parents=True)
    pq.write_table(pa.table(old), cache.index_path)
    entry = cache.get("a")
    assert entry is not None and entry.error is None and entry.file_type is None
    (summary,) = entry.summaries
    assert summary.to_dict() == OLD_SUMMARY
    cache.put("b", _entry(2))
    cache.flush()
    assert sorted(Cache(tmp_path)._load()) == ["a", "b"]
    assert pq.read_schema(cache.index_path).names == list(old)
