"""The demo athlete in sample_data/ yields what its MANIFEST.json says."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
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
        # the shoe from Strava's row (matched by name, or by start time for the watch's
        # copy), the surface from the file's sub-sport or the Strava type
        assert (row["shoe"], row["surface"], row["origin"]) == (f["shoe"], f["surface"], "file")


def test_runs_without_a_file_count_in_their_weeks(result):
    acts = result.activities
    weekly = weekly_table(result.activities, result.cadence_hist).set_index("week_start")
    records = MANIFEST["records"]
    assert sorted(r["origin"] for r in records) == ["garmin_summary"] + ["strava_manual"] * 4
    for rec in records:
        row = acts[acts["start_utc"] == pd.Timestamp(rec["start_utc"])].iloc[0]
        assert row["origin"] == rec["origin"]
        assert row["distance_km"] == pytest.approx(rec["distance_km"], abs=0.005)
        assert row["moving_time_s"] == pytest.approx(rec["moving_time_s"], abs=1)
        assert (row["shoe"], row["surface"]) == (rec["shoe"], rec["surface"])
        assert row["week_start"].strftime("%Y-%m-%d") == rec["week_start"]
        assert pd.isna(row["run_cadence_spm"])  # no samples: never in a cadence median
        # the week's runs and distance are its files' plus this record
        week = pd.Timestamp(rec["week_start"])
        files = [
            f
            for f in MANIFEST["files"]
            if f["bucket"] == "run" and f["week_start"] == rec["week_start"]
        ]
        others = [r for r in records if r["week_start"] == rec["week_start"]]
        planned = next(w for w in MANIFEST["weeks"] if w["week_start"] == rec["week_start"])
        assert weekly.loc[week, "runs"] == len(files) + len(others) == planned["runs"]
        assert planned["runs_without_file"] == len(others) == 1
        assert weekly.loc[week, "distance_km"] == pytest.approx(
            sum(f["distance_km"] for f in files) + sum(r["distance_km"] for r in others),
            abs=0.05,
        )
    manual = acts[acts["origin"] == "strava_manual"]
    assert manual["distance_km"].round(1).tolist() == [5.6, 4.7, 5.6, 7.0]
    assert weekly["treadmill_km"].sum() == pytest.approx(5.6 + 4.7 + 8.0 + 5.6 + 7.0, abs=0.05)


def test_service_records_are_accounted(result):
    account = result.metadata
    strava, garmin = MANIFEST["services"]["strava"], MANIFEST["services"]["garmin"]
    assert account.matched == strava["runs_with_their_file"] + strava["runs_with_a_copy_elsewhere"]
    assert account.manual_added == strava["manual_runs"] == 4
    assert account.file_failed == 0
    assert account.other_sport == strava["other_sport_rows"] + garmin["other_sport"] == 2
    assert (
        (account.garmin_matched, account.garmin_added)
        == (
            garmin["matched_to_a_file"],
            garmin["summary_only_runs"],
        )
        == (72, 1)
    )
    assert not account.problems
    # each week as the service reported it, beside runaudit's; > 2 % apart is named
    weeks = account.service_weeks.set_index(["service", "week_start"])
    for w in MANIFEST["service_weeks"]:
        for service in ("strava", "garmin"):
            got = weeks.loc[(service, pd.Timestamp(w["week_start"]))]
            assert got["service_km"] == pytest.approx(w[f"{service}_km"], abs=0.01)
            assert got["runaudit_km"] == pytest.approx(w["distance_km"], abs=0.05)
    named = {
        (r.service, f"{r.week_start:%Y-%m-%d}") for r in account.differing_weeks().itertuples()
    }
    assert named == {(s, w["week_start"]) for w in MANIFEST["service_weeks"] for s in w["differs"]}
    assert named == {
        ("garmin", "2026-06-08"),
        ("garmin", "2026-06-15"),
        ("strava", "2026-07-06"),
        ("garmin", "2026-09-07"),
        ("garmin", "2026-09-14"),
    }


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


def test_new_shoes_and_trails_flagged_once_in_their_week(result):
    from runaudit import audit_ingest

    audit = audit_ingest(result)
    shoe = [f for f in audit.findings if f.rule == "shoe_change"]
    surface = [f for f in audit.findings if f.rule == "surface_change"]
    # week 11: the Novablast 5 carries three of four runs (8.7 + 9.7 + 16 of 42 km)
    assert [(f.week_start.isoformat(), f.evidence["shoe"]) for f in shoe] == [
        ("2026-07-20", "Novablast 5")
    ]
    assert shoe[0].evidence["share"] == pytest.approx(34.4 / 42.0, abs=0.01)
    assert shoe[0].evidence["week_km"] == pytest.approx(42.0, abs=0.05)
    # the Speedgoat 6 came in with one 7.6 km trail run (18 % of week 7): not flagged
    first = audit.activities[audit.activities["shoe"] == "Speedgoat 6"]["week_start"].min()
    assert f"{first:%Y-%m-%d}" == "2026-06-22"
    # week 8: 30.2 of 36.5 km marked Trail Run on Strava, after at most 19 % before
    assert [(f.week_start.isoformat(), f.evidence["surface"]) for f in surface] == [
        ("2026-06-29", "trail")
    ]
    assert surface[0].evidence["share"] == pytest.approx(30.2 / 36.5, abs=0.01)
    assert surface[0].evidence["recent_share"] == pytest.approx(7.6 / 41.0, abs=0.01)
    for rule, finding in (("shoe_change", shoe[0]), ("surface_change", surface[0])):
        truth = next(f for f in MANIFEST["expected_findings"] if f["rule"] == rule)
        assert finding.week_start.isoformat() == truth["week_start"]
        assert finding.evidence["share"] == truth["evidence"]["share"]


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
