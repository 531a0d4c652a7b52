"""Every file of the shared real-data corpus is read, classified sensibly and,
for running files, matches the reference values of Garmin's official SDK."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest

from runaudit.intake.pipeline import Ingest, ingest

from .conftest import realdata_dir, realdata_manifest

MANIFEST = realdata_manifest()
ENTRIES = MANIFEST or [{"path": "(corpus absent)"}]


@cache
def _ingest(path: str) -> Ingest:
    return ingest([Path(path)], use_cache=False, jobs=1)


def _bucket_of(entry: dict, result: Ingest) -> str:
    assert len(result.ledger) == 1, "exactly one bucket per file"
    return result.ledger[0].bucket


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["path"] for e in ENTRIES])
def test_each_file_lands_in_one_sensible_bucket(realdata, entry):
    result = _ingest(str(realdata / entry["path"]))
    bucket = _bucket_of(entry, result)
    reason = result.ledger[0].reason
    assert reason, "every bucket carries a reason"
    sport = entry["sport"] or ""
    if entry.get("running_reference"):
        assert bucket == "run", reason
    elif entry["format"] == "fit" and not entry["sport"]:
        assert bucket in ("not_activity", "skipped"), reason
    elif sport and "running" not in sport.lower():
        assert bucket == "other_sport", reason
    if "CORRUPT" in (entry.get("corrupt_or_odd") or ""):
        assert bucket == "run"
        assert any(w in reason for w in ("truncated", "CRC", "unreadable", "ends early")), reason


def _references():
    out = []
    for entry in MANIFEST:
        for k, ref in enumerate(entry.get("running_reference") or []):
            out.append(pytest.param(entry, k, ref, id=f"{entry['path']}#{k}"))
    return out or [pytest.param({}, 0, {}, id="(corpus absent)")]


@pytest.mark.parametrize(("entry", "k", "ref"), _references())
def test_running_references_match(realdata, entry, k, ref):
    acts = _ingest(str(realdata / entry["path"])).activities
    if "start_time_utc" not in ref:
        pytest.skip("no reference values for this file")
    start = datetime.fromisoformat(ref["start_time_utc"].replace("Z", "+00:00")).astimezone(UTC)
    # the run that starts at the reference time (chained copies are counted once)
    match = acts[(acts["start_utc"] - start).abs() <= pytest.importorskip("pandas").Timedelta("2s")]
    assert len(match) == 1, acts[["start_utc", "distance_km"]]
    row = match.iloc[0]
    if ref.get("session_total_distance"):
        assert row["distance_km"] * 1000 == pytest.approx(ref["session_total_distance"], rel=0.005)
    if ref.get("record_time_weighted_cadence_spm"):
        assert abs(row["cadence_spm"] - ref["record_time_weighted_cadence_spm"]) <= 2.0
    if "activity_utc_offset_s" in ref:
        assert row["utc_offset_s"] == ref["activity_utc_offset_s"]
        assert row["tz_source"] == "file"
    if ref.get("session_total_timer_time"):
        assert row["moving_time_s"] <= ref["session_total_elapsed_time"] + 1
    if ref.get("session_total_descent") and ref["session_total_descent"] > 50:
        # smoothed descent vs the device's barometric total: same order of magnitude
        assert math.isclose(row["descent_m"], ref["session_total_descent"], rel_tol=0.25)


def test_whole_corpus_in_one_run_every_file_once(realdata):
    result = ingest([realdata], use_cache=False, jobs=2)
    files = [p for p in realdata.rglob("*") if p.suffix.lower() in (".fit", ".gpx", ".tcx")]
    assert len(result.ledger) == len(files)
    assert sorted(e.source for e in result.ledger) == sorted(str(p) for p in files)
    counts = result.counts()
    assert counts["run"] >= 10
    assert counts["not_activity"] >= 9
    # identical copies in fitdecode/ and python-fitparse/ are duplicates, not double-counted
    assert result.activities["activity_id"].is_unique


def test_corpus_location_can_be_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("RUNAUDIT_REALDATA", str(tmp_path))
    assert realdata_dir() == tmp_path


def test_runs_from_a_watch_whose_clock_was_never_set_stay_out_of_the_weeks(realdata):
    from runaudit import audit_ingest

    result = _ingest(str(realdata / "fitdecode/tests/files/compressed-speed-distance.fit"))
    row = result.activities.iloc[0]
    assert not row["date_known"]  # FIT times below 0x10000000 count from power-on
    assert "device clock was not set" in result.ledger[0].reason
    audit = audit_ingest(result)
    assert audit.activities.empty and audit.weekly.empty
