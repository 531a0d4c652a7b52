"""A parser process that dies takes no file with it (local process pool, real kills)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runaudit.intake.pipeline import CRASH_REASON, read_all
from runaudit.reading.cache import Cache
from runaudit.reading.sources import Limits, discover
from runaudit_demo.synth import make_run, write_gpx

T0 = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash")
    for i in range(8):  # 1 Hz, 90 min: long enough to be in flight when a worker dies
        run = make_run(T0 + timedelta(days=i), 14.0 + i, interval_s=1.0, seed=i)
        write_gpx(run, folder / f"{i}.gpx")
    return folder


class Killer(threading.Thread):
    """SIGKILLs this process's worker children: once, or every one it sees until stopped."""

    def __init__(self, *, once: bool) -> None:
        super().__init__(daemon=True)
        self.once, self.kills, self.stop = once, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for child in multiprocessing.active_children():
                if child.pid and child.is_alive():
                    try:
                        os.kill(child.pid, signal.SIGKILL)
                    except ProcessLookupError:  # it ended between the two lines
                        continue
                    self.kills += 1
                    if self.once:
                        return
            self.stop.wait(0.005)


def _read(export: Path, cache: Cache, killer: Killer | None = None):
    found = discover([export], Limits())
    if killer is not None:
        killer.start()
    try:
        return read_all(found.sources, limits=Limits(), cache=cache, jobs=2)
    finally:
        if killer is not None:
            killer.stop.set()
            killer.join()


def test_a_killed_worker_loses_no_file(export, tmp_path):
    clean = _read(export, Cache(tmp_path / "clean"))
    killer = Killer(once=True)
    cache = Cache(tmp_path / "killed")
    outcomes = _read(export, cache, killer)
    assert killer.kills == 1
    assert [o.entry.error for o in outcomes] == [None] * 8
    for mine, theirs in zip(outcomes, clean, strict=True):
        assert mine.content_hash == theirs.content_hash
        assert [s.to_dict() for s in mine.entry.summaries] == [
            s.to_dict() for s in theirs.entry.summaries
        ]
    assert all(Cache(tmp_path / "killed").get(o.content_hash) for o in outcomes)


@pytest.fixture(scope="module")
def long_runs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    for i in range(3):  # 1 Hz ultras (~20,000 points): a worker dies well before it is done
        run = make_run(T0 + timedelta(days=i), 60.0, interval_s=1.0, seed=20 + i)
        write_gpx(run, folder / f"ultra{i}.gpx")
    return folder


def test_files_whose_worker_keeps_dying_are_skipped_and_not_cached(long_runs, tmp_path):
    killer = Killer(once=False)
    cache_dir = tmp_path / "doomed"
    outcomes = _read(long_runs, Cache(cache_dir), killer)
    assert killer.kills >= 2
    reasons = [o.entry.error for o in outcomes]
    assert set(reasons) <= {None, CRASH_REASON} and CRASH_REASON in reasons
    fresh = Cache(cache_dir)
    for outcome in outcomes:  # a crash is not the file's fault for good: not remembered
        cached = fresh.get(outcome.content_hash)
        assert (cached is None) == (outcome.entry.error == CRASH_REASON)
    again = _read(long_runs, Cache(cache_dir))  # no killer: the skipped files parse now
    assert [o.entry.error for o in again] == [None] * 3
