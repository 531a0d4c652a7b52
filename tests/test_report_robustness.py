"""The report is written completely or not at all, whatever the export or the disk holds."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runaudit.audit import load_export
from runaudit_demo import synth

MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Distance,"
    "Activity Gear,Filename,Elapsed Time,Moving Time,Distance"
)


def three_shoes_and_pain(folder: Path) -> Path:
    """Six weeks on two shoes, then a third shoe in the last two weeks, and one pain
    entry of 7 in the last week (the case of issue 19 that crashed the report)."""
    (folder / "activities").mkdir(parents=True)
    rows = [HEADER]
    i = 0
    for week in range(8):
        for day, km in ((1, 8.0), (3, 8.0), (6, 12.0)):
            shoe = "Vaporfly" if week >= 6 else ("Pegasus" if day != 6 else "Ghost")
            when = MONDAY + timedelta(weeks=week, days=day)
            run = synth.make_run(when, km, interval_s=10.0, seed=i)
            (folder / "activities" / f"{i}.fit").write_bytes(synth.fit_bytes(run))
            date = when.strftime("%b %-d, %Y, %-I:%M:%S %p")
            cells = [str(i), date, "Run", "Run", "0", f"{km:.2f}", shoe]
            cells += [f"activities/{i}.fit", "0.0", "0.0", f"{km * 1000:.1f}"]
            rows.append(",".join(f'"{c}"' for c in cells))
            i += 1
    (folder / "activities.csv").write_text("\n".join(rows) + "\n")
    pain_day = MONDAY + timedelta(weeks=7, days=2)
    (folder / "pain.csv").write_text(f"date,pain\n{pain_day:%Y-%m-%d},7\n")
    return folder


@pytest.fixture(scope="module")
def shoes_audit(tmp_path_factory):
    export = three_shoes_and_pain(tmp_path_factory.mktemp("shoes") / "export")
    return load_export(export, use_cache=False, jobs=1)


def test_a_new_shoe_before_the_pain_does_not_break_the_report(shoes_audit, tmp_path):
    """Issue 19: a new-shoe trigger has no ratio; the report used to end in TypeError
    (float(None)) with the PNGs written and no index.html."""
    from runaudit.report.writer import write_report

    (pain,) = [f for f in shoes_audit.findings if f.rule == "knee_pain"]
    assert any(t["dimension"] == "new_shoe" for t in pain.evidence["triggers"])
    files = write_report(shoes_audit, tmp_path / "out", pdf=True)
    html = files.index.read_text()
    assert "a new shoe (Vaporfly)" in html


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    """Three weeks of GPX runs (no cadence): a quick export for the command line."""
    folder = tmp_path_factory.mktemp("small") / "export"
    folder.mkdir()
    for week in range(3):
        for day in (1, 4):
            when = MONDAY + timedelta(weeks=week, days=day)
            run = synth.make_run(when, 6.0, interval_s=10.0, seed=week * 7 + day)
            synth.write_gpx(run, folder / f"w{week}d{day}.gpx", cadence=False)
    return folder


def _report(args: list[str]):
    from click.testing import CliRunner

    from runaudit.cli import cli

    return CliRunner().invoke(cli, ["report", *args, "--no-cache", "-q", "-j", "1"])


def _one_error_line(result, folder: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write the report to ")
    assert folder in lines[0] and "Traceback" not in result.output


def test_a_chart_without_data_is_one_line_of_text(small_export, tmp_path):
    result = _report([str(small_export), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r" / "index.html").read_text()
    assert '<p class="nodata" id="nodata-cadence">No cadence chart: none of the runs' in html
    assert 'id="fig-cadence' not in html and not (tmp_path / "r" / "cadence.png").exists()
    assert 'id="fig-weekly_distance"' in html and 'id="fig-descent"' in html


def test_out_dev_null_is_one_error_line(small_export):
    _one_error_line(_report([str(small_export), "--out", "/dev/null"]), "/dev/null")


@pytest.mark.skipif(
    not Path("/sys/kernel").is_dir(), reason="needs Linux's /sys (no new folders, even for root)"
)
def test_out_on_a_read_only_file_system_is_one_error_line(small_export):
    """/sys refuses new folders even to root: a read-only folder CI can make."""
    target = "/sys/runaudit-report"
    _one_error_line(_report([str(small_export), "--out", target]), target)
    assert not Path(target).exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 folder")
def test_out_in_a_folder_without_write_permission_is_one_error_line(small_export, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        _one_error_line(_report([str(small_export), "--out", str(locked / "r")]), str(locked))
    finally:
        locked.chmod(0o755)


def test_a_full_disk_leaves_the_previous_report_whole(small_export, tmp_path, monkeypatch):
    """ENOSPC on the fourth file: the error names the folder, the report written before
    is still there unchanged, no staging folder is left behind."""
    import errno

    from runaudit.report import writer

    out = tmp_path / "r"
    assert _report([str(small_export), "--out", str(out), "--title", "first"]).exit_code == 0
    (out / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real = writer._write_bytes

    def full(path, data):
        calls.append(path.name)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(writer, "_write_bytes", full)
    result = _report([str(small_export), "--out", str(out), "--title", "second"])
    _one_error_line(result, str(out))
    assert "no space left on device" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["r"]


def test_a_report_replaces_its_files_and_keeps_the_users(small_export, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "index.html").write_text("old")
    assert _report([str(small_export), "--out", str(out)]).exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "index.html").read_text().startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


@pytest.mark.parametrize(
    ("umask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)]
)
def test_report_files_follow_the_umask(shoes_audit, tmp_path, umask, file_mode, dir_mode):
    from runaudit.report.writer import write_report

    old = os.umask(umask)
    try:
        files = write_report(shoes_audit, tmp_path / "r", pdf=True)
    finally:
        os.umask(old)
    assert stat.S_IMODE(files.folder.stat().st_mode) == dir_mode
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files.folder.iterdir()}
    assert "report.pdf" in modes and "index.html" in modes
    assert set(modes.values()) == {file_mode}
