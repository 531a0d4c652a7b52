"""The cluster path against unlucky and hostile setups (issue 19.6): a service that is
not Dask, protocols runaudit does not speak, missing or malformed scheduler files,
relative paths, and a scheduler killed mid-run. Loopback addresses only."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed (pip install 'runaudit[dask]')"
)

from runaudit.cli import cli  # noqa: E402
from runaudit.errors import InputError  # noqa: E402
from runaudit.intake.pipeline import read_all  # noqa: E402
from runaudit.reading.backends.cluster import ClusterLost, connect  # noqa: E402
from runaudit.reading.cache import Cache  # noqa: E402
from runaudit.reading.sources import Limits, discover  # noqa: E402
from runaudit_demo.synth import make_run, write_gpx  # noqa: E402

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def _export(folder: Path, n: int, interval_s: float = 10.0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        run = make_run(MONDAY + timedelta(days=i), 6.0, interval_s=interval_s, seed=i)
        write_gpx(run, folder / f"run{i}.gpx")
    return folder


def _error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.fixture
def silent_server():
    """A plain TCP server on loopback that accepts and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):  # the 0.2 s accept timeout
                held.append(server.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_connect_to_a_service_that_is_not_dask_fails_within_the_timeout(silent_server):
    started = time.monotonic()
    with pytest.raises(
        InputError, match=r"no answer from the Dask scheduler at tcp://127\.0\.0\.1"
    ):
        connect(silent_server, timeout_s=2.0)
    assert time.monotonic() - started < 2.0 + 2.0


def test_cli_silent_service_is_one_error_line_within_the_timeout(silent_server, tmp_path):
    export = _export(tmp_path / "export", 1)
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["weekly", str(export), "-q", "--no-cache", "--scheduler", silent_server, "--timeout", "2"],
        catch_exceptions=False,
    )
    assert time.monotonic() - started < 2.0 + 3.0
    line = _error_line(result)
    assert "within 2 s" in line and "--timeout" in line


def test_default_timeout_is_documented_and_at_most_15_s():
    result = CliRunner().invoke(cli, ["weekly", "--help"])
    assert "--timeout" in result.output and "default: 10.0" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("tls://127.0.0.1:8786", "runaudit connects over tcp:// only, not tls://."),
        ("ucx://127.0.0.1:8786", "runaudit connects over tcp:// only, not ucx://."),
        ("scheduler.json", "scheduler.json: no such scheduler file (--scheduler)."),
    ],
)
def test_unusable_scheduler_address_is_one_error_line(tmp_path, address, expected):
    export = _export(tmp_path / "export", 1)
    result = CliRunner().invoke(
        cli, ["weekly", str(export), "-q", "--no-cache", "--scheduler", address],
        catch_exceptions=False,
    )  # fmt: skip
    assert _error_line(result).endswith(expected)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not readable JSON: JSONDecodeError"),
        (b"[" * 100_000, "not readable JSON: RecursionError"),
        (b"[1, 2]", 'no "address"'),
        (b'{"address": "ucx://127.0.0.1:1"}', "tcp:// only, not ucx://"),
        (b'{"address": "tls://127.0.0.1:1"}', "tcp:// only, not tls://"),
    ],
)
def test_malformed_scheduler_file_is_one_error_line(tmp_path, content, why):
    export = _export(tmp_path / "export", 1)
    path = tmp_path / "scheduler.json"
    path.write_bytes(content)
    result = CliRunner().invoke(
        cli, ["weekly", str(export), "-q", "--no-cache", "--scheduler", str(path)],
        catch_exceptions=False,
    )  # fmt: skip
    line = _error_line(result)
    assert line.startswith(f"Error: {path}: ") and why in line


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=1, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_relative_paths_reach_the_workers_as_absolute_paths(client, tmp_path, monkeypatch):
    """The worker started in another folder; a relative PATH gave no runs and exit 0."""
    _export(tmp_path / "export", 3)
    monkeypatch.chdir(tmp_path)  # the workers stay in the folder they started in
    found = discover(["export"], Limits())
    assert not os.path.isabs(found.sources[0].path)
    outcomes = read_all(found.sources, limits=Limits(), cache=None, jobs=1, client=client)
    assert [o.entry.error for o in outcomes] == [None, None, None]
    assert [o.entry.kind for o in outcomes] == ["activity"] * 3


def _start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_scheduler_killed_mid_run_is_one_error_and_the_parsed_files_stay_cached(tmp_path):
    export = _export(tmp_path / "export", 24, interval_s=1.0)
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = _start(
        "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
        "--scheduler-file", str(scheduler_file), "--no-dashboard", cwd=tmp_path,
    )  # fmt: skip
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        worker = _start(
            "distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file),
            "--nworkers", "1", "--nthreads", "1", "--no-dashboard", cwd=tmp_path,
        )  # fmt: skip
        client = connect(str(scheduler_file))
        try:
            client.wait_for_workers(1, timeout=60)
            cache = Cache(tmp_path / "cache", flush_every_s=0.0)
            parsed: list[int] = []

            def progress(done: int, total: int) -> None:
                parsed.append(done)
                if done == 3:
                    scheduler.kill()

            with pytest.raises(ClusterLost) as info:
                read_all(
                    discover([export]).sources,
                    limits=Limits(),
                    cache=cache,
                    jobs=1,
                    client=client,
                    progress=progress,
                )
            message = str(info.value)
            assert message.startswith("lost the Dask cluster after ")
            assert message.endswith("the files parsed so far are kept in the cache.")
            kept = len(Cache(tmp_path / "cache")._load())
            assert 3 <= kept < 24
            assert f"after {kept} of 24 files" in message
        finally:
            client.close(timeout=2)
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.kill()
                proc.wait(timeout=30)
