"""The parse stage on a real Dask LocalCluster with worker processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed (pip install 'runaudit[dask]')"
)

from runaudit import load_export  # noqa: E402
from runaudit.cohort import load_roster  # noqa: E402
from runaudit.reading.backends.cluster import batch_size, parse_on_cluster  # noqa: E402
from runaudit.reading.sources import Limits, discover  # noqa: E402
from runaudit_demo.synth import make_run, write_gpx, write_training_block  # noqa: E402

MONDAY = datetime(2026, 3, 2)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cohort")
    write_training_block(root / "ana", MONDAY, [20, 24, 28, 40], seed=1)
    write_training_block(root / "bo", MONDAY, [30, 30, 12, 35], cadence_spm=156, seed=2)
    return root


def _findings_json(audit) -> str:
    return audit.findings_frame().to_json(orient="records", date_format="iso")


def test_single_export_equals_local_and_ran_on_workers(client, cohort):
    local = load_export(cohort / "ana", use_cache=False, jobs=1)
    remote = load_export(cohort / "ana", use_cache=False, client=client)
    pd.testing.assert_frame_equal(local.activities, remote.activities)
    pd.testing.assert_frame_equal(local.weekly, remote.weekly)
    assert _findings_json(local) == _findings_json(remote)
    assert len(remote.activities) == 16

    found = discover([cohort / "ana"], Limits())
    seen: dict[int, object] = {}
    results, pids = parse_on_cluster(
        client, list(enumerate(found.sources)), limits=Limits(), on_result=seen.__setitem__
    )
    assert len(results) == 16 and all(e.error is None for e in results.values())
    assert seen == results  # each file handed on as its batch came back (the cache's feed)
    worker_pids = set(client.run(os.getpid).values())
    assert pids and pids <= worker_pids and os.getpid() not in pids


def test_roster_equals_local_and_round_trips_parquet(client, cohort, tmp_path):
    local = load_roster(cohort, use_cache=False, jobs=1)
    remote = load_roster(cohort, use_cache=False, client=client)
    assert list(remote.audits) == ["ana", "bo"]
    for name in local.audits:
        a, b = local.audits[name], remote.audits[name]
        pd.testing.assert_frame_equal(a.weekly, b.weekly)
        assert _findings_json(a) == _findings_json(b)
    pd.testing.assert_frame_equal(local.weekly, remote.weekly)
    assert set(remote.weekly["athlete"]) == {"ana", "bo"}
    assert len(remote.ledger) == 32

    out = remote.to_parquet(tmp_path / "pq")
    back = pd.read_parquet(out / "weekly")
    assert sorted(back["athlete"].astype(str).unique()) == ["ana", "bo"]
    assert back["distance_km"].sum() == pytest.approx(remote.weekly["distance_km"].sum())
    import dask.dataframe as dd

    ddf = dd.read_parquet(out / "ledger").compute()
    assert len(ddf) == 32


def test_hanging_file_is_skipped_with_timeout(client, tmp_path):
    # a 1 Hz GPX marathon: its one-pass read runs Python handlers for ~15,000 points,
    # well over 0.05 s (a compiled FIT decode can finish inside the limit)
    run = make_run(datetime(2026, 3, 3, 7, tzinfo=UTC), 42.0, interval_s=1.0, seed=5)
    write_gpx(run, tmp_path / "marathon.gpx")
    audit = load_export(
        tmp_path, use_cache=False, client=client, limits=Limits(max_seconds_per_file=0.05)
    )
    (entry,) = audit.ingest.ledger
    assert entry.bucket == "skipped"
    assert "took longer than 0.05 s" in entry.reason


def test_unreadable_path_names_the_path(client, tmp_path):
    path = tmp_path / "gone.fit"
    path.write_bytes(b"x")
    found = discover([path], Limits())
    path.unlink()
    results, _ = parse_on_cluster(client, list(enumerate(found.sources)), limits=Limits())
    assert str(path) in results[0].error and "readable from the workers" in results[0].error


def test_killed_worker_loses_nothing(client, cohort):
    found = discover([cohort], Limits())
    items = list(enumerate(found.sources)) * 3  # a slowish set: 96 files
    items = [(i, s) for i, (_, s) in enumerate(items)]
    pids = list(client.run(os.getpid).values())

    def kill_one() -> None:
        time.sleep(1.0)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one)
    killer.start()
    results, _ = parse_on_cluster(client, items, limits=Limits())
    killer.join()
    assert sorted(results) == list(range(len(items)))
    assert all(e.error is None for e in results.values())
    client.cluster.scale(2)  # the nanny restarts it anyway; keep two for the others


def test_batch_size_bounds():
    assert batch_size(1, 2) == 1
    assert batch_size(800, 2) == 64
    assert batch_size(80, 2) == 10
    assert json.dumps(batch_size(0, 0)) == "1"


def test_cli_scheduler_matches_local(client, cohort):
    from click.testing import CliRunner

    from runaudit.cli import cli

    path = str(cohort / "bo")
    args = ["findings", path, "--format", "json", "--no-cache", "-q"]
    local = CliRunner().invoke(cli, args)
    remote = CliRunner().invoke(cli, [*args, "--scheduler", client.cluster.scheduler_address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert json.loads(remote.output) == json.loads(local.output)


def test_cli_roster_report_on_the_cluster_matches_local(client, cohort, tmp_path):
    """report --roster --scheduler: one pass over every athlete's files on the workers,
    the same per-athlete findings.json as the local run."""
    from click.testing import CliRunner

    from runaudit.cli import cli

    base = ["report", str(cohort), "--roster", "--no-cache", "-q"]
    local = CliRunner().invoke(cli, [*base, "--out", str(tmp_path / "local")])
    address = client.cluster.scheduler_address
    remote = CliRunner().invoke(
        cli, [*base, "--out", str(tmp_path / "remote"), "--scheduler", address]
    )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert remote.stdout.replace("remote", "local") == local.stdout
    for name in ("ana", "bo"):
        mine = json.loads((tmp_path / "remote" / name / "findings.json").read_text())
        theirs = json.loads((tmp_path / "local" / name / "findings.json").read_text())
        assert mine == theirs and mine
    assert "bo: " in remote.stdout


def test_a_file_whose_worker_keeps_dying_is_skipped_with_its_reason(tmp_path):
    """Each worker is SIGKILLed while it runs a task: the scheduler gives up on the task
    (allowed-failures 0 here), the files are tried alone, and each one whose worker died
    again ends skipped with its reason, not cached; nothing raises."""
    import dask

    from runaudit.intake.pipeline import read_all
    from runaudit.reading.backends.cluster import WORKER_CRASH_REASON
    from runaudit.reading.cache import Cache

    for i in range(2):  # 1 Hz marathons: a task runs long enough to be caught
        run = make_run(datetime(2026, 3, 3 + i, 7, tzinfo=UTC), 42.0, interval_s=1.0, seed=i)
        write_gpx(run, tmp_path / f"{i}.gpx")
    found = discover([tmp_path], Limits())
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None
        )
    stop = threading.Event()
    kills: list[int] = []
    try:
        with distributed.Client(cluster) as client:

            def killer() -> None:  # kill whichever worker is running a task
                while not stop.is_set():
                    with contextlib.suppress(Exception):
                        busy = [a for a, keys in client.processing().items() if keys]
                        if busy:
                            for pid in client.run(os.getpid, workers=busy).values():
                                os.kill(pid, signal.SIGKILL)
                                kills.append(pid)
                    stop.wait(0.005)

            thread = threading.Thread(target=killer, daemon=True)
            thread.start()
            cache = Cache(tmp_path / "cache")
            outcomes = read_all(found.sources, limits=Limits(), cache=cache, jobs=1, client=client)
            stop.set()
            thread.join()
    finally:
        stop.set()
        cluster.close()
    assert kills
    reasons = [o.entry.error for o in outcomes]
    assert set(reasons) <= {None, WORKER_CRASH_REASON} and WORKER_CRASH_REASON in reasons
    fresh = Cache(tmp_path / "cache")
    for outcome in outcomes:
        assert (fresh.get(outcome.content_hash) is None) == (outcome.entry.error is not None)
