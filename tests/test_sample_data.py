"""The demo athlete in sample_data/ yields what its MANIFEST.json says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runaudit import ingest, weekly_table

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
MANIFEST = json.loads((SAMPLE / "MANIFEST.json").read_text())


@pytest.fixture(scope="module")
def result():
    return ingest([SAMPLE], use_cache=False, jobs=2)


def test_every_file_in_its_bucket(result):
    got = {e.source: e.bucket for e in result.ledger}
    want = {str(SAMPLE / f["path"]): f["bucket"] for f in MANIFEST["files"]}
    assert got == want


def test_runs_match_their_truth(result):
    acts = result.activities.set_index("source")
    for f in MANIFEST["files"]:
        if f["bucket"] != "run":
            continue
        row = acts.loc[str(SAMPLE / f["path"])]
        assert row["distance_km"] == pytest.approx(f["distance_km"], rel=0.005), f["path"]
        assert row["utc_offset_s"] == f["utc_offset_s"], f["path"]
        assert row["week_start"].strftime("%Y-%m-%d") == f["week_start"], f["path"]
        if f.get("descent_m") and f["format"] == "fit" and not f["truncated"]:
            # smoothed descent of noisy GPS altitude vs the noise-free truth
            assert row["descent_m"] == pytest.approx(
                f["descent_m"], abs=max(15, 0.1 * f["descent_m"])
            )
        if f.get("cadence_spm") and f["format"] == "fit":
            assert abs(row["run_cadence_spm"] - f["cadence_spm"]) <= 1.0, f["path"]


def test_weekly_table_matches_the_plan(result):
    weekly = weekly_table(result.activities, result.cadence_hist)
    assert weekly["week_start"].dt.strftime("%Y-%m-%d").tolist() == [
        w["week_start"] for w in MANIFEST["weeks"]
    ]
    for (_, row), week in zip(weekly.iterrows(), MANIFEST["weeks"], strict=True):
        assert row["runs"] == week["runs"]
        assert row["distance_km"] == pytest.approx(week["distance_km"], abs=0.05)
        assert row["long_run_km"] == pytest.approx(week["long_run_km"], abs=0.05)
        assert abs(row["cadence_spm"] - week["cadence_spm"]) <= 1.5
        assert row["descent_m"] == pytest.approx(week["descent_m"], abs=60)


def test_findings_match_the_manifest(result):
    from runaudit import audit_ingest

    audit = audit_ingest(result, pain=SAMPLE / MANIFEST["pain_diary"]["path"])
    got = {(f.rule, f.week_start.isoformat(), f.severity) for f in audit.findings}
    want = {(f["rule"], f["week_start"], f["severity"]) for f in MANIFEST["expected_findings"]}
    assert got == want


def test_weekly_pain_matches_the_diary(result):
    from runaudit import audit_ingest

    audit = audit_ingest(result, pain=SAMPLE / MANIFEST["pain_diary"]["path"])
    assert audit.pain is not None and len(audit.pain.entries) == MANIFEST["pain_diary"]["entries"]
    weekly = audit.weekly.set_index(audit.weekly["week_start"].dt.strftime("%Y-%m-%d"))
    for week in MANIFEST["pain_diary"]["weeks"]:
        assert weekly.loc[week["week_start"], "pain_max"] == week["pain_max"]
        assert weekly.loc[week["week_start"], "pain_mean"] == pytest.approx(
            week["pain_mean"], abs=5e-4
        )
    assert weekly["pain_max"].notna().sum() == len(MANIFEST["pain_diary"]["weeks"])
